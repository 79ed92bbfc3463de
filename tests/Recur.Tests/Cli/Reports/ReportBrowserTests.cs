using System.Text.RegularExpressions;
using Recur.Tests.Data;
using SkiaSharp;

namespace Recur.Tests.Cli.Reports;

/// <summary>
/// The training report as a person sees it: opened in headless Chromium, the page loads with no console message (a
/// blocked fetch or a script error would be one), every chart is in the loaded page, and the screenshot is not blank.
/// </summary>
[Collection(ReportCollection.Name)]
public sealed partial class ReportBrowserTests(ReportFixture run)
{
    [ChromiumFact]
    public void The_report_loads_without_console_messages_with_every_chart_and_is_not_blank()
    {
        using var dir = new TempDir();
        string page = Path.Combine(run.Folder, "report.html");
        var expected = ReportHtml.ChartIds(run.Html);

        // The loaded page: the browser's DOM has every chart, each an SVG with drawn content.
        var dom = HeadlessChromium.Open(page, "--dump-dom");
        Assert.True(dom.ExitCode == 0, $"chromium exit {dom.ExitCode}");
        Assert.Empty(dom.Console);
        Assert.Equal(expected, ReportHtml.ChartIds(dom.Out));
        Assert.Equal(expected.Count, FigureWithSvg().Matches(dom.Out).Count);

        // The screenshot: mostly white paper, with ink, and with the first series colour of the charts' lines.
        string png = dir.File("report.png");
        var shot = HeadlessChromium.Open(page, $"--screenshot={png}", "--window-size=1000,3000");
        Assert.Empty(shot.Console);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((1000, 3000), (bitmap.Width, bitmap.Height));
        long ink = 0, blue = 0, pixels = (long)bitmap.Width * bitmap.Height;
        double sum = 0, squares = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                double v = (c.Red + c.Green + c.Blue) / 3.0;
                sum += v;
                squares += v * v;
                if (v < 200) ink++;
                if (Math.Abs(c.Red - 0x1F) < 40 && Math.Abs(c.Green - 0x77) < 40 && Math.Abs(c.Blue - 0xB4) < 40) blue++;
            }
        long sampled = pixels / 4;
        double mean = sum / sampled, variance = squares / sampled - mean * mean;
        Assert.True(variance > 100, $"pixel variance {variance:F1}: the screenshot looks blank");
        Assert.True(ink > sampled / 200, $"{ink} of {sampled} sampled pixels are dark: too little is drawn");
        Assert.True(blue > 200, $"{blue} pixels of the first series colour: the chart lines are not drawn");
    }

    [ChromiumFact]
    public void The_report_prints()
    {
        using var dir = new TempDir();
        string pdf = dir.File("report.pdf");
        var print = HeadlessChromium.Open(Path.Combine(run.Folder, "report.html"), $"--print-to-pdf={pdf}", "--no-pdf-header-footer");
        Assert.Empty(print.Console);
        byte[] bytes = File.ReadAllBytes(pdf);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        int pages = PdfPage().Matches(System.Text.Encoding.Latin1.GetString(bytes)).Count;
        Assert.True(pages >= 3, $"{pages} pages"); // a dozen charts do not fit on one or two
    }

    [ChromiumFact]
    public void A_page_with_a_fetch_or_a_script_error_is_caught_by_the_console_check()
    {
        // The check above is only worth something if Chromium reports what it blocks and what fails.
        using var dir = new TempDir();
        string bad = dir.Write("bad.html", "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>"
            + "<body><img src=\"http://example.invalid/x.png\"></body></html>");
        Assert.Contains(HeadlessChromium.Open(bad, "--dump-dom").Console, l => l.Contains("example.invalid", StringComparison.Ordinal));
        string error = dir.Write("error.html", "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>");
        Assert.Contains(HeadlessChromium.Open(error, "--dump-dom").Console, l => l.Contains("undefinedFunction", StringComparison.Ordinal));
    }

    [GeneratedRegex("/Type\\s*/Page\\b")]
    private static partial Regex PdfPage();

    [GeneratedRegex("<figure class=\"chart\"[^>]*>\\s*<svg[^>]*>\\s*<rect", RegexOptions.Singleline)]
    private static partial Regex FigureWithSvg();
}
