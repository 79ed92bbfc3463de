using System.Text.RegularExpressions;

namespace Recur.Tests.Cli.Reports;

/// <summary>What the report tests read from a page's HTML.</summary>
internal static partial class ReportHtml
{
    /// <summary>The <c>data-chart</c> identifiers of the page's figures, in order.</summary>
    public static List<string> ChartIds(string html) => [.. ChartAttribute().Matches(html).Select(m => m.Groups[1].Value)];

    /// <summary>
    /// Everything in the page that could make a browser fetch something: external URLs (other than the SVG namespace
    /// names, which are never fetched), scripts, style sheets, frames, objects, src attributes, non-fragment hrefs
    /// and CSS url() references other than to an element of the page.
    /// </summary>
    public static List<string> Fetches(string html)
    {
        var found = new List<string>();
        string[] namespaces = ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"];
        found.AddRange(Url().Matches(html).Select(m => m.Value).Where(u => !namespaces.Contains(u)));
        found.AddRange(Tag().Matches(html).Select(m => m.Value));
        found.AddRange(Src().Matches(html).Select(m => m.Value));
        found.AddRange(Href().Matches(html).Select(m => m.Value).Where(h => !h.Contains("\"#") && !h.Contains("\"data:")));
        found.AddRange(CssUrl().Matches(html).Select(m => m.Value).Where(u => !u.StartsWith("url(#", StringComparison.Ordinal)));
        return found;
    }

    /// <summary>Identifiers used more than once on the page.</summary>
    public static List<string> DuplicateIds(string html) =>
        [.. IdAttribute().Matches(html).Select(m => m.Groups[1].Value).GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key)];

    /// <summary>The SVG of one chart.</summary>
    public static string Svg(string html, string chart)
    {
        int at = html.IndexOf($"data-chart=\"{chart}\"", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no chart {chart}");
        int start = html.IndexOf("<svg", at, StringComparison.Ordinal), end = html.IndexOf("</svg>", start, StringComparison.Ordinal);
        return html[start..(end + 6)];
    }

    [GeneratedRegex("data-chart=\"([^\"]+)\"")]
    private static partial Regex ChartAttribute();

    [GeneratedRegex("(?:https?|ftp)://[^\\s\"'<>)]+")]
    private static partial Regex Url();

    [GeneratedRegex("<(?:script|link|iframe|object|embed|audio|video)\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Tag();

    [GeneratedRegex("\\bsrc(?:set)?\\s*=\\s*\"[^\"]*\"", RegexOptions.IgnoreCase)]
    private static partial Regex Src();

    [GeneratedRegex("\\b(?:xlink:)?href\\s*=\\s*\"[^\"]*\"", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    [GeneratedRegex("url\\([^)]*\\)")]
    private static partial Regex CssUrl();

    [GeneratedRegex("\\bid=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();
}
