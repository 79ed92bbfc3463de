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
        if (Options.InitialEpoch < 0)
            throw new ArgumentOutOfRangeException(nameof(Options), $"InitialEpoch must be >= 0, got {Options.InitialEpoch}");
        if (Options.Patience < 0)
            throw new ArgumentOutOfRangeException(nameof(Options), $"Patience must be >= 0 or null, got {Options.Patience}");
        int resumedThrough = resume is { Epochs.Count: > 0 } ? resume.Epochs[^1].Epoch : 0;
        if (resume is not null && resumedThrough != Options.InitialEpoch)
            throw new ArgumentException($"the history to resume ends at epoch {resumedThrough} but InitialEpoch is {Options.InitialEpoch}", nameof(resume));
        ReadParameters();
        var history = History = new TrainingHistory();
        var loss = new MeanLoss();
        var metrics = new List<IMetric> { loss };
        metrics.AddRange(Metrics.Where(m => m.Name != "loss"));
        Monitor = Options.Monitor ?? (validation is null ? "loss" : "val_loss");
        string baseName = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        // A misspelt or unavailable name would read NaN every epoch: never an improvement, so early stopping and the
        // plateau schedule would act on nothing. Refuse it up front, naming what can be monitored.
        var monitorable = metrics.Select(m => m.Name).Concat(validation is null ? [] : metrics.Select(m => "val_" + m.Name))
            .Concat(["lr", "grad_norm", "items_per_second"]).ToList();
        if (!monitorable.Contains(Monitor))
            throw new ArgumentException($"Monitor '{Monitor}' is not recorded by this Fit; it can be one of {string.Join(", ", monitorable)}"
                + (validation is null && baseName != Monitor ? " (val_ names need a validation source)" : ""), nameof(Options));
        _stopRequest = null;
        bool higher = Options.MonitorHigherIsBetter ?? metrics.FirstOrDefault(m => m.Name == baseName)?.HigherIsBetter ?? false;
        double best = double.NaN;
        int sinceBest = 0;
        double secondsBefore = 0;
        if (resume is not null)
        {
            foreach (var r in resume.Epochs) history.Add(r);
            secondsBefore = resume.Epochs.Count > 0 ? resume.Epochs[^1].Seconds : 0;
            if (resume.Epochs.FirstOrDefault(r => r.Epoch == resume.BestEpoch) is { } bestRecord)
            {
                best = bestRecord[Monitor];
                sinceBest = Options.InitialEpoch - resume.BestEpoch; // the epochs after the best did not improve on it
                history.BestEpoch = resume.BestEpoch;
            }
        }
        // Local to this Fit: a snapshot left by an earlier Fit on this trainer must never be restored here.
        float[][]? good = null, bestWeights = null;
        var goodOptimizer = new OptimizerSnapshot();
        string? failure = null;
        int failedEpoch = 0;
        var clock = Stopwatch.StartNew();
        var outputs = new StepOutputs();
        foreach (var c in Callbacks) c.OnTrainBegin(this);

        for (int epoch = Options.InitialEpoch + 1; epoch <= Options.Epochs; epoch++)
        {
            foreach (var c in Callbacks) c.OnEpochBegin(epoch);
            Snapshot(ref good);
            goodOptimizer.Capture(Optimizer, StepScheduleEveryBatch ? Schedule : null);
            Model.Training = true;
            onEpochBegin?.Invoke(true);
            foreach (var m in metrics) m.Reset();
            var rng = new Rng(Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);
            var epochClock = Stopwatch.StartNew();
            double items = 0, gradNorm = double.NaN;
            int batchIndex = 0;
            bool outOfTime = false;
            foreach (var batch in train.Batches(rng))
            {
                batchIndex++;
                _tape.Reset();
                Optimizer.ZeroGrad();
                outputs.Clear();
                var l = step(_tape, batch, outputs);
                outputs.Loss = l.Value[0];
                if (!double.IsFinite(outputs.Loss)) { failure = $"the loss became {outputs.Loss} at epoch {epoch}, batch {batchIndex}"; break; }
                _tape.Backward(l);
                gradNorm = Options.ClipNorm is { } maxNorm ? GradientClipping.ClipByGlobalNorm(Optimizer.Parameters, maxNorm) : GradientClipping.GlobalNorm(Optimizer.Parameters);
                // GlobalNorm covers the trainable parameters only: a frozen one's gradient is never used, so it cannot break training.
                if (!double.IsFinite(gradNorm)) { failure = $"the gradient of {FirstNonFinite(p => p.Grad)} became non-finite at epoch {epoch}, batch {batchIndex} (loss {outputs.Loss:G4})"; break; }
                if (Options.ClipValue is { } clipValue) GradientClipping.ClipByValue(Optimizer.Parameters, clipValue);
                Optimizer.Step();
                if (!AllFinite(p => p.Value)) { failure = $"the weights of {FirstNonFinite(p => p.Value)} became non-finite after the update at epoch {epoch}, batch {batchIndex}"; break; }
                if (StepScheduleEveryBatch) Schedule?.Step();
                foreach (var m in metrics) m.Update(outputs);
                items += outputs.Count;
                var progress = new BatchProgress(epoch, batchIndex, train.Count, outputs.Loss, gradNorm, items / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds), epochClock.Elapsed);
                foreach (var c in Callbacks) c.OnBatchEnd(progress);
                if (cancel.IsCancellationRequested || _stopRequest is not null) break;
                if (Options.TimeBudget is { } budget && clock.Elapsed > budget) { outOfTime = true; break; }
            }
            if (failure is not null)
            {
                Restore(good!);
                goodOptimizer.Restore(Optimizer, StepScheduleEveryBatch ? Schedule : null);
                failedEpoch = epoch;
                break;
            }

            var values = new Dictionary<string, double>();
            foreach (var m in metrics) values[m.Name] = m.Value;
            values["lr"] = Optimizer.LearningRate;
            values["grad_norm"] = gradNorm;
            values["items_per_second"] = items / Math.Max(1e-9, epochClock.Elapsed.TotalSeconds);
            if (validation is not null)
                foreach (var (k, v) in Evaluate(validation, step, onEpochBegin)) values["val_" + k] = v;
            var record = new EpochRecord(epoch, secondsBefore + clock.Elapsed.TotalSeconds, values);
            history.Add(record);

            double current = record[Monitor];
            bool improved = double.IsFinite(current) && (double.IsNaN(best) || (higher ? current > best + Options.MinDelta : current < best - Options.MinDelta));
            if (improved)
            {
                best = current;
                sinceBest = 0;
                history.BestEpoch = epoch;
                if (Options.RestoreBest) Snapshot(ref bestWeights);
            }
            else sinceBest++;
            if (!StepScheduleEveryBatch) Schedule?.Step();
            // As PyTorch's ReduceLROnPlateau, a NaN (or a missing monitored value) is a bad epoch: its comparison fails.
            Plateau?.Step(current);
            foreach (var c in Callbacks) c.OnEpochEnd(record, improved);

            if (cancel.IsCancellationRequested) { history.StopReason = "cancelled"; break; }
            if (_stopRequest is not null) { history.StopReason = _stopRequest; break; }
            if (outOfTime) { history.StopReason = "time budget reached"; break; }
            // Keras' EarlyStopping and Lightning: stop once `patience` epochs in a row have not improved (patience 0: at the first).
            if (Options.Patience is { } patience && !improved && sinceBest >= patience)
            {
                string bestText = history.BestEpoch > 0 ? $"best {best:G5} at epoch {history.BestEpoch}" : "no finite value yet";
                history.StopReason = $"early stopping: {Monitor} did not improve for {sinceBest} epoch{(sinceBest == 1 ? "" : "s")} ({bestText})";
                break;
            }
        }
        bool restoredBest = Options.RestoreBest && bestWeights is not null; // taken at this Fit's best epoch
        if (restoredBest) Restore(bestWeights!);
        if (failure is not null)
            history.StopReason = restoredBest
                ? $"stopped: {failure}; the weights of the best epoch, {history.BestEpoch}, were restored"
                : $"stopped: {failure}; the weights from the start of epoch {failedEpoch}, the last good ones, were restored";
        else if (history.StopReason.Length == 0) history.StopReason = $"completed {history.Epochs.Count} epochs";
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
