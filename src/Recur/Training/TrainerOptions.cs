namespace Recur.Training;

/// <summary>How <see cref="Trainer"/> runs: epochs, budget, clipping, early stopping, seed.</summary>
public sealed record TrainerOptions
{
    /// <summary>Maximum epochs, counting the <see cref="InitialEpoch"/> ones already done.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Epochs completed before this Fit (when resuming from a checkpoint): Fit runs epochs InitialEpoch+1 ..
    /// <see cref="Epochs"/>, each shuffled exactly as in an uninterrupted run. 0 = a fresh start.
    /// </summary>
    public int InitialEpoch { get; init; }

    /// <summary>
    /// Wall-clock budget of the whole Fit, validation included: an epoch's training stops after the batch that leaves
    /// less time than the previous validation took (or that exceeds the budget, before the first validation is timed),
    /// then it is validated once and training ends.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>
    /// Stop as diverged when a batch's loss exceeds this many times the run's starting loss (its first batch's, floored
    /// at 1), e.g. after a learning rate far too high: the weights and optimizer go back to the start of the epoch, as
    /// for a non-finite loss, and the stop reason says so. Null = off.
    /// </summary>
    public double? DivergenceFactor { get; init; }

    /// <summary>Clip the global gradient norm to this (the notes' fix for exploding gradients); null = off.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Clamp every gradient element to ±this; null = off.</summary>
    public float? ClipValue { get; init; }

    /// <summary>
    /// The metric watched for early stopping and keep-best (e.g. <c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c>).
    /// Default: val_loss when there is validation data, else loss.
    /// </summary>
    public string? Monitor { get; init; }

    /// <summary>Whether a larger monitored value is better; default: from the metric (accuracy, f1 yes; losses no).</summary>
    public bool? MonitorHigherIsBetter { get; init; }

    /// <summary>
    /// Stop once this many epochs in a row have not improved on the best (the notes' answer to overfitting), as Keras'
    /// <c>EarlyStopping(patience)</c>: with 3, a best at epoch 5 followed by no improvement stops after epoch 8; with 0,
    /// at the first epoch without improvement. Null = never.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; init; }

    /// <summary>At the end, put back the weights of the best epoch (in memory).</summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>Seed of the per-epoch shuffling generator.</summary>
    public ulong Seed { get; init; } = 1;
}
