using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;

namespace Recur.Cli.Reports;

/// <summary>
/// The report's charts, drawn by ScottPlot and exported as SVG: lines (with gaps at non-finite values and thinned when
/// long), heat maps and bars, in one style. Every chart is self-contained: no fonts or images are fetched.
/// </summary>
internal static partial class Charts
{
    /// <summary>Chart size in SVG pixels (scaled to the page width by CSS).</summary>
    public const int Width = 720, Height = 320;

    /// <summary>Most points drawn per line: longer series are thinned (<see cref="Series.Downsample"/>), never cut.</summary>
    public const int MaxPoints = 1500;

    /// <summary>The font the SVG names (installed with Debian's fonts-dejavu; browsers fall back to their sans-serif).</summary>
    private const string Font = "DejaVu Sans";

    // Tableau 10, ScottPlot's default: one colour per series, the same in every chart.
    private static readonly Color[] Palette = [.. new ScottPlot.Palettes.Category10().Colors];

    /// <summary>A marker on the x axis, e.g. the best epoch.</summary>
    /// <param name="X">Where.</param>
    /// <param name="Label">What (shown at the axis).</param>
    public sealed record Marker(double X, string Label);

    /// <summary>
    /// Lines sharing axes. Each series breaks at its non-finite values; with <paramref name="logY"/> the y axis is
    /// logarithmic (values at or below zero are then gaps as well).
    /// </summary>
    public static Chart Lines(string id, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        string? caption = null, bool logY = false, IReadOnlyList<Marker>? markers = null, double? horizontal = null, string? horizontalLabel = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        for (int s = 0; s < series.Count; s++)
        {
            var line = logY ? series[s] with { Y = [.. series[s].Y.Select(v => v > 0 ? Math.Log10(v) : double.NaN)] } : series[s];
            bool named = false;
            foreach (var (x, y) in line.FiniteRuns(MaxPoints))
            {
                var scatter = plot.Add.Scatter(x, y, Palette[s % Palette.Length]);
                scatter.LineWidth = 1.5f;
                scatter.MarkerSize = x.Length <= 60 ? 4 : 0; // markers only while they stay apart
                if (!named) scatter.LegendText = series[s].Name;
                named = true;
            }
        }
        foreach (var m in markers ?? [])
        {
            var v = plot.Add.VerticalLine(m.X, 1, Colors.Gray);
            v.LinePattern = LinePattern.Dashed;
            v.Text = m.Label;
            v.LabelFontSize = 11;
        }
        if (horizontal is { } h)
        {
            var line = plot.Add.HorizontalLine(logY ? Math.Log10(h) : h, 1, Colors.Red);
            line.LinePattern = LinePattern.Dotted;
            if (horizontalLabel is not null) line.Text = horizontalLabel;
            line.LabelFontSize = 11;
        }
        if (logY) LogTicks(plot, series);
        if (IsWhole(series.SelectMany(s => s.X))) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        FlatLimits(plot, series, logY);
        if (series.Count > 1)
        {
            // Below the axes, where it never hides the lines' ends (the part of a training curve people look at).
            plot.ShowLegend(Edge.Bottom);
            plot.Legend.Orientation = Orientation.Horizontal;
        }
        return new Chart(id, ChartKind.Lines, Svg(plot, id, Width, Height), caption);
    }

    /// <summary>
    /// A heat map of <paramref name="values"/> [rows, columns], row 0 at the top; with <paramref name="cellText"/> each
    /// cell is labelled (keep it for small matrices).
    /// </summary>
    public static Chart Heatmap(string id, string title, string xLabel, string yLabel, double[,] values,
        IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, Func<int, int, string>? cellText = null, string? caption = null)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var plot = NewPlot(title, xLabel, yLabel);
        var map = plot.Add.Heatmap(values); // ScottPlot draws row 0 at the top, at y = rows - 1
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(map);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns).Select(c => (double)c)], [.. columnLabels.Select(Short)]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r))], [.. rowLabels.Select(Short)]);
        if (columns > 8) plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        if (columns > 8) plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        if (cellText is not null)
        {
            double max = 0;
            foreach (double v in values) if (double.IsFinite(v)) max = Math.Max(max, v);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    var text = plot.Add.Text(cellText(r, c), c, rows - 1 - r);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = rows > 12 ? 9 : 12;
                    text.LabelFontColor = values[r, c] > max * 0.6 ? Colors.Black : Colors.White; // readable on viridis
                }
        }
        int size = Math.Clamp(140 + 26 * Math.Max(rows, columns), 320, 760);
        return new Chart(id, ChartKind.Heatmap, Svg(plot, id, Math.Min(Width + 80, size + 120), size), caption);
    }

    /// <summary>One bar per label; with many labels the names turn to stay readable.</summary>
    public static Chart Bars(string id, string title, string yLabel, IReadOnlyList<string> labels, IReadOnlyList<double> values,
        string? caption = null, double? max = null)
    {
        var plot = NewPlot(title, "", yLabel);
        var bars = plot.Add.Bars([.. values.Select(v => double.IsFinite(v) ? v : 0)]);
        bars.Color = Palette[0];
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels.Select(Short)]);
        if (labels.Count > 8)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        }
        plot.Axes.Margins(bottom: 0);
        if (max is { } top) plot.Axes.SetLimitsY(0, top * 1.05);
        return new Chart(id, ChartKind.Bars, Svg(plot, id, Width, Height), caption);
    }

    /// <summary>Ticks of a log10 axis: whole decades when the data spans two or more, else values between them.</summary>
    private static void LogTicks(Plot plot, IReadOnlyList<Series> series)
    {
        var logs = series.SelectMany(s => s.Y).Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).ToList();
        double span = logs.Count == 0 ? 0 : logs.Max() - logs.Min();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = span >= 2,
            LabelFormatter = y => span >= 2 ? "1e" + y.ToString("0", CultureInfo.InvariantCulture) : Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A constant series gets a y range around its value (ScottPlot would centre it in [-1, 1], far from small values).</summary>
    private static void FlatLimits(Plot plot, IReadOnlyList<Series> series, bool logY)
    {
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).Select(v => logY ? Math.Log10(v) : v).Where(double.IsFinite).ToList();
        if (ys.Count == 0 || ys.Max() > ys.Min()) return;
        double v = ys[0], pad = logY ? 0.5 : v == 0 ? 1 : Math.Abs(v) * 0.5;
        plot.Axes.SetLimitsY(v - pad, v + pad);
    }

    private static bool IsWhole(IEnumerable<double> xs) => xs.All(x => !double.IsFinite(x) || x == Math.Floor(x));

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(Font);
        plot.Title(title, 14);
        if (xLabel.Length > 0) plot.XLabel(xLabel, 12);
        if (yLabel.Length > 0) plot.YLabel(yLabel, 12);
        return plot;
    }

    private static string Short(string label) => label.Length <= 14 ? label : label[..13] + "…";

    /// <summary>
    /// The plot as an SVG element for an HTML page: no XML declaration, a viewBox so that CSS can scale it, and its
    /// identifiers (clip paths, images) prefixed with <paramref name="id"/> — ScottPlot numbers them from 0 in every
    /// chart, and two charts on one page sharing <c>cl_1</c> would clip each other.
    /// </summary>
    internal static string Svg(Plot plot, string id, int width, int height)
    {
        string svg = plot.GetSvgHtml(width, height);
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        svg = start > 0 ? svg[start..] : svg;
        string prefix = Regex.Replace(id, "[^A-Za-z0-9_-]", "_") + "-";
        svg = IdAttribute().Replace(svg, m => $"{m.Groups[1].Value}=\"{prefix}{m.Groups[2].Value}\"");
        svg = UrlReference().Replace(svg, m => $"url(#{prefix}{m.Groups[1].Value})");
        svg = HrefReference().Replace(svg, m => $"{m.Groups[1].Value}=\"#{prefix}{m.Groups[2].Value}\"");
        svg = svg.Replace($"font-family=\"{Font}\"", $"font-family=\"{Font}, Verdana, Arial, sans-serif\"", StringComparison.Ordinal);
        return RootTag().Replace(svg, $"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" ", 1);
    }

    [GeneratedRegex("\\b(id)=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex("url\\(#([^)]+)\\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("\\b((?:xlink:)?href)=\"#([^\"]+)\"")]
    private static partial Regex HrefReference();

    [GeneratedRegex("<svg ")]
    private static partial Regex RootTag();
}
