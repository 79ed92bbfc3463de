using Recur.Cli.Inputs;
using Recur.Training;
using TrainingHistory = Recur.Cli.Inputs.TrainingHistory;

namespace Recur.Cli.Reports;

/// <summary>
/// The columns of a history.csv as chart series: the epoch and time axes, a metric's training and validation lines,
/// and which columns are metrics (not bookkeeping such as <c>lr</c> or <c>partial</c>).
/// </summary>
internal sealed class HistoryColumns(TrainingHistory history)
{
    /// <summary>Columns that are not metrics of the model.</summary>
    private static readonly string[] Bookkeeping = ["epoch", "seconds", "lr", "grad_norm", "items_per_second", Trainer.PartialColumn];

    /// <summary>The history.</summary>
    public TrainingHistory History { get; } = history;

    /// <summary>Epoch numbers (row numbers when the column is missing).</summary>
    public double[] Epochs => Column("epoch") ?? [.. Enumerable.Range(1, History.Rows.Count).Select(i => (double)i)];

    /// <summary>Wall-clock seconds at the end of each epoch, or null when not recorded.</summary>
    public double[]? Seconds => Column("seconds");

    /// <summary>The values of <paramref name="name"/>, or null when there is no such column.</summary>
    public double[]? Column(string name)
    {
        int c = History.IndexOf(name);
        return c < 0 ? null : [.. Enumerable.Range(0, History.Rows.Count).Select(r => History.Value(r, c))];
    }

    /// <summary>Whether the column exists.</summary>
    public bool Has(string name) => History.IndexOf(name) >= 0;

    /// <summary>
    /// The metrics (without <c>val_</c>, or the <c>train_</c> of histories of an earlier Recur) that have a training or
    /// validation column, in the file's order.
    /// </summary>
    public IReadOnlyList<string> Metrics => [.. History.Columns.Where(c => !Bookkeeping.Contains(c))
        .Select(c => c.StartsWith("val_", StringComparison.Ordinal) ? c[4..] : c.StartsWith("train_", StringComparison.Ordinal) ? c[6..] : c).Distinct()];

    /// <summary>The training and validation lines of <paramref name="metric"/> against <paramref name="x"/> (those present).</summary>
    public IReadOnlyList<Series> TrainAndValid(string metric, double[] x)
    {
        var series = new List<Series>();
        if ((Column(metric) ?? Column("train_" + metric)) is { } train) series.Add(new Series($"training {metric}", x, train));
        if (Column("val_" + metric) is { } valid) series.Add(new Series($"validation {metric}", x, valid));
        return series;
    }
}
