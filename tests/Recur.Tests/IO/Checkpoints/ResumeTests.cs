using Recur.Layers;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.IO.Checkpoints;

/// <summary>
/// Training resumed from a checkpoint continues exactly as if it had never stopped: a model with dropout (a dropout
/// module and dropout between stacked LSTM layers), Adam, a step-decay schedule and shuffled batches, trained 2 epochs,
/// saved, loaded into freshly built objects and trained 2 more, gives the losses of 4 uninterrupted epochs bit for bit.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private const string Kind = "test-classifier";
    private const int Vocab = 7, Classes = 3;
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record TokenBatch(int[] Tokens, int[] Labels, int Batch, int Steps);

    private sealed record Run(SequenceClassifier Model, Adam Optimizer, StepDecay Schedule);

    // The label is the most frequent of tokens 0..2 in the sequence (ties to the smaller): learnable, not trivial.
    private static List<TokenBatch> Batches(ulong seed, int count, int b = 8, int t = 9)
    {
        var rng = new Rng(seed);
        var batches = new List<TokenBatch>();
        for (int k = 0; k < count; k++)
        {
            var tokens = new int[b * t];
            var labels = new int[b];
            for (int i = 0; i < b; i++)
            {
                var counts = new int[Classes];
                for (int s = 0; s < t; s++)
                {
                    int token = tokens[i * t + s] = rng.NextInt(Vocab);
                    if (token < Classes) counts[token]++;
                }
                labels[i] = Array.IndexOf(counts, counts.Max());
            }
            batches.Add(new TokenBatch(tokens, labels, b, t));
        }
        return batches;
    }

    private static readonly RecurrentConfig Rnn = new(CellKind.Lstm, HiddenSize: 12, NumLayers: 2, Dropout: 0.3f);

    private static Run Build(ulong seed)
    {
        var model = new SequenceClassifier(Vocab, 6, Rnn, Classes, SequencePooling.Last, dropout: 0.25f, rng: new Rng(seed));
        var adam = new Adam(model.Parameters, lr: 0.02);
        return new Run(model, adam, new StepDecay(adam, stepSize: 1, gamma: 0.7));
    }

    private static Trainer Trainer(Run run, int epochs, int initialEpoch = 0)
    {
        var trainer = new Trainer(run.Model, run.Optimizer, new TrainerOptions { Epochs = epochs, InitialEpoch = initialEpoch, Seed = 11, ClipNorm = 1 })
        {
            Schedule = run.Schedule,
        };
        trainer.Metrics.Add(new Accuracy());
        return trainer;
    }

    private static TrainingHistory Fit(Trainer trainer, SequenceClassifier model, TrainingHistory? resume = null) =>
        trainer.Fit(new ListBatchSource<TokenBatch>(Batches(1, 12)), new ListBatchSource<TokenBatch>(Batches(2, 3), shuffle: false),
            (tape, batch, o) =>
            {
                var logits = model.Logits(tape, batch.Tokens, batch.Batch, batch.Steps, null);
                (o.Logits, o.Targets, o.Count) = (logits.Value, batch.Labels, batch.Batch);
                return tape.CrossEntropy(logits, batch.Labels);
            }, resume: resume);

    private static long[] Bits(TrainingHistory h, string metric, int fromEpoch) =>
        h.Epochs.Where(e => e.Epoch >= fromEpoch).Select(e => BitConverter.DoubleToInt64Bits(e[metric])).ToArray();

    private string SaveAfterTwoEpochs()
    {
        string path = Path.Combine(_dir, "last.safetensors");
        var first = Build(5);
        var trainer = Trainer(first, epochs: 2);
        trainer.Callbacks.Add(new CheckpointCallback(Kind, Rnn.ToString(), path));
        Fit(trainer, first.Model);
        return path;
    }

    private static (TrainingHistory History, Checkpoint Checkpoint) ResumeFrom(string path, Action<Checkpoint>? tamper = null)
    {
        var checkpoint = Checkpoint.Load(path, Kind);
        tamper?.Invoke(checkpoint);
        var second = Build(123); // other initial weights and dropout streams: everything must come from the file
        checkpoint.Restore(second.Model, second.Optimizer, second.Schedule);
        return (Fit(Trainer(second, epochs: 4, initialEpoch: checkpoint.Epoch), second.Model, checkpoint.History), checkpoint);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_the_losses_of_an_uninterrupted_run_bit_for_bit()
    {
        var straight = Build(5);
        var uninterrupted = Fit(Trainer(straight, epochs: 4), straight.Model);

        var (resumed, checkpoint) = ResumeFrom(SaveAfterTwoEpochs());

        Assert.Equal(2, checkpoint.Epoch);
        Assert.Equal(2 * 12, checkpoint.GlobalStep);
        Assert.Equal([3, 4], resumed.Epochs.Skip(2).Select(e => e.Epoch));
        foreach (string metric in new[] { "loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm" })
            Assert.Equal(Bits(uninterrupted, metric, 1), Bits(resumed, metric, 1)); // epochs 1-2 from the file, 3-4 trained again
        Assert.True(uninterrupted.Epochs[3]["loss"] < uninterrupted.Epochs[0]["loss"], "the model should learn");
        Assert.Equal(0.02 * 0.7 * 0.7 * 0.7, resumed.Epochs[3]["lr"], 12);
        Assert.Equal(uninterrupted.BestEpoch, resumed.BestEpoch);
        Assert.True(resumed.Epochs[2].Seconds >= resumed.Epochs[1].Seconds, "resumed epochs continue the clock");
    }

    [Fact]
    public void Without_the_dropout_generator_states_the_resumed_losses_differ()
    {
        // The control for the test above: it can fail. Dropping the generator states keeps the fresh model's own
        // dropout streams, so the masks, and with them the losses, change.
        var (resumed, _) = ResumeFrom(SaveAfterTwoEpochs(), c => c.Rngs.Clear());
        var straight = Build(5);
        var uninterrupted = Fit(Trainer(straight, epochs: 4), straight.Model);
        Assert.NotEqual(Bits(uninterrupted, "loss", 3), Bits(resumed, "loss", 3));
    }

    [Fact]
    public void The_checkpoint_holds_a_generator_state_for_every_module_that_draws_masks()
    {
        var checkpoint = Checkpoint.Load(SaveAfterTwoEpochs());
        Assert.Equal(["model.dropout", "model.encoder.rnn"], checkpoint.Rngs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Rnn.ToString(), checkpoint.Config);
        Assert.Equal("Adam", checkpoint.Optimizer!.Kind);
        Assert.Equal("StepDecay", checkpoint.Schedule!.Kind);
        Assert.Equal(2, checkpoint.Schedule.LastEpoch);
        Assert.Equal(2, checkpoint.History!.Epochs.Count);
        // Adam's two moments for each of the model's parameters.
        Assert.Equal(2 * checkpoint.Weights.Count, checkpoint.OptimizerTensors.Count);

        checkpoint.Rngs.Remove("model.dropout");
        var e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(Build(1).Model));
        Assert.Contains("random generator states do not match the SequenceClassifier's modules: missing [model.dropout], unexpected []", e.Message);
    }

    [Fact]
    public void Early_stopping_carries_on_from_the_resumed_best_epoch()
    {
        // Epoch 1 of the saved history has a loss no epoch can beat: resumed at epoch 3 with patience 1, the first
        // resumed epoch is the third without improvement, so training stops there and epoch 1 stays the best.
        var history = new TrainingHistory { BestEpoch = 1 };
        foreach (var (epoch, loss) in new[] { (1, 0.0), (2, 5.0), (3, 6.0) })
            history.Add(new EpochRecord(epoch, epoch, new Dictionary<string, double> { ["loss"] = loss, ["val_loss"] = loss }));
        var run = Build(1);
        var trainer = new Trainer(run.Model, run.Optimizer, new TrainerOptions { Epochs = 10, InitialEpoch = 3, Patience = 1, Seed = 11 });
        var resumed = Fit(trainer, run.Model, history);
        Assert.Equal([1, 2, 3, 4], resumed.Epochs.Select(e => e.Epoch));
        Assert.Equal(1, resumed.BestEpoch);
        Assert.Equal("early stopping: val_loss did not improve for 3 epochs (best 0 at epoch 1)", resumed.StopReason);
        Assert.True(resumed.Epochs[3].Seconds > 3);
    }

    [Fact]
    public void Fit_refuses_a_history_that_does_not_end_at_the_initial_epoch()
    {
        var checkpoint = Checkpoint.Load(SaveAfterTwoEpochs());
        var run = Build(1);
        var e = Assert.Throws<ArgumentException>(() => Fit(Trainer(run, epochs: 4, initialEpoch: 3), run.Model, checkpoint.History));
        Assert.Contains("ends at epoch 2 but InitialEpoch is 3", e.Message);
    }
}
