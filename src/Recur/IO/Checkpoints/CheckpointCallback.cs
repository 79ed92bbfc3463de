using Recur.Training;

namespace Recur.IO.Checkpoints;

/// <summary>
/// Saves a resumable <see cref="Checkpoint"/> after every epoch of <see cref="Trainer.Fit{TBatch}"/>: the model,
/// optimizer, schedules, generators, epoch and history, to <see cref="LastPath"/> each epoch and also to
/// <see cref="BestPath"/> when the monitored value improved. Saves are atomic, so a crash keeps the previous file.
/// </summary>
/// <param name="kind">The model's checkpoint kind (e.g. <c>charlm</c>).</param>
/// <param name="config">The model's architecture JSON.</param>
/// <param name="lastPath">Rewritten after every epoch.</param>
/// <param name="bestPath">Rewritten after every improving epoch; null = not kept.</param>
public sealed class CheckpointCallback(string kind, string config, string lastPath, string? bestPath = null) : ITrainerCallback
{
    private Trainer? _trainer;
    private TrainingHistory _history = new();

    /// <summary>The file rewritten after every epoch.</summary>
    public string LastPath { get; } = lastPath ?? throw new ArgumentNullException(nameof(lastPath));

    /// <summary>The file rewritten after every improving epoch, or null.</summary>
    public string? BestPath { get; } = bestPath;

    /// <summary>Data-side strings copied into every checkpoint (vocabulary, tokenizer, scaler JSON).</summary>
    public Dictionary<string, string> Data { get; } = new(StringComparer.Ordinal);

    /// <summary>When resuming: the history the run continues (the checkpoints then hold it and the new epochs).</summary>
    public TrainingHistory? Resume { get; init; }

    /// <summary>Called with each checkpoint before it is saved (e.g. to add the caller's generators or info).</summary>
    public Action<Checkpoint>? BeforeSave { get; init; }

    /// <inheritdoc />
    public void OnTrainBegin(Trainer trainer)
    {
        _trainer = trainer;
        _history = new TrainingHistory { BestEpoch = Resume?.BestEpoch ?? 0 };
        foreach (var r in Resume?.Epochs ?? []) _history.Add(r);
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest)
    {
        var trainer = _trainer ?? throw new InvalidOperationException("OnTrainBegin was not called");
        _history.Add(record);
        if (isBest) _history.BestEpoch = record.Epoch;
        var checkpoint = Checkpoint.Capture(kind, config, trainer.Model, trainer.Optimizer, trainer.Schedule, trainer.Plateau);
        checkpoint.Epoch = record.Epoch;
        checkpoint.History = _history;
        foreach (var (k, v) in Data) checkpoint.Data[k] = v;
        BeforeSave?.Invoke(checkpoint);
        checkpoint.Save(LastPath);
        if (isBest && BestPath is not null) checkpoint.Save(BestPath);
    }
}
