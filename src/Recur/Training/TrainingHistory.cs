using System.Globalization;
using System.Text;

namespace Recur.Training;

/// <summary>One epoch's results: training metrics, validation metrics (prefixed <c>val_</c>), learning rate, gradient norm, time.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Seconds">Wall-clock seconds since Fit started, at the end of the epoch.</param>
/// <param name="Values">Metric values by name (e.g. loss, accuracy, val_loss, val_accuracy, lr, grad_norm).</param>
public sealed record EpochRecord(int Epoch, double Seconds, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="name"/>, or NaN.</summary>
    public double this[string name] => Values.TryGetValue(name, out var v) ? v : double.NaN;
}

/// <summary>Every epoch of a training run, as data and as CSV.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochRecord> _epochs = [];

    /// <summary>The epochs so far.</summary>
    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>Why training stopped (epochs done, early stopping, time budget, cancelled, non-finite values).</summary>
    public string StopReason { get; internal set; } = "";

    /// <summary>The epoch whose weights were kept (the best monitored value), or 0.</summary>
    public int BestEpoch { get; internal set; }

    internal void Add(EpochRecord r) => _epochs.Add(r);

    /// <summary>Column names: epoch, seconds, then every metric in first-seen order.</summary>
    public IReadOnlyList<string> Columns =>
        ["epoch", "seconds", .. _epochs.SelectMany(e => e.Values.Keys).Distinct()];

    /// <summary>
    /// The history as CSV, one row per epoch (invariant culture). Metric values are written to round-trip precision
    /// (the shortest text that parses back to the same double), non-finite ones as <c>nan</c>, <c>inf</c>, <c>-inf</c>
    /// (what Keras' CSVLogger writes and Python's <c>float()</c> and pandas read); a value an epoch lacks is an empty
    /// cell. <c>seconds</c> is wall-clock time, written to 0.01 s.
    /// </summary>
    public string ToCsv()
    {
        var cols = Columns;
        var sb = new StringBuilder(string.Join(",", cols)).Append('\n');
        foreach (var e in _epochs)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',').Append(e.Seconds.ToString("F2", CultureInfo.InvariantCulture));
            foreach (var c in cols.Skip(2))
                sb.Append(',').Append(e.Values.TryGetValue(c, out var v) ? FormatValue(v) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>One CSV cell: <c>nan</c>, <c>inf</c>, <c>-inf</c>, or the round-trip ("R") text of a finite value.</summary>
    private static string FormatValue(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/>.</summary>
    public void SaveCsv(string path) => File.WriteAllText(path, ToCsv());
}
