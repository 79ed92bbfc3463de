using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;

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
        var model = new SequenceTagger(1, new RecurrentConfig("lstm", 8), 1, rng: rng);
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
        var model = new SequenceTagger(1, new RecurrentConfig("lstm", 4), 1, rng: rng);
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
        var model = new SequenceClassifier(4, new RecurrentConfig("gru", 32), 2, rng: rng);
        var train = Enumerable.Range(0, 4).Select(_ => RandomBatch(rng)).ToList();
        var valid = Enumerable.Range(0, 2).Select(_ => RandomBatch(rng)).ToList();
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.03), new TrainerOptions { Epochs = 60, Patience = 3, Seed = 5 });
        Tensor? bestWeights = null;
        var cb = new Recorder(() => model.Head.Weight.Value.Clone(), w => bestWeights = w);
        trainer.Callbacks.Add(cb);
        var history = trainer.Fit(new ListBatchSource<(Tensor, int[])>(train), new ListBatchSource<(Tensor, int[])>(valid),
            (tape, batch, o) => tape.CrossEntropy(model.Logits(tape, tape.Input(batch.Item1), null), batch.Item2));
        Assert.StartsWith("early stopping", history.StopReason);
        Assert.True(history.Epochs.Count < 60);
        Assert.Equal(history.Epochs.Count - 4, history.BestEpoch); // patience 3: stops at the 4th epoch without improvement
        Assert.Equal(bestWeights!.ToArray(), model.Head.Weight.Value.ToArray());
    }

    private static (Tensor, int[]) RandomBatch(Rng rng)
    {
        var x = new Tensor(16, 6, 4);
        rng.FillUniform(x.Span, -1, 1);
        return (x, Enumerable.Range(0, 16).Select(_ => rng.NextInt(2)).ToArray());
    }

    private sealed class Recorder(Func<Tensor> capture, Action<Tensor> keep) : ITrainerCallback
    {
        public void OnEpochEnd(EpochRecord record, bool isBest)
        {
            if (isBest) keep(capture());
        }
    }

    [Fact]
    public void A_nan_stops_training_names_the_cause_and_restores_the_last_good_weights()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig("lstm", 4), 1, rng: rng);
        var batches = BitBatches(rng, 6);
        batches[4].X[3] = float.NaN; // a corrupt input in the 5th batch
        var trainer = new Trainer(model, new Adam(model.Parameters, 0.01), new TrainerOptions { Epochs = 3 });
        var before = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        var history = trainer.Fit(new ListBatchSource<BitBatch>(batches, shuffle: false), null, (tape, b, o) => BitStep(model, tape, b, o));
        Assert.Contains("loss became NaN at epoch 1, batch 5", history.StopReason);
        Assert.Contains("restored", history.StopReason);
        var after = model.Parameters.Select(p => p.Value.ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        Assert.All(model.Parameters, p => Assert.All(p.Value.ToArray(), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void A_frozen_parameter_with_an_infinite_gradient_neither_stops_training_nor_counts_in_the_norm()
    {
        var rng = new Rng(6);
        var model = new SequenceTagger(1, new RecurrentConfig("lstm", 4), 1, rng: rng);
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
}
