namespace Recur.Training;

/// <summary>Progress of the batch just finished.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch (-1 if unknown).</param>
/// <param name="Loss">This batch's loss.</param>
/// <param name="GradientNorm">Global gradient norm before clipping.</param>
/// <param name="ItemsPerSecond">Throughput over the epoch so far (tokens, steps or sequences per second).</param>
/// <param name="Elapsed">Time since the epoch started.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double GradientNorm, double ItemsPerSecond, TimeSpan Elapsed);

/// <summary>Hooks into <see cref="Trainer"/>.Fit (progress display, checkpoints, custom logging). All methods are optional.</summary>
public interface ITrainerCallback
{
    /// <summary>Before the first epoch.</summary>
    void OnTrainBegin(Trainer trainer) { }

    /// <summary>At the start of each epoch.</summary>
    void OnEpochBegin(int epoch) { }

    /// <summary>After each training batch.</summary>
    void OnBatchEnd(in BatchProgress progress) { }

    /// <summary>After each epoch's validation; <paramref name="isBest"/> when the monitored value improved.</summary>
    void OnEpochEnd(EpochRecord record, bool isBest) { }

    /// <summary>After training stops (weights already restored to the best epoch when asked).</summary>
    void OnTrainEnd(TrainingHistory history) { }
}
