using System.Net;
using System.Text;

namespace Recur.Cli.Reports;

/// <summary>
/// One self-contained HTML page built from top to bottom: headings, facts, tables, notes and charts (inline SVG).
/// Nothing is fetched when it is opened (no scripts, no external style sheets, fonts or images), it reads offline and
/// prints (a chart never splits across pages). Every text is HTML-escaped here; only chart SVG goes in as markup.
/// </summary>
internal sealed class HtmlPage(string title)
{
    private readonly StringBuilder _body = new();
    private readonly List<Chart> _charts = [];
    private readonly List<string> _missing = [];
    private bool _inSection;

    /// <summary>The charts on the page, in order.</summary>
    public IReadOnlyList<Chart> Charts => _charts;

    /// <summary>What the page says is missing (also shown at the top).</summary>
    public IReadOnlyList<string> Missing => _missing;

    /// <summary>Starts a section with a heading (ends the previous one).</summary>
    /// <param name="heading">The heading.</param>
    /// <param name="id">The section's anchor (<c>id</c>), e.g. <c>curves</c>.</param>
    public void Section(string heading, string id)
    {
        EndSection();
        _body.Append($"<section id=\"{E(id)}\">\n<h2>{E(heading)}</h2>\n");
        _inSection = true;
    }

    /// <summary>A heading inside the section.</summary>
    public void Subheading(string text) => _body.Append($"<h3>{E(text)}</h3>\n");

    /// <summary>A paragraph.</summary>
    public void Paragraph(string text) => _body.Append($"<p>{E(text)}</p>\n");

    /// <summary>A line saying something is missing or could not be drawn; also listed at the top of the page.</summary>
    public void Note(string text)
    {
        _missing.Add(text);
        _body.Append($"<p class=\"missing\">{E(text)}</p>\n");
    }

    /// <summary>A warning about what is shown (e.g. values drawn as gaps).</summary>
    public void Warning(string text) => _body.Append($"<p class=\"warning\">{E(text)}</p>\n");

    /// <summary>Name and value pairs.</summary>
    public void Facts(IEnumerable<(string Name, string Value)> facts)
    {
        _body.Append("<table class=\"facts\">\n");
        foreach (var (name, value) in facts) _body.Append($"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>\n");
        _body.Append("</table>\n");
    }

    /// <summary>A table; columns whose index is in <paramref name="numeric"/> are right-aligned.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, params int[] numeric)
    {
        string Cls(int i) => numeric.Contains(i) ? " class=\"num\"" : "";
        _body.Append("<table class=\"data\">\n<tr>");
        for (int i = 0; i < headers.Count; i++) _body.Append($"<th{Cls(i)}>{E(headers[i])}</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            for (int i = 0; i < row.Count; i++) _body.Append($"<td{Cls(i)}>{E(row[i])}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
    }

    /// <summary>Text shown as written (samples, command lines).</summary>
    public void Preformatted(string text) => _body.Append($"<pre>{E(text)}</pre>\n");

    /// <summary>A chart with its caption.</summary>
    public void Add(Chart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        if (_charts.Any(c => c.Id == chart.Id)) throw new InvalidOperationException($"two charts named '{chart.Id}' on one page");
        _charts.Add(chart);
        _body.Append($"<figure class=\"chart\" data-chart=\"{E(chart.Id)}\" data-kind=\"{chart.Kind.ToString().ToLowerInvariant()}\">\n")
            .Append(chart.Svg).Append('\n');
        if (chart.Caption is { } caption) _body.Append($"<figcaption>{E(caption)}</figcaption>\n");
        _body.Append("</figure>\n");
    }

    /// <summary>The whole document.</summary>
    /// <param name="subtitle">A line under the title (what, when).</param>
    public string ToHtml(string subtitle)
    {
        EndSection();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            // Nothing may be loaded from anywhere: the page is complete as it is.
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append($"<title>{E(title)}</title>\n<style>\n{Style}</style>\n</head>\n<body>\n")
            .Append($"<header>\n<h1>{E(title)}</h1>\n<p class=\"subtitle\">{E(subtitle)}</p>\n");
        if (_missing.Count > 0)
        {
            html.Append("<ul class=\"missing-list\">\n");
            foreach (var m in _missing) html.Append($"<li>{E(m)}</li>\n");
            html.Append("</ul>\n");
        }
        html.Append("</header>\n<main>\n").Append(_body).Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private void EndSection()
    {
        if (_inSection) _body.Append("</section>\n");
        _inSection = false;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #222; max-width: 980px; margin: 1.5em auto; padding: 0 1em; line-height: 1.4; }
        h1 { font-size: 1.6em; margin-bottom: 0.1em; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
        h3 { font-size: 1.05em; margin-bottom: 0.3em; }
        .subtitle { color: #666; margin-top: 0; }
        table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
        th, td { padding: 0.2em 0.7em; text-align: left; vertical-align: top; }
        table.facts th { color: #555; font-weight: normal; white-space: nowrap; }
        table.data th { border-bottom: 1px solid #999; }
        table.data tr:nth-child(even) td { background: #f4f4f4; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        td { overflow-wrap: anywhere; white-space: pre-wrap; }
        pre { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.88em; }
        figure.chart { margin: 1em 0; }
        figure.chart svg { max-width: 100%; height: auto; display: block; }
        figure.chart[data-kind="heatmap"] svg { image-rendering: pixelated; } /* cells, not a blur (inherited by the image's use) */
        figcaption { color: #555; font-size: 0.9em; }
        .missing { color: #8a4b00; }
        .missing::before { content: "missing: "; font-weight: bold; }
        .warning { color: #a00; }
        ul.missing-list { color: #8a4b00; }
        @media print {
          body { max-width: none; margin: 0; }
          figure.chart, table { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
        }

        """;
}
