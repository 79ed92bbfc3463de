using System.Diagnostics;
using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Training;

/// <summary>
/// Fits a model: epochs of (forward on a tape, loss, backward, clipping, optimizer step) over shuffled batches, a
/// validation pass per epoch, metrics, learning-rate schedules, early stopping with keep-best, and a guard that stops
/// on a non-finite loss, gradient or weight, rolls the model and optimizer back to the start of that epoch and names
/// what went bad.
/// <para>The model-specific part is the step function: it records the forward of one batch on the tape, fills
/// <see cref="StepOutputs"/> for the metrics, and returns the loss. The same function serves validation (the model is
/// then in evaluation mode and nothing is differentiated). With the same seed and thread count, two runs produce
/// bit-identical histories.</para>
/// </summary>
public sealed class Trainer
{
    private Parameter[] _params = []; // the model's, read at the start of each Fit (weights may be tied in between)
    private readonly Dictionary<Parameter, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Tape _tape = new();

    /// <summary>Creates a trainer for <paramref name="model"/> updated by <paramref name="optimizer"/>.</summary>
    public Trainer(Module model, Optimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
        Options = options ?? new TrainerOptions();
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Metrics computed on training and validation batches (the mean loss is always recorded).</summary>
    public List<IMetric> Metrics { get; } = [];

    /// <summary>Callbacks (progress display, checkpoints).</summary>
    public List<ITrainerCallback> Callbacks { get; } = [];

    /// <summary>A schedule stepped once per epoch (or per batch with <see cref="StepScheduleEveryBatch"/>).</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Step <see cref="Schedule"/> after every batch instead of every epoch (warm-up, cosine per step).</summary>
    public bool StepScheduleEveryBatch { get; set; }

    /// <summary>A plateau schedule stepped with the monitored value after each epoch; an epoch whose value is NaN counts
    /// as one without improvement, as in PyTorch.</summary>
    public ReduceOnPlateau? Plateau { get; set; }

    /// <summary>The history of the run in progress (or the last run); callbacks may read it, e.g. to write it out each epoch.</summary>
    public TrainingHistory History { get; private set; } = new();

    /// <summary>
    /// The history column that marks an epoch cut short (by the time budget, cancellation or a stop request) before the
    /// end of its data: 1 on such an epoch, absent (an empty CSV cell) on full ones.
    /// </summary>
    public const string PartialColumn = "partial";

    /// <summary>The metric watched for early stopping and keep-best, resolved at the start of Fit.</summary>
    public string Monitor { get; private set; } = "loss";

    private string? _stopRequest;

    /// <summary>
    /// Asks the running Fit to stop (Keras' <c>model.stop_training = True</c>), typically from a callback: called during a
    /// batch, the epoch ends after that batch, still validated, recorded and passed to <c>OnEpochEnd</c>; called from
    /// <c>OnEpochEnd</c>, no further epoch starts. <paramref name="reason"/> becomes <see cref="TrainingHistory.StopReason"/>.
    /// Keep-best still applies. A request is cleared when the next Fit starts.
    /// </summary>
    public void RequestStop(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _stopRequest = reason;
    }

    /// <summary>
    /// Trains for up to <see cref="TrainerOptions.Epochs"/> epochs. <paramref name="step"/> records one batch and returns
    /// its loss; <paramref name="onEpochBegin"/> runs before each training and validation pass (e.g. to reset carried
    /// state; its argument is true for training). Returns the history; cancellation stops after the current batch.
    /// <para>Resuming: restore the model, optimizer, schedules and dropout generators from a checkpoint, set
    /// <see cref="TrainerOptions.InitialEpoch"/> to the checkpoint's epoch and pass its history as
    /// <paramref name="resume"/>; the returned history continues it, and early stopping and keep-best carry on from its
    /// best epoch (keep-best restores only weights seen in this Fit).</para>
    /// <para>The non-finite guard judges the loss, the trainable parameters' gradients (their global norm) and, after
    /// each update, the trainable weights. On a failure it stops, puts back the weights, the optimizer's state (moments,
    /// step counts, learning rates) and, with <see cref="StepScheduleEveryBatch"/>, the schedule's state from the start
    /// of the failing epoch, so that nothing of the broken epoch remains and a later Fit resuming from the epoch before
    /// continues cleanly. Then, as at any stop, <see cref="TrainerOptions.RestoreBest"/> puts back the best epoch's
    /// weights if this Fit saw one (the optimizer state stays at the start of the failing epoch: keep-best restores
    /// weights only, as in Keras). <see cref="TrainingHistory.StopReason"/> names the loss or parameter that went bad
    /// and which weights the model ends with. The dropout generators are not rolled back.</para>
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="resume"/> does not end at <see cref="TrainerOptions.InitialEpoch"/>.</exception>
    public TrainingHistory Fit<TBatch>(IBatchSource<TBatch> train, IBatchSource<TBatch>? validation,
        Func<Tape, TBatch, StepOutputs, Var> step, Action<bool>? onEpochBegin = null, CancellationToken cancel = default,
        TrainingHistory? resume = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(step);
        CheckOptions(resume);
        ReadParameters();
        var metrics = new List<IMetric> { new MeanLoss() };
        metrics.AddRange(Metrics.Where(m => m.Name != "loss"));
        bool higher = ResolveMonitor(metrics, validation is not null);
        _stopRequest = null;
        var run = new FitRun(metrics, higher, resume, Monitor, Options.InitialEpoch);
        History = run.History;
        foreach (var c in Callbacks) c.OnTrainBegin(this);

        for (int epoch = Options.InitialEpoch + 1; epoch <= Options.Epochs; epoch++)
        {
            var outcome = TrainEpoch(run, epoch, train, step, onEpochBegin, cancel);
            if (outcome.Failure is not null)
            {
                // Nothing of the broken epoch remains: the weights, the optimizer and a per-batch schedule go back to its start.
                Restore(run.Good!);
                run.GoodOptimizer.Restore(Optimizer, StepScheduleEveryBatch ? Schedule : null);
                (run.Failure, run.FailedEpoch) = (outcome.Failure, epoch);
                break;
            }
            var record = RecordEpoch(run, epoch, outcome, validation, step, onEpochBegin);
            if (JudgeEpoch(run, record, outcome.OutOfTime, cancel) is { } reason)
            {
                run.History.StopReason = reason;
                break;
            }
        }
        return Finish(run);
    }

    /// <summary>The state of one Fit. Local to it: a snapshot left by an earlier Fit on this trainer must never be restored here.</summary>
    private sealed class FitRun
    {
        public FitRun(List<IMetric> metrics, bool higher, TrainingHistory? resume, string monitor, int initialEpoch)
        {
            Metrics = metrics;
            Higher = higher;
            if (resume is null) return;
            foreach (var r in resume.Epochs) History.Add(r);
            SecondsBefore = resume.Epochs.Count > 0 ? resume.Epochs[^1].Seconds : 0;
            if (resume.Epochs.FirstOrDefault(r => r.Epoch == resume.BestEpoch) is { } bestRecord)
            {
                Best = bestRecord[monitor];
                SinceBest = initialEpoch - resume.BestEpoch; // the epochs after the best did not improve on it
                History.BestEpoch = resume.BestEpoch;
            }
        }

        public readonly List<IMetric> Metrics;
        public readonly bool Higher;
        public readonly TrainingHistory History = new();
        public readonly double SecondsBefore;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public readonly StepOutputs Outputs = new();
        public readonly OptimizerSnapshot GoodOptimizer = new();
        public float[][]? Good, BestWeights;
        public double Best = double.NaN;
        public TimeSpan LastValidation;          // how long the previous validation took (the budget keeps room for it)
        public double StartLoss = double.NaN;    // the loss of the run's first batch, before any update
        public int SinceBest, FailedEpoch;
        public string? Failure;
    }

    /// <summary>How an epoch's training pass ended; <paramref name="Partial"/> when it stopped before the data did.</summary>
    private readonly record struct EpochOutcome(double Items, double GradientNorm, TimeSpan Elapsed, bool OutOfTime, string? Failure, bool Partial = false);

    private void CheckOptions(TrainingHistory? resume)
    {
        if (Options.InitialEpoch < 0)
            throw new ArgumentOutOfRangeException(nameof(Options), $"InitialEpoch must be >= 0, got {Options.InitialEpoch}");
        if (Options.Patience < 0)
            throw new ArgumentOutOfRangeException(nameof(Options), $"Patience must be >= 0 or null, got {Options.Patience}");
        int resumedThrough = resume is { Epochs.Count: > 0 } ? resume.Epochs[^1].Epoch : 0;
        if (resume is not null && resumedThrough != Options.InitialEpoch)
            throw new ArgumentException($"the history to resume ends at epoch {resumedThrough} but InitialEpoch is {Options.InitialEpoch}", nameof(resume));
    }

    // Sets Monitor and returns whether higher is better. A misspelt or unavailable name would read NaN every epoch: never
    // an improvement, so early stopping and the plateau schedule would act on nothing. Refuse it, naming what can be.
    private bool ResolveMonitor(List<IMetric> metrics, bool hasValidation)
    {
        Monitor = Options.Monitor ?? (hasValidation ? "val_loss" : "loss");
        string baseName = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        var monitorable = metrics.Select(m => m.Name).Concat(hasValidation ? metrics.Select(m => "val_" + m.Name) : [])
            .Concat(["lr", "grad_norm", "items_per_second"]).ToList();
        if (!monitorable.Contains(Monitor))
            throw new ArgumentException($"Monitor '{Monitor}' is not recorded by this Fit; it can be one of {string.Join(", ", monitorable)}"
                + (!hasValidation && baseName != Monitor ? " (val_ names need a validation source)" : ""), nameof(Options));
        return Options.MonitorHigherIsBetter ?? metrics.FirstOrDefault(m => m.Name == baseName)?.HigherIsBetter ?? false;
    }

    // The training pass of one epoch: batches in the epoch's shuffled order until the data, the budget, a stop request or
    // a guard failure ends it.
    private EpochOutcome TrainEpoch<TBatch>(FitRun run, int epoch, IBatchSource<TBatch> train, Func<Tape, TBatch, StepOutputs, Var> step,
        Action<bool>? onEpochBegin, CancellationToken cancel)
    {
        foreach (var c in Callbacks) c.OnEpochBegin(epoch);
        Snapshot(ref run.Good);
        run.GoodOptimizer.Capture(Optimizer, StepScheduleEveryBatch ? Schedule : null);
        Model.Training = true;
        onEpochBegin?.Invoke(true);
        foreach (var m in run.Metrics) m.Reset();
        var rng = new Rng(Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);
        var clock = Stopwatch.StartNew();
        double items = 0, gradNorm = double.NaN;
        int batchIndex = 0;
        foreach (var batch in train.Batches(rng))
        {
            batchIndex++;
            if (TrainBatch(run, epoch, batchIndex, batch, step, ref gradNorm) is { } failure)
                return new EpochOutcome(items, gradNorm, clock.Elapsed, false, failure);
            foreach (var m in run.Metrics) m.Update(run.Outputs);
            items += run.Outputs.Count;
            var progress = new BatchProgress(epoch, batchIndex, train.Count, run.Outputs.Loss, gradNorm, items / Math.Max(1e-9, clock.Elapsed.TotalSeconds), clock.Elapsed);
            foreach (var c in Callbacks) c.OnBatchEnd(progress);
            bool more = batchIndex < train.Count || train.Count < 0;
            if (cancel.IsCancellationRequested || _stopRequest is not null) return new EpochOutcome(items, gradNorm, clock.Elapsed, false, null, more);
            if (Options.TimeBudget is { } budget && run.Clock.Elapsed + run.LastValidation > budget) return new EpochOutcome(items, gradNorm, clock.Elapsed, true, null, more);
        }
        return new EpochOutcome(items, gradNorm, clock.Elapsed, false, null);
    }

    // One batch: forward, backward, clipping, update, each followed by its guard. Returns what went non-finite, or null.
    private string? TrainBatch<TBatch>(FitRun run, int epoch, int batchIndex, TBatch batch, Func<Tape, TBatch, StepOutputs, Var> step, ref double gradNorm)
    {
        var outputs = run.Outputs;
        _tape.Reset();
        Optimizer.ZeroGrad();
        outputs.Clear();
        var l = step(_tape, batch, outputs);
        outputs.Loss = l.Value[0];
        if (!double.IsFinite(outputs.Loss)) return $"the loss became {outputs.Loss} at epoch {epoch}, batch {batchIndex}";
        if (Diverged(run, outputs.Loss) is { } start)
            return $"training diverged: the loss rose to {outputs.Loss:G4} at epoch {epoch}, batch {batchIndex}, more than {Options.DivergenceFactor:G3}x its starting {start:G4} (try a lower learning rate)";
        _tape.Backward(l);
        gradNorm = Options.ClipNorm is { } maxNorm ? GradientClipping.ClipByGlobalNorm(Optimizer.Parameters, maxNorm) : GradientClipping.GlobalNorm(Optimizer.Parameters);
        // GlobalNorm covers the trainable parameters only: a frozen one's gradient is never used, so it cannot break training.
        if (!double.IsFinite(gradNorm)) return $"the gradient of {FirstNonFinite(p => p.Grad)} became non-finite at epoch {epoch}, batch {batchIndex} (loss {outputs.Loss:G4})";
        if (Options.ClipValue is { } clipValue) GradientClipping.ClipByValue(Optimizer.Parameters, clipValue);
        Optimizer.Step();
        if (!AllFinite(p => p.Value)) return $"the weights of {FirstNonFinite(p => p.Value)} became non-finite after the update at epoch {epoch}, batch {batchIndex}";
        if (StepScheduleEveryBatch) Schedule?.Step();
        return null;
    }

    // The run's starting loss when this batch's loss is beyond the divergence factor of it (floored at 1, so that a run
    // resumed near zero loss does not call one hard batch a divergence).
    private double? Diverged(FitRun run, double loss)
    {
        if (Options.DivergenceFactor is not { } factor) return null;
        if (double.IsNaN(run.StartLoss)) { run.StartLoss = loss; return null; }
        return loss > factor * Math.Max(run.StartLoss, 1) ? run.StartLoss : null;
    }

    // The epoch's row of the history: the training metrics, rate, gradient norm, throughput, and the validation metrics.
    private EpochRecord RecordEpoch<TBatch>(FitRun run, int epoch, EpochOutcome outcome, IBatchSource<TBatch>? validation,
        Func<Tape, TBatch, StepOutputs, Var> step, Action<bool>? onEpochBegin)
    {
        var values = new Dictionary<string, double>();
        foreach (var m in run.Metrics) values[m.Name] = m.Value;
        values["lr"] = Optimizer.LearningRate;
        values["grad_norm"] = outcome.GradientNorm;
        values["items_per_second"] = outcome.Items / Math.Max(1e-9, outcome.Elapsed.TotalSeconds);
        if (outcome.Partial) values[PartialColumn] = 1; // cut short by the budget or a stop: not a full pass over the data
        if (validation is not null)
        {
            var started = run.Clock.Elapsed;
            foreach (var (k, v) in Evaluate(validation, step, onEpochBegin)) values["val_" + k] = v;
            run.LastValidation = run.Clock.Elapsed - started;
        }
        var record = new EpochRecord(epoch, run.SecondsBefore + run.Clock.Elapsed.TotalSeconds, values);
        run.History.Add(record);
        return record;
    }

    // Keep-best, the schedules and the callbacks after an epoch; returns why training stops now, or null to go on.
    private string? JudgeEpoch(FitRun run, EpochRecord record, bool outOfTime, CancellationToken cancel)
    {
        double current = record[Monitor];
        bool improved = double.IsFinite(current) && (double.IsNaN(run.Best) || (run.Higher ? current > run.Best + Options.MinDelta : current < run.Best - Options.MinDelta));
        if (improved)
        {
            run.Best = current;
            run.SinceBest = 0;
            run.History.BestEpoch = record.Epoch;
            if (Options.RestoreBest) Snapshot(ref run.BestWeights);
        }
        else run.SinceBest++;
        if (!StepScheduleEveryBatch) Schedule?.Step();
        // As PyTorch's ReduceLROnPlateau, a NaN (or a missing monitored value) is a bad epoch: its comparison fails.
        Plateau?.Step(current);
        foreach (var c in Callbacks) c.OnEpochEnd(record, improved);

        if (cancel.IsCancellationRequested) return "cancelled";
        if (_stopRequest is not null) return _stopRequest;
        if (outOfTime) return "time budget reached";
        // Keras' EarlyStopping and Lightning: stop once `patience` epochs in a row have not improved (patience 0: at the first).
        if (Options.Patience is { } patience && !improved && run.SinceBest >= patience)
        {
            string bestText = run.History.BestEpoch > 0 ? $"best {run.Best:G5} at epoch {run.History.BestEpoch}" : "no finite value yet";
            return $"early stopping: {Monitor} did not improve for {run.SinceBest} epoch{(run.SinceBest == 1 ? "" : "s")} ({bestText})";
        }
        return null;
    }

    // Keep-best's restore, the stop reason of a failure or a completed run, and the end callbacks.
    private TrainingHistory Finish(FitRun run)
    {
        var history = run.History;
        bool restoredBest = Options.RestoreBest && run.BestWeights is not null; // taken at this Fit's best epoch
        if (restoredBest) Restore(run.BestWeights!);
        if (run.Failure is not null)
            history.StopReason = restoredBest
                ? $"stopped: {run.Failure}; the weights of the best epoch, {history.BestEpoch}, were restored"
                : $"stopped: {run.Failure}; the weights from the start of epoch {run.FailedEpoch}, the last good ones, were restored";
        else if (history.StopReason.Length == 0) history.StopReason = $"completed {history.Epochs.Count} epoch{(history.Epochs.Count == 1 ? "" : "s")}";
        Model.Training = true;
        foreach (var c in Callbacks) c.OnTrainEnd(history);
        return history;
    }

    /// <summary>Runs <paramref name="step"/> over <paramref name="data"/> in evaluation mode and returns every metric's value.</summary>
    public Dictionary<string, double> Evaluate<TBatch>(IBatchSource<TBatch> data, Func<Tape, TBatch, StepOutputs, Var> step, Action<bool>? onEpochBegin = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(step);
        var metrics = new List<IMetric> { new MeanLoss() };
        metrics.AddRange(Metrics.Where(m => m.Name != "loss"));
        bool training = Model.Training;
        Model.Training = false;
        onEpochBegin?.Invoke(false);
        var outputs = new StepOutputs();
        foreach (var m in metrics) m.Reset(); // the user's metric objects also served the training epoch
        try
        {
            foreach (var batch in data.Batches(new Rng(0)))
            {
                _tape.Reset();
                outputs.Clear();
                outputs.Loss = step(_tape, batch, outputs).Value[0];
                foreach (var m in metrics) m.Update(outputs);
            }
        }
        finally
        {
            Model.Training = training;
        }
        return metrics.ToDictionary(m => m.Name, m => m.Value);
    }

    // The model's parameters and their names, and a check that the optimizer updates only those: one holding a
    // parameter the model no longer has (a weight tied after the optimizer was made) would train a detached copy.
    private void ReadParameters()
    {
        _names.Clear();
        foreach (var (name, p) in Model.NamedParameters()) _names.Add(p, name);
        _params = [.. _names.Keys];
        foreach (var p in Optimizer.Parameters)
            if (!_names.ContainsKey(p))
                throw new InvalidOperationException(
                    $"the optimizer holds a parameter '{p.Name}' {Shape.Format(p.Value.Shape)} that is not one of the model's (was a weight tied after the optimizer was created?)");
    }

    private void Snapshot(ref float[][]? store)
    {
        store ??= _params.Select(p => new float[p.Count]).ToArray();
        for (int i = 0; i < _params.Length; i++) _params[i].Value.Span.CopyTo(store[i]);
    }

    private void Restore(float[][] store)
    {
        for (int i = 0; i < _params.Length; i++) store[i].CopyTo(_params[i].Value.Span);
    }

    // Only what the optimizer trains is judged: frozen parameters and ones outside the optimizer are never updated.
    private bool AllFinite(Func<Parameter, Tensor> select)
    {
        var ps = Optimizer.Parameters;
        for (int i = 0; i < ps.Count; i++)
            if (ps[i].RequiresGrad && !float.IsFinite(TensorPrimitives.Sum(select(ps[i]).Span))) return false;
        return true;
    }

    private string FirstNonFinite(Func<Parameter, Tensor> select)
    {
        foreach (var p in Optimizer.Parameters)
        {
            if (!p.RequiresGrad) continue;
            foreach (float v in select(p).Span)
                if (!float.IsFinite(v)) return _names[p]; // ReadParameters made sure the model names every optimizer parameter
        }
        return "(unknown parameter)";
    }
}
