using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.Training;

public class TrainerTests
{
    private sealed record BitBatch(Tensor X, float[] Y, int[] Labels);

    // The notes' problem 3: answer each incoming bit with its reversal, sequences of 10 bits.
    private static List<BitBatch> BitBatches(Rng rng, int count, int b = 16, int t = 10)
    {
        var list = new List<BitBatch>();
        for (int k = 0; k < count; k++)
        {
            var x = new Tensor(b, t, 1);
            var y = new float[b * t];
            var labels = new int[b * t];
            for (int i = 0; i < b * t; i++) { x[i] = rng.NextInt(2); y[i] = 1 - x[i]; labels[i] = (int)y[i]; }
            list.Add(new BitBatch(x, y, labels));
        }
        return list;
    }

    private static Var BitStep(SequenceTagger model, Tape tape, BitBatch batch, StepOutputs o)
    {
        var logits = model.Logits(tape, tape.Input(batch.X), null);
        o.Logits = logits.Value;
        o.Targets = batch.Labels;
        o.Count = batch.Labels.Length;
        return tape.BinaryCrossEntropyWithLogits(logits, batch.Y);
    }

    private static (TrainingHistory History, SequenceTagger Model) FitBits(ulong seed, int epochs = 6, TrainerOptions? options = null)
    {
        var rng = new Rng(seed);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 8), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.05), options ?? new TrainerOptions { Epochs = epochs, ClipNorm = 5, Seed = seed });
        trainer.Metrics.Add(new Accuracy());
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 20)), new ListBatchSource<BitBatch>(BitBatches(rng, 4), shuffle: false),
            (tape, b, o) => BitStep(model, tape, b, o));
        return (history, model);
    }

    [Fact]
    public void An_lstm_learns_the_bit_problem_to_100_percent_with_fit()
    {
        var (history, _) = FitBits(1);
        Assert.Equal(1.0, history.Epochs[^1]["val_accuracy"]);
        Assert.Contains("completed", history.StopReason);
        var csv = history.ToCsv().Split('\n');
        Assert.StartsWith("epoch,seconds,loss,accuracy,lr,grad_norm,items_per_second,val_loss,val_accuracy", csv[0]);
        Assert.Equal(history.Epochs.Count + 2, csv.Length); // header, rows, trailing newline
    }

    [Fact]
    public void Validation_metrics_count_only_validation_batches()
    {
        // Untrained (lr 0), so training accuracy and validation accuracy are whatever the fixed weights give on each set.
        var rng = new Rng(9);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0), new TrainerOptions { Epochs = 1 });
        trainer.Metrics.Add(new Accuracy());
        var valid = new ListBatchSource<BitBatch>(BitBatches(rng, 3), shuffle: false);
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 5)), valid, (tape, b, o) => BitStep(model, tape, b, o));
        var alone = trainer.Evaluate(valid, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.Equal(alone["accuracy"], history.Epochs[0]["val_accuracy"]);
        Assert.Equal(alone["loss"], history.Epochs[0]["val_loss"], 12);
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_losses()
    {
        var a = FitBits(3, epochs: 2).History;
        var b = FitBits(3, epochs: 2).History;
        Assert.Equal(a.Epochs.Select(e => BitConverter.DoubleToInt64Bits(e["loss"])), b.Epochs.Select(e => BitConverter.DoubleToInt64Bits(e["loss"])));
        Assert.Equal(a.Epochs.Select(e => e["val_loss"]), b.Epochs.Select(e => e["val_loss"]));
    }

    [Fact]
    public void Early_stopping_stops_on_a_plateau_and_restores_the_best_weights()
    {
        // Random labels: the model memorises training data while validation loss gets worse.
        var rng = new Rng(5);
        var model = new SequenceClassifier(4, new RecurrentConfig(CellKind.Gru, 32), 2, rng: rng);
        var train = Enumerable.Range(0, 4).Select(_ => RandomBatch(rng)).ToList();
        var valid = Enumerable.Range(0, 2).Select(_ => RandomBatch(rng)).ToList();
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.03), new TrainerOptions { Epochs = 60, Patience = 3, Seed = 5 });
        Tensor? bestWeights = null;
        var cb = new Recorder(() => model.Head.Weight.Value.Clone(), w => bestWeights = w);
        trainer.Callbacks.Add(cb);
        var history = trainer.Fit(new ListBatchSource<(Tensor, int[])>(train), new ListBatchSource<(Tensor, int[])>(valid),
            (tape, batch, o) => tape.CrossEntropy(model.Logits(tape, tape.Input(batch.Item1), null), batch.Item2));
        // val_loss 0.709, 0.764, 0.890, 0.927: best at epoch 1, then 3 epochs without improvement (Keras stops there).
        Assert.Equal("early stopping: val_loss did not improve for 3 epochs (best 0.70906 at epoch 1)", history.StopReason);
        Assert.Equal(4, history.Epochs.Count);
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(bestWeights!.ToArray(), model.Head.Weight.Value.ToArray());
        Assert.NotEqual(bestWeights.ToArray(), cb.Last!.ToArray()); // the restore did change the weights
    }

    private static (Tensor, int[]) RandomBatch(Rng rng)
    {
        var x = new Tensor(16, 6, 4);
        rng.FillUniform(x.Span, -1, 1);
        return (x, Enumerable.Range(0, 16).Select(_ => rng.NextInt(2)).ToArray());
    }

    private sealed class Recorder(Func<Tensor> capture, Action<Tensor> keep) : ITrainerCallback
    {
        public Tensor? Last { get; private set; }

        public void OnEpochEnd(EpochRecord record, bool isBest)
        {
            Last = capture();
            if (isBest) keep(Last);
        }
    }

    private sealed class AtEpochEnd(Action<EpochRecord, bool> action) : ITrainerCallback
    {
        public void OnEpochEnd(EpochRecord record, bool isBest) => action(record, isBest);
    }

    // A monitored value scripted per epoch (counted by Reset, which Fit calls once per epoch when there is no
    // validation data), so that early stopping can be checked against Keras' epoch counts exactly.
    private sealed class Scripted(params double[] values) : IMetric
    {
        private int _epoch = -1;

        public string Name => "score";

        public bool HigherIsBetter => false;

        public void Reset() => _epoch++;

        public void Update(StepOutputs outputs) { }

        public double Value => values[_epoch];
    }

    private static TrainingHistory FitScripted(TrainerOptions options, double[] script, TrainingHistory? resume = null)
    {
        var rng = new Rng(4);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 2), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), options with { Monitor = "score" });
        trainer.Metrics.Add(new Scripted(script));
        return trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 1, b: 2, t: 3)), null, (tape, b, o) => BitStep(model, tape, b, o), resume: resume);
    }

    [Theory]
    // Best 0.4 at epoch 5; epochs 6, 7, 8 do not improve: Keras' EarlyStopping(patience=3) stops after epoch 8.
    [InlineData(3, 8, 5, "did not improve for 3 epochs (best 0.4 at epoch 5)")]
    // patience=1: epoch 3 (0.6 after 0.5) is the first without improvement.
    [InlineData(1, 3, 2, "did not improve for 1 epoch (best 0.5 at epoch 2)")]
    // patience=0 stops at the first epoch without improvement too, never after an improving one.
    [InlineData(0, 3, 2, "did not improve for 1 epoch (best 0.5 at epoch 2)")]
    // patience=4 outlasts the gap after epoch 2 and the one after epoch 5; the script ends at epoch 10.
    [InlineData(4, 10, 9, "completed 10 epochs")]
    public void Early_stopping_stops_when_the_epochs_without_improvement_reach_the_patience(int patience, int epochs, int bestEpoch, string reason)
    {
        double[] script = [1, 0.5, 0.6, 0.7, 0.4, 0.45, 0.5, 0.55, 0.3, 0.35];
        var history = FitScripted(new TrainerOptions { Epochs = 10, Patience = patience }, script);
        Assert.Equal(epochs, history.Epochs.Count);
        Assert.Equal(bestEpoch, history.BestEpoch);
        Assert.EndsWith(reason, history.StopReason);
    }

    [Fact]
    public void Early_stopping_counts_the_resumed_epochs_after_the_best()
    {
        // Epochs 1-4 ran before: best 0.5 at epoch 2, then 2 epochs without improvement. With patience 3 the first
        // resumed epoch that does not improve is the 3rd, exactly where an uninterrupted run stops.
        var resume = new TrainingHistory { BestEpoch = 2 };
        double[] before = [1, 0.5, 0.6, 0.7];
        for (int e = 1; e <= 4; e++) resume.Add(new EpochRecord(e, e, new Dictionary<string, double> { ["score"] = before[e - 1] }));
        var history = FitScripted(new TrainerOptions { Epochs = 10, InitialEpoch = 4, Patience = 3 }, [0.8, 0.1], resume);
        Assert.Equal([1, 2, 3, 4, 5], history.Epochs.Select(e => e.Epoch));
        Assert.Equal("early stopping: score did not improve for 3 epochs (best 0.5 at epoch 2)", history.StopReason);
        var uninterrupted = FitScripted(new TrainerOptions { Epochs = 10, Patience = 3 }, [.. before, 0.8, 0.1]);
        Assert.Equal(history.StopReason, uninterrupted.StopReason);
        Assert.Equal(5, uninterrupted.Epochs.Count);
    }

    [Fact]
    public void A_nan_monitored_value_is_a_bad_epoch_for_the_plateau_schedule()
    {
        // PyTorch: ReduceLROnPlateau(factor=0.5, patience=1); step(1), step(nan), step(nan) cuts the rate at the third.
        var rng = new Rng(4);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 2), 1, rng: rng);
        var optimizer = new Adam(model.Parameters, 0.01);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 4, Monitor = "score" })
        {
            Plateau = new ReduceOnPlateau(optimizer, PlateauMode.Min, factor: 0.5, patience: 1),
        };
        trainer.Metrics.Add(new Scripted(1, double.NaN, double.NaN, double.NaN));
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 1, b: 2, t: 3)), null, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.Equal([0.01, 0.01, 0.01, 0.005], history.Epochs.Select(e => e["lr"]));
        Assert.Equal(0.005, optimizer.LearningRate);
        Assert.Equal(4, trainer.Plateau.LastEpoch);
        Assert.Equal(1, trainer.Plateau.BadEpochs);
        Assert.Equal(1, trainer.Plateau.Best);
    }

    private sealed class StopAt(int epoch, int batch) : ITrainerCallback
    {
        private Trainer? _trainer;
        public int EpochEnds;

        public void OnTrainBegin(Trainer trainer) => _trainer = trainer;

        public void OnBatchEnd(in BatchProgress progress)
        {
            if (progress.Epoch == epoch && progress.Batch == batch) _trainer!.RequestStop($"asked at epoch {epoch}, batch {batch}");
        }

        public void OnEpochEnd(EpochRecord record, bool isBest) => EpochEnds++;
    }

    [Fact]
    public void A_diverging_run_stops_rolls_back_and_says_so()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var before = model.Parameters.Select(p => p.Value.Span.ToArray()).ToList();
        // A learning rate far too high: the loss explodes within a few batches of the first epoch.
        var trainer = new Trainer(model, new Sgd(model.Parameters, 1e6), new TrainerOptions { Epochs = 3, DivergenceFactor = 100 });
        var batches = new ListBatchSource<BitBatch>(BitBatches(rng, 20, b: 4, t: 5));
        var history = trainer.Fit(batches, null, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.StartsWith("stopped: training diverged: the loss rose to ", history.StopReason);
        Assert.Contains("epoch 1, batch ", history.StopReason);
        Assert.Contains("try a lower learning rate", history.StopReason);
        Assert.Empty(history.Epochs);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], model.Parameters[i].Value.Span.ToArray());

        // The same run without the guard goes on.
        var unguarded = new Trainer(model, new Sgd(model.Parameters, 1e6), new TrainerOptions { Epochs = 1 });
        Assert.DoesNotContain("diverged", unguarded.Fit(batches, null, (tape, b, o) => BitStep(model, tape, b, o)).StopReason);
    }

    [Fact]
    public void A_callback_can_stop_training_and_the_epoch_still_ends_normally()
    {
        var rng = new Rng(4);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 2), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 5 });
        var stop = new StopAt(2, 1);
        trainer.Callbacks.Add(stop);
        var batches = new ListBatchSource<BitBatch>(BitBatches(rng, 3, b: 2, t: 3));
        var history = trainer.Fit(batches, batches, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.Equal("asked at epoch 2, batch 1", history.StopReason);
        Assert.Equal(2, history.Epochs.Count); // epoch 2 is cut after its first batch, validated and recorded
        Assert.Equal(2, stop.EpochEnds);
        Assert.True(double.IsFinite(history.Epochs[^1]["val_loss"]));
        // The cut epoch is marked partial in the history (an empty cell on the full epoch before it).
        Assert.Equal(1, history.Epochs[^1][Trainer.PartialColumn]);
        Assert.False(history.Epochs[0].Values.ContainsKey(Trainer.PartialColumn));
        Assert.EndsWith(",1", history.ToCsv().Split('\n')[2]);
        Assert.StartsWith("epoch 2 (partial): ", TextProgress.EpochLine(history.Epochs[^1], false));

        // The request does not outlive its Fit.
        trainer.Callbacks.Clear();
        Assert.Equal("completed 5 epochs", trainer.Fit(batches, null, (tape, b, o) => BitStep(model, tape, b, o)).StopReason);
    }

    [Fact]
    public void An_optimizer_holding_a_parameter_the_model_no_longer_has_is_refused()
    {
        // Tying after the optimizer was made leaves it with the replaced weight: it would train a detached copy.
        var rng = new Rng(4);
        var embedding = new Embedding(5, 3, rng: rng);
        var model = new SequenceTagger(3, new RecurrentConfig(CellKind.Lstm, 3), 5, rng: rng);
        var optimizer = new Adam(model.Parameters, 0.01);
        var head = model.NamedModules().Select(m => m.Module).OfType<Linear>().Last();
        head.TieWeight(embedding.Weight);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 1 });
        var e = Assert.Throws<InvalidOperationException>(() =>
            trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 1, b: 2, t: 3)), null, (tape, b, o) => BitStep(model, tape, b, o)));
        Assert.Contains("the optimizer holds a parameter 'weight' [5, 3] that is not one of the model's", e.Message);
    }

    [Fact]
    public void A_monitor_that_is_not_recorded_is_refused_with_the_names_that_are()
    {
        var rng = new Rng(4);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 2), 1, rng: rng);
        var batches = new ListBatchSource<BitBatch>(BitBatches(rng, 1, b: 2, t: 3));
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 2, Monitor = "val_acuracy" });
        trainer.Metrics.Add(new Accuracy());
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(batches, batches, (tape, b, o) => BitStep(model, tape, b, o)));
        Assert.Contains("Monitor 'val_acuracy' is not recorded by this Fit; it can be one of loss, accuracy, val_loss, val_accuracy, lr, grad_norm, items_per_second", e.Message);
        var noValidation = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 2, Monitor = "val_loss" });
        e = Assert.Throws<ArgumentException>(() => noValidation.Fit(batches, null, (tape, b, o) => BitStep(model, tape, b, o)));
        Assert.Contains("val_ names need a validation source", e.Message);
    }

    [Fact]
    public void A_negative_patience_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FitScripted(new TrainerOptions { Patience = -1 }, [1]));
        Assert.Contains("Patience must be >= 0 or null, got -1", e.Message);
    }

    [Fact]
    public void A_nan_stops_training_names_the_cause_and_restores_the_last_good_weights()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var batches = BitBatches(rng, 6);
        batches[4].X[3] = float.NaN; // a corrupt input in the 5th batch
        var optimizer = new Adam(model.Parameters, 0.01);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 3 });
        var before = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        var history = trainer.Fit(new ListBatchSource<BitBatch>(batches, shuffle: false), null, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.Equal("stopped: the loss became NaN at epoch 1, batch 5; the weights from the start of epoch 1, the last good ones, were restored", history.StopReason);
        Assert.Empty(history.Epochs);
        var after = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        // The optimizer is back at its start too: the 4 good updates of the broken epoch are undone.
        Assert.Equal(0, optimizer.StepCount);
        Assert.Empty(optimizer.StateDict());
    }

    // Which epoch and batch of it the trainer is in, for step functions that break on purpose.
    private sealed class Position : ITrainerCallback
    {
        public int Epoch { get; private set; }

        public int Batch { get; set; }

        public Action<int>? AtBegin { get; init; }

        public void OnEpochBegin(int epoch)
        {
            (Epoch, Batch) = (epoch, 0);
            AtBegin?.Invoke(epoch);
        }
    }

    private static (Dictionary<string, float[]> Tensors, long Steps, long[] ParameterSteps, double Lr) OptimizerNow(Optimizer o) =>
        (o.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), o.StepCount, o.ExportState().ParameterSteps, o.LearningRate);

    private static void AssertSameOptimizerState((Dictionary<string, float[]> Tensors, long Steps, long[] ParameterSteps, double Lr) expected, Optimizer actual)
    {
        var now = OptimizerNow(actual);
        Assert.Equal(expected.Steps, now.Steps);
        Assert.Equal(expected.ParameterSteps, now.ParameterSteps);
        Assert.Equal(expected.Lr, now.Lr);
        Assert.Equal(expected.Tensors.Keys.Order(), now.Tensors.Keys.Order());
        foreach (var (name, values) in expected.Tensors) Assert.Equal(values, now.Tensors[name]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_nan_in_a_later_epoch_rolls_weights_and_optimizer_back_and_says_which_weights_remain(bool restoreBest)
    {
        var rng = new Rng(8);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var optimizer = new Adam(model.Parameters, 0.01);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 5, RestoreBest = restoreBest });
        float[][] Weights() => model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        float[][]? atEpoch3 = null, bestWeights = null;
        (Dictionary<string, float[]>, long, long[], double) optimizerAtEpoch3 = default;
        var position = new Position { AtBegin = e => { if (e == 3) (atEpoch3, optimizerAtEpoch3) = (Weights(), OptimizerNow(optimizer)); } };
        trainer.Callbacks.Add(position);
        trainer.Callbacks.Add(new AtEpochEnd((_, isBest) => { if (isBest) bestWeights = Weights(); }));
        var train = new ListBatchSource<BitBatch>(BitBatches(rng, 4));
        var valid = new ListBatchSource<BitBatch>(BitBatches(rng, 1), shuffle: false);
        var history = trainer.Fit(train, valid, (tape, b, o) =>
        {
            bool training = model.Training;
            if (training) position.Batch++;
            var x = b.X;
            if (training && position.Epoch == 3 && position.Batch == 2) { x = x.Clone(); x[0] = float.NaN; }
            return BitStep(model, tape, b with { X = x }, o);
        });

        Assert.Equal([1, 2], history.Epochs.Select(e => e.Epoch));
        Assert.Equal(2, history.BestEpoch); // val_loss fell in both good epochs
        // Adam's moments and step counts are those from before epoch 3's first (good) batch.
        AssertSameOptimizerState(optimizerAtEpoch3, optimizer);
        Assert.Equal(8, optimizer.StepCount);
        if (restoreBest)
        {
            Assert.Equal("stopped: the loss became NaN at epoch 3, batch 2; the weights of the best epoch, 2, were restored", history.StopReason);
            Assert.Equal(bestWeights, Weights());
        }
        else
        {
            Assert.Equal("stopped: the loss became NaN at epoch 3, batch 2; the weights from the start of epoch 3, the last good ones, were restored", history.StopReason);
            Assert.Equal(atEpoch3, Weights());
        }
    }

    [Fact]
    public void Weights_that_overflow_in_an_update_are_named_and_the_momentum_is_rolled_back()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var optimizer = new Sgd(model.Parameters, lr: 10, momentum: 0.9);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 3, RestoreBest = false });
        float[][] Weights() => model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        float[][]? atEpoch2 = null;
        (Dictionary<string, float[]>, long, long[], double) optimizerAtEpoch2 = default;
        var position = new Position { AtBegin = e => { if (e == 2) (atEpoch2, optimizerAtEpoch2) = (Weights(), OptimizerNow(optimizer)); } };
        trainer.Callbacks.Add(position);
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 3)), null, (tape, b, o) =>
        {
            // A finite gradient (norm 1e38 is fine in double) whose update, 10 · 1e38, overflows float.
            if (++position.Batch == 1 && position.Epoch == 2) model.Head.Bias!.Grad[0] = 1e38f;
            return BitStep(model, tape, b, o);
        });
        Assert.Equal("stopped: the weights of head.bias became non-finite after the update at epoch 2, batch 1; the weights from the start of epoch 2, the last good ones, were restored", history.StopReason);
        Assert.Equal(atEpoch2, Weights());
        AssertSameOptimizerState(optimizerAtEpoch2, optimizer); // no 1e38 left in the momentum buffers
        Assert.Equal(3, optimizer.StepCount);
    }

    [Fact]
    public void A_per_batch_schedule_is_rolled_back_with_the_optimizer()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var optimizer = new Adam(model.Parameters, 0.01);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 3 })
        {
            Schedule = new StepDecay(optimizer, stepSize: 1, gamma: 0.5),
            StepScheduleEveryBatch = true,
        };
        var position = new Position();
        trainer.Callbacks.Add(position);
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 4)), null, (tape, b, o) =>
        {
            var x = b.X;
            if (++position.Batch == 3 && position.Epoch == 2) { x = x.Clone(); x[0] = float.NaN; }
            return BitStep(model, tape, b with { X = x }, o);
        });
        Assert.StartsWith("stopped: the loss became NaN at epoch 2, batch 3;", history.StopReason);
        // Back at the end of epoch 1: 4 steps of the schedule, rate 0.01 · 0.5⁴, not the 6 steps taken by then.
        Assert.Equal(4, trainer.Schedule.LastEpoch);
        Assert.Equal(0.01 * Math.Pow(0.5, 4), optimizer.LearningRate, 15);
        Assert.Equal(optimizer.LearningRate, trainer.Schedule.LastLearningRates[0]);
        Assert.Equal(4, optimizer.StepCount);
    }

    [Fact]
    public void A_nan_gradient_names_the_parameter()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 2, ClipNorm = 1 });
        var position = new Position();
        trainer.Callbacks.Add(position);
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 3)), null, (tape, b, o) =>
        {
            if (++position.Batch == 3) model.Encoder.Rnn.Parameters[1].Grad[5] = float.NaN;
            return BitStep(model, tape, b, o);
        });
        Assert.Matches(@"^stopped: the gradient of encoder\.rnn\.weight_hh_l0 became non-finite at epoch 1, batch 3 \(loss [0-9.]+\); the weights from the start of epoch 1, the last good ones, were restored$", history.StopReason);
    }

    [Fact]
    public void A_frozen_parameter_with_an_infinite_gradient_neither_stops_training_nor_counts_in_the_norm()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 4), 1, rng: rng);
        var bias = model.Head.Bias!;
        bias.RequiresGrad = false;
        float[] frozenValue = bias.Value.ToArray();
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 2 });
        var history = trainer.Fit(new ListBatchSource<BitBatch>(BitBatches(rng, 3)), null, (tape, b, o) =>
        {
            bias.Grad[0] = float.PositiveInfinity; // computed but never used: the parameter is frozen
            return BitStep(model, tape, b, o);
        });
        Assert.Equal("completed 2 epochs", history.StopReason);
        Assert.True(float.IsPositiveInfinity(bias.Grad[0]));
        Assert.Equal(frozenValue, bias.Value.ToArray());
        // grad_norm is the last batch's norm over the trainable parameters, whose gradients are still in place.
        double sum = model.Parameters.Where(p => p.RequiresGrad).Sum(p => p.Grad.ToArray().Sum(g => (double)g * g));
        Assert.Equal(Math.Sqrt(sum), history.Epochs[^1]["grad_norm"], 12);
    }

    [Fact]
    public void A_second_fit_never_restores_weights_kept_by_the_first()
    {
        // The trainer resumes after epoch 2 (Options are fixed per trainer), so both Fits run epochs 3 and 4.
        var rng = new Rng(4);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 2), 1, rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 4, InitialEpoch = 2, Monitor = "score" });
        var data = new ListBatchSource<BitBatch>(BitBatches(rng, 2, b: 2, t: 3));
        TrainingHistory Before(double bestScore)
        {
            var h = new TrainingHistory { BestEpoch = 1 };
            h.Add(new EpochRecord(1, 1, new Dictionary<string, double> { ["score"] = bestScore }));
            h.Add(new EpochRecord(2, 2, new Dictionary<string, double> { ["score"] = 2 }));
            return h;
        }
        float[][] Weights() => model.Parameters.Select(p => p.Value.ToArray()).ToArray();

        // First Fit: epoch 3 beats the resumed best (0.7 < 1), so its weights are kept and restored.
        trainer.Metrics.Add(new Scripted(0.7, 0.8));
        float[][]? atEpoch3 = null;
        trainer.Callbacks.Add(new AtEpochEnd((_, isBest) => { if (isBest) atEpoch3 = Weights(); }));
        var first = trainer.Fit(data, null, (tape, b, o) => BitStep(model, tape, b, o), resume: Before(1));
        Assert.Equal(3, first.BestEpoch);
        Assert.Equal(atEpoch3, Weights());

        // Second Fit: the resumed best (0 at epoch 1) is never beaten, so no weights of this Fit are better and the
        // model keeps epoch 4's; the first Fit's epoch-3 snapshot must not come back.
        trainer.Metrics.Clear();
        trainer.Metrics.Add(new Scripted(0.7, 0.8));
        trainer.Callbacks.Clear();
        float[][]? atEpoch4 = null;
        trainer.Callbacks.Add(new AtEpochEnd((_, _) => atEpoch4 = Weights()));
        var second = trainer.Fit(data, null, (tape, b, o) => BitStep(model, tape, b, o), resume: Before(0));
        Assert.Equal(1, second.BestEpoch);
        Assert.Equal("completed 4 epochs", second.StopReason);
        Assert.Equal(atEpoch4, Weights());
        Assert.NotEqual(atEpoch3, Weights());
    }
}
