using System.Globalization;

namespace Recur.Training;

/// <summary>
/// Training progress as plain lines on a writer the caller chooses (the library itself never writes to the console):
/// one line every <see cref="Interval"/> during an epoch (batch, loss, gradient norm, throughput) and one per finished
/// epoch with its metrics.
/// </summary>
/// <param name="output">Where the lines go, e.g. <c>Console.Out</c>.</param>
/// <param name="itemName">What the throughput counts (tokens, chars, sentences).</param>
public sealed class TextProgress(TextWriter output, string itemName = "items") : ITrainerCallback
{
    private DateTime _last;

    /// <summary>How often a line is written during an epoch.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public void OnEpochBegin(int epoch) => _last = DateTime.UtcNow;

    /// <inheritdoc />
    public void OnBatchEnd(in BatchProgress p)
    {
        if (DateTime.UtcNow - _last < Interval) return;
        _last = DateTime.UtcNow;
        output.WriteLine("  " + BatchLine(p, itemName) + $"  {p.Elapsed:mm\\:ss}");
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest) => output.WriteLine(EpochLine(record, isBest));

    /// <summary>"epoch 3 batch 40/75  loss 0.4123  |g| 1.02  8,123 tokens/s".</summary>
    public static string BatchLine(in BatchProgress p, string itemName) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch} batch {p.Batch}{(p.Batches > 0 ? "/" + p.Batches : "")}  loss {p.Loss:F4}  |g| {p.GradientNorm:F2}  {p.ItemsPerSecond:N0} {itemName}/s");

    /// <summary>"epoch 3: loss 0.41, accuracy 0.82, ..., val_accuracy 0.8 (best), 01:02" (learning rate and throughput left out).</summary>
    public static string EpochLine(EpochRecord record, bool isBest)
    {
        ArgumentNullException.ThrowIfNull(record);
        var parts = record.Values.Where(kv => kv.Key is not ("lr" or "items_per_second" or Trainer.PartialColumn) && double.IsFinite(kv.Value))
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G4}"));
        string partial = record.Values.ContainsKey(Trainer.PartialColumn) ? " (partial)" : "";
        return $"epoch {record.Epoch}{partial}: {string.Join(", ", parts)}{(isBest ? " (best)" : "")}, {TimeSpan.FromSeconds(record.Seconds):mm\\:ss}";
    }
}
