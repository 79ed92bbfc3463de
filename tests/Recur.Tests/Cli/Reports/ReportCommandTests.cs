using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Tests.Data;

namespace Recur.Tests.Cli.Reports;

/// <summary>
/// <c>recur report</c> and the report.html that training writes, checked as HTML and SVG: every expected chart present,
/// nothing fetched from anywhere, and the bad inputs of issue #18 (no history, NaN and Inf in it, a huge history).
/// </summary>
[Collection(ReportCollection.Name)]
public sealed class ReportCommandTests(ReportFixture run)
{
    /// <summary>The charts every classifier report has (clipping-epoch: the fixture's threshold is low enough to clip).</summary>
    private static readonly string[] ClassifyCharts =
    [
        "loss-epoch", "loss-time", "accuracy-epoch", "accuracy-time", "macro-f1-epoch", "lr-epoch", "grad-norm-epoch", "clipping-epoch",
        "speed-epoch", "gradients-time-1", "gradients-time-1-reverse", "confusion", "class-f1",
    ];

    [Fact]
    public void Training_writes_the_report_into_the_model_folder_and_prints_its_path()
    {
        string path = Path.Combine(run.Folder, "report.html");
        Assert.Contains($"report: {path}\n", run.Train.Out);
        Assert.StartsWith("<!DOCTYPE html>", run.Html);
        Assert.EndsWith("</html>\n", run.Html);
    }

    [Fact]
    public void Every_expected_chart_is_present_once_as_an_inline_svg()
    {
        var ids = ReportHtml.ChartIds(run.Html);
        Assert.Equal(ClassifyCharts.Order(), ids.Order());
        foreach (string id in ids)
        {
            string svg = ReportHtml.Svg(run.Html, id);
            Assert.Contains("viewBox=", svg);
            Assert.True(svg.Length > 2000, $"{id}: {svg.Length} characters of SVG");
        }
        // The class names label the confusion matrix, and the sections are there.
        foreach (string label in (string[])["pos", "neg", "none"]) Assert.Contains($">{label}<", Squeeze(ReportHtml.Svg(run.Html, "confusion")));
        foreach (string section in (string[])["summary", "curves", "gradients", "classes", "settings"]) Assert.Contains($"<section id=\"{section}\">", run.Html);
    }

    [Fact]
    public void The_page_fetches_nothing_and_its_ids_are_unique()
    {
        Assert.Empty(ReportHtml.Fetches(run.Html));
        Assert.Empty(ReportHtml.DuplicateIds(run.Html));
        Assert.Contains("Content-Security-Policy", run.Html);
        Assert.Contains("@media print", run.Html);
    }

    [Fact]
    public void The_page_holds_the_settings_and_the_data_fingerprint()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "model.json")))!;
        string sha = manifest["training"]!["data"]![0]!["sha256"]!.GetValue<string>();
        Assert.Contains(sha, run.Html);
        Assert.Contains("recur train classify --data", run.Html);
        Assert.Contains("<td>training.clip</td><td>0.3</td>", run.Html);
    }

    [Fact]
    public void Gradients_are_recorded_per_epoch_and_per_time_step_at_epochs_1_2_4_and_the_last()
    {
        var log = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "gradients.json")))!;
        Assert.Equal(0.3, log["clip"]!.GetValue<double>());
        var epochs = log["epochs"]!.AsArray();
        Assert.Equal([1, 2, 3, 4, 5], epochs.Select(e => e!["epoch"]!.GetValue<int>()));
        Assert.All(epochs, e => Assert.True(e!["max"]!.GetValue<double>() >= e["mean"]!.GetValue<double>()));
        Assert.True(epochs.Sum(e => e!["clipped"]!.GetValue<int>()) > 0, log.ToJsonString());
        var steps = log["time_steps"]!.AsArray();
        Assert.Equal([1, 2, 4, 5], steps.Select(e => e!["epoch"]!.GetValue<int>()));
        var layer = steps[0]!["layers"]![0]!;
        Assert.Equal(["layer 1", "layer 1 reverse"], layer["rows"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.All(layer["norms"]![0]!.AsArray(), v => Assert.True(v!.GetValue<double>() > 0));
    }

    [Fact]
    public void Report_rewrites_the_page_from_the_folder_and_out_puts_it_elsewhere()
    {
        using var dir = new TempDir();
        string path = dir.File("sub/page.html");
        var r = Cli.Ok("report", "--model", run.Folder, "--out", path);
        Assert.Equal($"report: {path}", r.Out.Split('\n')[0].Split(" (")[0]);
        string html = File.ReadAllText(path);
        Assert.Equal(ClassifyCharts.Order(), ReportHtml.ChartIds(html).Order());
        Assert.Contains("the validation part of reviews.csv", html); // rebuilt from the recorded run: the same split
    }

    [Fact]
    public void Report_scores_on_data_given_with_data()
    {
        using var dir = new TempDir();
        string test = dir.Write("test.csv", "text,label\nthe movie was good,pos\nit was awful,neg\nthe plot,none\n");
        Cli.Ok("report", "--model", run.Folder, "--data", test, "--out", dir.File("r.html"));
        Assert.Contains("test.csv, 3 texts", File.ReadAllText(dir.File("r.html")));
    }

    [Fact]
    public void A_folder_without_history_gets_a_report_of_what_exists_and_a_line_saying_what_is_missing()
    {
        string folder = run.Copy("no-history");
        File.Delete(Path.Combine(folder, "history.csv"));
        File.Delete(Path.Combine(folder, "gradients.json"));
        var r = Cli.Ok("report", "--model", folder);
        Assert.Contains("missing: no history.csv: no epoch was recorded, so there are no training curves", r.Out);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("no history.csv: no epoch was recorded", html);
        Assert.Contains("no gradients.json", html);
        Assert.Equal(["confusion", "class-f1"], ReportHtml.ChartIds(html));
    }

    [Fact]
    public void A_folder_that_never_finished_an_epoch_still_gets_a_report()
    {
        string folder = run.Copy("no-epoch");
        foreach (string name in (string[])["history.csv", "gradients.json", "model.safetensors"]) File.Delete(Path.Combine(folder, name));
        var r = Cli.Ok("report", "--model", folder);
        Assert.Contains("missing: no model.safetensors", r.Out);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("no trained classifier to evaluate", html);
        Assert.Contains("recur train classify --data", html);
    }

    [Fact]
    public void NaN_and_infinite_values_are_gaps_and_named()
    {
        string folder = run.Copy("nan");
        string path = Path.Combine(folder, "history.csv");
        var lines = File.ReadAllLines(path);
        int column = Array.IndexOf(lines[0].Split(','), "val_loss");
        lines[2] = Replace(lines[2], column, "nan");
        lines[3] = Replace(lines[3], column, "inf");
        File.WriteAllLines(path, lines);
        Cli.Ok("report", "--model", folder);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("validation loss: NaN at epoch 2, +Inf at epoch 3 (not drawn: the line has a gap there)", html);
        Assert.Contains("loss-epoch", ReportHtml.ChartIds(html));
    }

    [Fact]
    public void A_huge_history_is_thinned_for_drawing_not_cut()
    {
        string folder = run.Copy("huge");
        const int epochs = 30_000;
        var csv = new StringBuilder("epoch,seconds,loss,accuracy,lr,grad_norm,items_per_second,val_loss,val_accuracy\n");
        for (int e = 1; e <= epochs; e++)
        {
            double loss = 1 / Math.Sqrt(e);
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{e},{e * 0.5},{loss},{1 - loss / 2},0.002,1.5,1000,{loss * 1.1},{1 - loss / 1.9}\n"));
        }
        File.WriteAllText(Path.Combine(folder, "history.csv"), csv.ToString());
        File.Delete(Path.Combine(folder, "gradients.json"));
        var clock = Stopwatch.StartNew();
        Cli.Ok("report", "--model", folder);
        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{clock.Elapsed}");
        Assert.Contains("30,000 epochs: each line is thinned", html);
        string svg = ReportHtml.Svg(html, "loss-epoch");
        Assert.True(svg.Length < 400_000, $"{svg.Length} characters of SVG for one chart");
        Assert.True(html.Length < 4_000_000, $"{html.Length} characters");
    }

    [Fact]
    public void A_folder_that_is_not_a_model_is_one_error_line()
    {
        using var dir = new TempDir();
        var r = Cli.Run("report", "--model", dir.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"recur: --model {dir.Path}: the folder holds no model.json (nor the checkpoint of an earlier 'recur train charlm'); expected a model folder written by 'recur train'", Assert.Single(r.ErrLines));
        Assert.Equal(1, Cli.Run("report", "--model", dir.File("nope")).ExitCode);
        Assert.Contains("is a file; a report reads a whole model folder", Cli.Run("report", "--model", Path.Combine(run.Folder, "model.json")).Err);
        Assert.Equal(1, Cli.Run("report", "--model", run.Folder, "--data", dir.File("nope.csv")).ExitCode);
    }

    private static string Replace(string line, int column, string value)
    {
        var cells = line.Split(',');
        cells[column] = value;
        return string.Join(',', cells);
    }

    // SVG text sits on its own indented line between tags.
    private static string Squeeze(string svg) => string.Concat(svg.Where(c => !char.IsWhiteSpace(c)));
}
