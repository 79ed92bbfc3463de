using Recur.IO.Checkpoints;
using Recur.Layers;
using Recur.Ops;
using Recur.Training;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tasks;

/// <summary>What one task's training step needs from the shared loop.</summary>
/// <typeparam name="TBatch">The task's batch.</typeparam>
/// <param name="Train">Training batches (shuffled each epoch).</param>
/// <param name="Valid">Validation batches.</param>
/// <param name="Step">Records one batch's forward and loss (see <see cref="Trainer.Fit{TBatch}"/>).</param>
/// <param name="Metrics">Metrics besides the loss.</param>
/// <param name="Monitor">The metric that picks the best epoch, e.g. <c>val_accuracy</c>.</param>
/// <param name="DefaultEpochs">Epochs when the settings give neither epochs nor minutes.</param>
/// <param name="OnEpochBegin">Runs before each training and validation pass (e.g. to reset carried state).</param>
public sealed record TaskLoop<TBatch>(IBatchSource<TBatch> Train, IBatchSource<TBatch> Valid, Func<Tape, TBatch, StepOutputs, Var> Step,
    IReadOnlyList<IMetric> Metrics, string Monitor, int DefaultEpochs, Action<bool>? OnEpochBegin = null);

/// <summary>
/// The training loop every task shares: Adam (AdamW with weight decay), gradient clipping, the learning rate halved on
/// a plateau, early stopping and keep-best on the task's monitored metric, the time budget, the model folder kept up
/// to date each epoch, and resuming from the folder's last checkpoint.
/// </summary>
public static class TaskFit
{
    /// <summary>A batch loss this many times the run's starting loss stops the run as diverged (and rolls back the epoch).</summary>
    public const double DivergenceFactor = 100;

    /// <summary>
    /// Trains <paramref name="model"/> and returns the history; the model ends with the best epoch's weights.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="settings">The loop's settings.</param>
    /// <param name="loop">The task's batches, step and metrics.</param>
    /// <param name="writer">Keeps the model folder up to date (added first among the callbacks).</param>
    /// <param name="callbacks">More callbacks (progress display).</param>
    /// <param name="resume">The checkpoint to continue from (model, optimizer, generators, epoch, history), or null.</param>
    /// <param name="cancel">Stops after the current batch; the epoch is still validated and saved.</param>
    public static TrainingHistory Run<TBatch>(Module model, TrainingSettings settings, TaskLoop<TBatch> loop, ModelFolderWriter writer,
        IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loop);
        Optimizer optimizer = settings.WeightDecay > 0
            ? new AdamW(model.Parameters, settings.LearningRate, weightDecay: settings.WeightDecay)
            : new Adam(model.Parameters, settings.LearningRate);
        string monitored = loop.Monitor.StartsWith("val_", StringComparison.Ordinal) ? loop.Monitor[4..] : loop.Monitor;
        bool higher = loop.Metrics.FirstOrDefault(m => m.Name == monitored)?.HigherIsBetter ?? false; // the loss: lower

        var plateau = settings.LrPatience > 0
            ? new ReduceOnPlateau(optimizer, higher ? PlateauMode.Max : PlateauMode.Min, factor: 0.5, patience: settings.LrPatience, minLearningRate: settings.LearningRate / 64)
            : null;
        resume?.Restore(model, optimizer, plateau: plateau);
        int done = resume?.Epoch ?? 0;
        int epochs = settings.Epochs ?? (settings.Minutes is null ? loop.DefaultEpochs : int.MaxValue);
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            InitialEpoch = done,
            Epochs = epochs,
            TimeBudget = settings.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            ClipNorm = settings.Clip > 0 ? settings.Clip : null,
            Monitor = loop.Monitor,
            Patience = settings.Patience > 0 ? settings.Patience : null,
            Seed = settings.Seed,
            DivergenceFactor = DivergenceFactor,
        });
        trainer.Plateau = plateau;
        trainer.Metrics.AddRange(loop.Metrics);
        trainer.Callbacks.Add(writer);
        // A resumed run continues the folder's gradient log (a log that cannot be read is started again, not fatal).
        var log = resume is not null && File.Exists(writer.Folder.GradientsPath) ? TryLoad(writer.Folder.GradientsPath) : null;
        trainer.Callbacks.Add(new GradientRecorder(writer.Folder.GradientsPath, log));
        trainer.Callbacks.AddRange(callbacks);
        return trainer.Fit(loop.Train, loop.Valid, loop.Step, loop.OnEpochBegin, cancel, resume?.History);
    }

    private static GradientLog? TryLoad(string path)
    {
        try { return GradientLog.Load(path); }
        catch (InvalidDataException) { return null; }
    }
}
