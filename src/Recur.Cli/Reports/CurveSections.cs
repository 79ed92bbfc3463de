using System.Globalization;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// The curves every run has, from history.csv: loss and the monitored metric against epoch and wall-clock time
/// (training and validation), other metrics, the learning rate, the gradient norm and the training speed.
/// Non-finite values are gaps, named under the chart; long histories are thinned for drawing only.
/// </summary>
internal static class CurveSections
{
    /// <summary>Adds the "Training curves" section.</summary>
    /// <param name="page">The page.</param>
    /// <param name="columns">The history.</param>
    /// <param name="training">The run's record (monitored metric, best epoch), or null.</param>
    /// <param name="gradients">The gradient log (per-epoch mean and largest norm, clipping), or null.</param>
    /// <param name="speedUnit">What the speed counts.</param>
    public static void Add(HtmlPage page, HistoryColumns columns, TrainingRecord? training, GradientLog? gradients, string speedUnit)
    {
        page.Section("Training curves", "curves");
        double[] epochs = columns.Epochs;
        int rows = epochs.Length;
        if (rows > Charts.MaxPoints)
            page.Paragraph($"{rows:N0} epochs: each line is thinned to about {Charts.MaxPoints:N0} points for drawing (the smallest and largest value of every stretch are kept); {ModelFolder.HistoryName} has every value.");
        var best = training is { BestEpoch: > 0 } t ? new[] { new Charts.Marker(t.BestEpoch, $"best epoch {t.BestEpoch}") } : [];
        var (time, timeUnit) = TimeAxis(columns.Seconds);
        string monitor = training?.Monitor is { Length: > 0 } m ? (m.StartsWith("val_", StringComparison.Ordinal) ? m[4..] : m) : "";
        if (!columns.Has(monitor) && !columns.Has("val_" + monitor)) monitor = columns.Metrics.FirstOrDefault(x => x != "loss") ?? "";

        AddPair(page, columns, "loss", "Loss", epochs, time, timeUnit, best, "The mean loss per epoch: training (while the weights changed, with dropout) and validation (after the epoch). Validation rising while training falls is overfitting.");
        if (monitor.Length > 0 && monitor != "loss")
            AddPair(page, columns, monitor, Title(monitor), epochs, time, timeUnit, best, $"{monitor}, the metric that chose the best epoch" + (training?.Monitor is { Length: > 0 } mon ? $" ({mon})." : "."));
        foreach (string other in columns.Metrics.Where(x => x != "loss" && x != monitor))
            Lines(page, $"{Id(other)}-epoch", Title(other), "epoch", other, columns.TrainAndValid(other, epochs), best, null);

        if (columns.Column("lr") is { } lr)
            Lines(page, "lr-epoch", "Learning rate", "epoch", "learning rate", [new Series("learning rate", epochs, lr)], best,
                "The optimizer's learning rate during each epoch (halved on a plateau when --lr-patience is set).");
        AddGradientNorms(page, columns, epochs, gradients, best);
        if (columns.Column("items_per_second") is { } speed)
        {
            double mean = speed.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            Lines(page, "speed-epoch", "Training speed", "epoch", $"{speedUnit} per second", [new Series($"{speedUnit}/s", epochs, speed)], best,
                string.Create(CultureInfo.InvariantCulture, $"Training throughput per epoch (validation not included); mean {mean:N0} {speedUnit}/s."));
        }
    }

    private static void AddPair(HtmlPage page, HistoryColumns columns, string metric, string title, double[] epochs, double[]? time, string timeUnit,
        Charts.Marker[] best, string caption)
    {
        var byEpoch = columns.TrainAndValid(metric, epochs);
        if (byEpoch.Count == 0)
        {
            page.Note($"{ModelFolder.HistoryName} has no {metric} column, so there is no {metric} curve");
            return;
        }
        Lines(page, $"{Id(metric)}-epoch", $"{title} by epoch", "epoch", metric, byEpoch, best, caption);
        if (time is null) page.Note($"{ModelFolder.HistoryName} has no seconds column, so {metric} is not drawn against time");
        else Lines(page, $"{Id(metric)}-time", $"{title} by wall-clock time", $"time ({timeUnit})", metric, columns.TrainAndValid(metric, time), [], null, named: false);
    }

    private static void AddGradientNorms(HtmlPage page, HistoryColumns columns, double[] epochs, GradientLog? log, Charts.Marker[] best)
    {
        var series = new List<Series>();
        if (log is { Epochs.Count: > 0 })
        {
            // The log's epochs may start later than the history's (a run resumed from a folder of an earlier Recur).
            double[] x = [.. log.Epochs.Select(e => (double)e.Epoch)];
            series.Add(new Series("mean over the epoch's batches", x, [.. log.Epochs.Select(e => e.Mean)]));
            series.Add(new Series("largest", x, [.. log.Epochs.Select(e => e.Max)]));
        }
        else if (columns.Column("grad_norm") is { } last) series.Add(new Series("last batch of the epoch", epochs, last));
        if (series.Count == 0) return;
        double clip = log?.Clip ?? 0;
        Lines(page, "grad-norm-epoch", "Gradient norm", "epoch", "global gradient norm (before clipping)", series, best,
            "The norm of the whole gradient, before clipping." + (clip > 0 ? string.Create(CultureInfo.InvariantCulture, $" The dotted line is the clipping threshold {clip:G4}: batches above it were scaled down to it.") : ""),
            horizontal: clip > 0 ? clip : null, horizontalLabel: clip > 0 ? "clip" : null);
        if (log is { Clip: > 0, Epochs.Count: > 0 })
        {
            long clipped = log.Epochs.Sum(e => (long)e.Clipped), batches = log.Epochs.Sum(e => (long)e.Batches);
            string threshold = log.Clip.ToString("G4", CultureInfo.InvariantCulture);
            if (clipped == 0)
            {
                page.Paragraph($"Clipping events: none; no training batch had a gradient norm above {threshold}.");
                return;
            }
            Lines(page, "clipping-epoch", "Clipped batches", "epoch", "share of batches clipped (%)",
                [new Series("clipped", [.. log.Epochs.Select(e => (double)e.Epoch)], [.. log.Epochs.Select(e => e.Batches == 0 ? double.NaN : 100.0 * e.Clipped / e.Batches)])], best,
                $"Clipping events: {clipped:N0} of {batches:N0} training batches ({Output.Formats.Percent(clipped, batches)}) had a gradient norm above {threshold}. Many clipped batches late in training suggest a lower learning rate.");
        }
    }

    /// <summary>Draws a line chart and names its gaps under it.</summary>
    internal static void Lines(HtmlPage page, string id, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        Charts.Marker[] markers, string? caption, bool named = true, double? horizontal = null, string? horizontalLabel = null, bool logY = false)
    {
        if (!series.Any(s => s.HasFinite))
        {
            page.Note($"{title}: no finite value to draw ({string.Join(", ", series.Select(s => s.Name))})");
            return;
        }
        page.Add(Charts.Lines(id, title, xLabel, yLabel, series, caption, logY, markers, horizontal, horizontalLabel));
        if (!named) return; // the same values against time: their gaps are named once, under the epoch chart
        foreach (var s in series)
        {
            var gaps = s.Gaps;
            if (gaps.Count == 0) continue;
            string at = string.Join(", ", gaps.Take(8).Select(g => $"{g.What} at {xLabel} {g.X.ToString("G6", CultureInfo.InvariantCulture)}"))
                + (gaps.Count > 8 ? $" and {gaps.Count - 8} more" : "");
            page.Warning($"{s.Name}: {at} (not drawn: the line has a gap there)");
        }
    }

    /// <summary>Seconds in the unit that keeps the axis readable.</summary>
    private static (double[]? Values, string Unit) TimeAxis(double[]? seconds)
    {
        if (seconds is null) return (null, "s");
        double max = seconds.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        return max switch
        {
            > 3 * 3600 => ([.. seconds.Select(s => s / 3600)], "hours"),
            > 300 => ([.. seconds.Select(s => s / 60)], "minutes"),
            _ => (seconds, "seconds"),
        };
    }

    private static string Title(string metric) => metric switch
    {
        "bpc" => "Bits per character",
        "accuracy" => "Accuracy",
        "macro_f1" => "Macro F1",
        "f1" => "F1",
        "perplexity" => "Perplexity",
        _ => metric,
    };

    private static string Id(string metric) => metric.Replace('_', '-');
}
