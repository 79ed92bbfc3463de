using System.Globalization;
using System.Text;
using Recur.Cli.Demo;
using Recur.IO.Safetensors;

namespace Recur.Cli.Reports;

/// <summary>
/// The pages of <c>recur demo gradients --report</c> and <c>recur demo compare --report</c>: the same self-contained
/// HTML as a training report (<see cref="HtmlPage"/>, ScottPlot SVG), drawn from the demos' measurements.
/// </summary>
internal static class DemoPages
{
    private static string F(double v, string format = "F3") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Gradient reach by steps back (log scale), accuracy against delay, and the exploding RNN's norms and losses with and without clipping.</summary>
    public static void Gradients(string path, IReadOnlyList<(string Name, double[] Reach)> profiles, IReadOnlyList<FirstBitResult[]> byDelay,
        IReadOnlyList<string> cellNames, IReadOnlyList<(string Label, FirstBitResult Result)> exploding)
    {
        var page = new HtmlPage("Vanishing and exploding gradients");
        page.Section("How much gradient reaches each earlier step", "gradient-reach");
        page.Paragraph("‖∂L/∂h_t‖ divided by its value at the last step, for untrained networks on one batch: the error signal of an answer given at the last step, on its way back to the first input.");
        page.Add(Charts.Lines("reach", "Gradient reaching each earlier step", "steps back from the answer", "relative gradient norm (log scale)",
            [.. profiles.Select(p => new Series(p.Name, [.. Enumerable.Range(0, p.Reach.Length).Select(k => (double)k)], p.Reach))], logY: true,
            caption: "Below 1 and falling: vanishing. Above 1 and rising: exploding."));

        page.Section("Accuracy against the delay", "delays");
        double[] delays = [.. byDelay.Select(row => (double)row[0].Delay)];
        page.Add(Charts.Lines("accuracy", "Accuracy on fresh sequences", "delay (steps between the bit and the answer)", "accuracy",
            [.. cellNames.Select((name, i) => new Series(name, delays, [.. byDelay.Select(row => row[i].Accuracy)]))], horizontal: 0.5, horizontalLabel: "guessing"));
        page.Table(["delay", .. cellNames], byDelay.Select(row => (IReadOnlyList<string>)[row[0].Delay.ToString(CultureInfo.InvariantCulture), .. row.Select(r => F(100 * r.Accuracy, "F1") + "%")]),
            [.. Enumerable.Range(0, cellNames.Count + 1)]);

        page.Section("The exploding RNN, with and without clipping", "clipping");
        double[] Steps(FirstBitResult r) => [.. Enumerable.Range(1, r.Norms.Count).Select(k => (double)k)];
        page.Add(Charts.Lines("norms", "Global gradient norm before clipping", "update", "norm (log scale)",
            [.. exploding.Select(e => new Series(e.Label, Steps(e.Result), [.. e.Result.Norms]))], logY: true, horizontal: 1, horizontalLabel: "clipping threshold"));
        page.Add(Charts.Lines("losses", "Training loss", "update", "binary cross-entropy (log scale)",
            [.. exploding.Select(e => new Series(e.Label, Steps(e.Result), [.. e.Result.Losses]))], logY: true));
        page.Table(["training", "largest gradient norm", "final loss", "accuracy"],
            exploding.Select(e => (IReadOnlyList<string>)[e.Label, F(e.Result.MaxGradientNorm, "G4"), F(e.Result.FinalLoss, "G4"), F(100 * e.Result.Accuracy, "F1") + "%"]), 1, 2, 3);
        Write(path, page, "recur demo gradients");
    }

    /// <summary>Accuracy against training time for each cell, and the table of the run.</summary>
    public static void Compare(string path, IReadOnlyList<(string Name, FirstBitResult Result)> results)
    {
        var page = new HtmlPage("RNN vs LSTM vs GRU");
        page.Section("Accuracy while training", "training");
        page.Add(Charts.Lines("learning", $"Say the first of {results[0].Result.Delay + 1} bits: accuracy on 256 fresh sequences", "training seconds", "accuracy",
            [.. results.Select(r => new Series(r.Name, [.. r.Result.Checks.Select(c => c.Seconds)], [.. r.Result.Checks.Select(c => c.Accuracy)]))],
            horizontal: 0.95, horizontalLabel: "learned"));
        page.Table(["network", "parameters", "ms / update", "learned (95%) after", "final accuracy"],
            results.Select(r => (IReadOnlyList<string>)[r.Name, r.Result.Parameters.ToString(CultureInfo.InvariantCulture), F(1000 * r.Result.Seconds / Math.Max(1, r.Result.Updates), "F2"),
                r.Result.LearnedAfter is { } l ? $"{F(l.Seconds, "F1")} s, {l.Updates} updates" : "not within budget", F(100 * r.Result.Accuracy, "F1") + "%"]), 1, 2, 4);
        Write(path, page, "recur demo compare");
    }

    private static void Write(string path, HtmlPage page, string what)
    {
        string html = page.ToHtml($"{what} · written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        AtomicFile.Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(html)));
    }
}
