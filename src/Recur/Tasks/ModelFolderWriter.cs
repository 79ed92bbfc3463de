using System.Text;
using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Training;

namespace Recur.Tasks;

/// <summary>
/// Keeps a <see cref="ModelFolder"/> up to date during <see cref="Trainer.Fit{TBatch}"/>: model.json when training
/// starts (so the folder describes itself from the first moment), and after every epoch the last checkpoint,
/// history.csv and model.json's training record; after an improving epoch also the best checkpoint and
/// model.safetensors. Every file is replaced atomically.
/// </summary>
public sealed class ModelFolderWriter : ITrainerCallback
{
    private readonly ModelFolder _folder;
    private readonly TrainingHistory? _resumed;
    private Trainer? _trainer;
    private TrainingHistory _history = new();

    /// <summary>Writes <paramref name="manifest"/> (its training record updated as epochs finish) and the run's files into <paramref name="folder"/>.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="manifest">What the model is; its <see cref="ModelManifest.Training"/> must be set.</param>
    /// <param name="resumed">When resuming: the history so far (kept in the checkpoints and history.csv).</param>
    public ModelFolderWriter(ModelFolder folder, ModelManifest manifest, TrainingHistory? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Training is null) throw new ArgumentException("the manifest of a training run needs its training record", nameof(manifest));
        _folder = folder;
        Manifest = manifest;
        _resumed = resumed;
    }

    /// <summary>The folder written.</summary>
    public ModelFolder Folder => _folder;

    /// <summary>The manifest as last written.</summary>
    public ModelManifest Manifest { get; private set; }

    /// <summary>Called with each checkpoint before it is saved (e.g. to add a sampler's generator state).</summary>
    public Action<Checkpoint>? BeforeSave { get; init; }

    /// <inheritdoc />
    public void OnTrainBegin(Trainer trainer)
    {
        _trainer = trainer;
        _history = new TrainingHistory { BestEpoch = _resumed?.BestEpoch ?? 0 };
        foreach (var r in _resumed?.Epochs ?? []) _history.Add(r);
        Manifest = Manifest with { Training = Manifest.Training! with { Monitor = trainer.Monitor } };
        Manifest.Save(_folder.ManifestPath);
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest)
    {
        var trainer = _trainer ?? throw new InvalidOperationException("OnTrainBegin was not called");
        _history.Add(record);
        if (isBest) _history.BestEpoch = record.Epoch;
        var checkpoint = Checkpoint.Capture(Manifest.Kind.Name(), Manifest.Architecture.ToJsonString(), trainer.Model, trainer.Optimizer, trainer.Schedule, trainer.Plateau);
        checkpoint.Epoch = record.Epoch;
        checkpoint.History = _history;
        BeforeSave?.Invoke(checkpoint);
        checkpoint.Save(_folder.LastCheckpointPath);
        if (isBest)
        {
            checkpoint.Save(_folder.BestCheckpointPath);
            trainer.Model.SaveSafetensors(_folder.WeightsPath);
        }
        string csv = _history.ToCsv();
        AtomicFile.Write(_folder.HistoryPath, s => s.Write(new UTF8Encoding(false).GetBytes(csv)));
        var best = _history.Epochs.FirstOrDefault(e => e.Epoch == _history.BestEpoch);
        Save(Manifest.Training! with
        {
            Epochs = record.Epoch,
            BestEpoch = _history.BestEpoch,
            Best = best is null ? new Dictionary<string, double>() : new Dictionary<string, double>(best.Values),
            Seconds = record.Seconds,
        });
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingHistory history) => Save(Manifest.Training! with { StopReason = history.StopReason });

    private void Save(TrainingRecord training)
    {
        Manifest = Manifest with { Training = training, SavedUtc = DateTime.UtcNow };
        Manifest.Save(_folder.ManifestPath);
    }
}
