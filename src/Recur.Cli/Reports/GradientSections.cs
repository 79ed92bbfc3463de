using System.Globalization;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// The gradient norm reaching each time step of every recurrent layer, at the longest batch of a few epochs: the
/// picture of vanishing (the norm decays going back in time) or exploding (it grows) gradients.
/// </summary>
internal static class GradientSections
{
    /// <summary>Most epochs drawn per chart (the first, the last and evenly spaced ones between).</summary>
    private const int MaxEpochLines = 6;

    /// <summary>
    /// Adds the "Gradients through time" section for <paramref name="log"/> (a model folder's gradients.json, or one a
    /// demo recorded the same way), or says that there is none.
    /// </summary>
    public static void Add(HtmlPage page, GradientLog? log)
    {
        page.Section("Gradients through time", "gradients");
        if (log is null)
        {
            page.Note($"no {GradientLog.FileName}: the run did not record gradients per time step (runs of an earlier Recur)");
            return;
        }
        if (log.TimeSteps.Count == 0 || log.TimeSteps.All(t => t.Layers.Count == 0))
        {
            page.Note($"{GradientLog.FileName} holds no per-time-step norms (the model has no recurrent layer, or no epoch finished)");
            return;
        }
        page.Paragraph("Each line is ‖∂L/∂h_t‖, the size of the gradient reaching the hidden state of time step t, over one training batch (the epoch's longest), on a logarithmic scale. "
            + "The error signal travels backwards in time: in the forward direction from the last step to the first, in the reverse direction from the first to the last. "
            + "A straight fall along that way is a vanishing gradient (the early steps learn little), a rise an exploding one (what clipping guards against); LSTM and GRU keep it flatter than a plain RNN.");
        var names = log.TimeSteps.SelectMany(t => t.Layers.Select(l => l.Name)).Distinct().ToList();
        var snapshots = Pick(log.TimeSteps);
        for (int n = 0; n < names.Count; n++)
        {
            var rows = snapshots.SelectMany(t => t.Layers.Where(l => l.Name == names[n]).SelectMany(l => l.Rows)).Distinct().ToList();
            // The first stacked layer is the farthest from the loss: where a vanishing gradient shows most.
            foreach (string row in rows.Where(r => r.StartsWith("layer 1", StringComparison.Ordinal)).DefaultIfEmpty(rows[0]))
            {
                var series = new List<Series>();
                foreach (var t in snapshots)
                {
                    var layer = t.Layers.FirstOrDefault(l => l.Name == names[n]);
                    int r = layer?.Rows.IndexOf(row) ?? -1;
                    if (r < 0) continue;
                    float[] norms = layer!.Norms[r];
                    series.Add(new Series($"epoch {t.Epoch}", [.. Enumerable.Range(1, norms.Length).Select(i => (double)i)], [.. norms.Select(v => (double)v)]));
                }
                string id = $"gradients-time-{n + 1}" + (row.EndsWith("reverse", StringComparison.Ordinal) ? "-reverse" : "");
                string longest = string.Create(CultureInfo.InvariantCulture, $"{series.Max(s => s.X.Length)}");
                CurveSections.Lines(page, id, $"Gradient norm per time step: {names[n]}, {row}", "time step", "‖∂L/∂h_t‖ (log scale)", series, [],
                    $"{names[n]} ({row}), batches of up to {longest} steps; {Ratio(series)}", named: false, logY: true);
            }
        }
    }

    /// <summary>At most <see cref="MaxEpochLines"/> snapshots: the first, the last and evenly spaced ones between.</summary>
    private static List<TimeStepGradients> Pick(List<TimeStepGradients> all)
    {
        if (all.Count <= MaxEpochLines) return all;
        return [.. Enumerable.Range(0, MaxEpochLines).Select(i => i * (all.Count - 1) / (MaxEpochLines - 1)).Distinct().Select(i => all[i])];
    }

    /// <summary>How much the norm changes from the last step to the first, in the latest snapshot.</summary>
    private static string Ratio(List<Series> series)
    {
        var last = series[^1];
        double first = last.Y[0], end = last.Y[^1];
        if (!(first > 0) || !(end > 0) || last.Y.Length < 2) return "the norms include zeros or non-finite values";
        double ratio = first / end;
        return string.Create(CultureInfo.InvariantCulture, $"at {last.Name}, the gradient at step 1 is {ratio:G3} times the one at step {last.Y.Length}");
    }
}
