using Recur.Layers;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.IO.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Vocabulary Vocab() => Vocabulary.ForCharacters("abcdef");

    internal static readonly CharLanguageModelConfig Config = new(Vocab().Count, 4, new RecurrentConfig(CellKind.Gru, 5, NumLayers: 2, Dropout: 0.2f));

    /// <summary>A model, Adam and a plateau-aware setup after a few real updates, so every piece of state is non-trivial.</summary>
    internal static (CharLanguageModel Model, Adam Adam, StepDecay Schedule, ReduceOnPlateau Plateau) Trained(ulong seed)
    {
        var model = new CharLanguageModel(Config, new Rng(seed));
        var adam = new Adam(model.Parameters, 0.01);
        var schedule = new StepDecay(adam, 2, 0.5);
        var plateau = new ReduceOnPlateau(adam, patience: 0);
        int[] x = [1, 2, 3, 4, 5, 0, 1, 2], y = [2, 3, 4, 5, 0, 1, 2, 3];
        for (int i = 0; i < 3; i++)
        {
            adam.ZeroGrad();
            model.Step(x, y, 2, 4);
            adam.Step();
            schedule.Step();
            plateau.Step(3.0 - i);
        }
        return (model, adam, schedule, plateau);
    }

    private static Checkpoint Snapshot(ulong seed = 1)
    {
        var (model, adam, schedule, plateau) = Trained(seed);
        var c = Checkpoint.Capture(CharLanguageModelCheckpoint.Kind, Config.ToJson(), model, adam, schedule, plateau);
        c.Epoch = 3;
        c.Data["vocabulary"] = Vocab().ToJson();
        c.Data["scaler"] = """{"mean": [1.5], "std": [0.25]}""";
        c.Info["note"] = "ünïcode ✓";
        c.Rngs["sampler"] = new Rng(77).GetState();
        var history = new TrainingHistory { BestEpoch = 2, StopReason = "completed 3 epochs" };
        history.Add(new EpochRecord(1, 0.5, new Dictionary<string, double> { ["loss"] = 1.0 / 3, ["grad_norm"] = double.NaN }));
        history.Add(new EpochRecord(2, 1.25, new Dictionary<string, double> { ["loss"] = 0.1 + 0.2, ["grad_norm"] = double.PositiveInfinity }));
        history.Add(new EpochRecord(3, 2.0, new Dictionary<string, double> { ["loss"] = 0.31, ["grad_norm"] = 1e-300 }));
        c.History = history;
        return c;
    }

    [Fact]
    public void Every_part_survives_a_save_and_load_exactly()
    {
        var saved = Snapshot();
        saved.Save(PathOf("a.safetensors"));
        var loaded = Checkpoint.Load(PathOf("a.safetensors"), expectedKind: "charlm");

        Assert.Equal(PathOf("a.safetensors"), loaded.Source);
        Assert.Equal(saved.Kind, loaded.Kind);
        Assert.Equal(saved.Config, loaded.Config);
        Assert.Equal(3, loaded.Epoch);
        Assert.Equal(3, loaded.GlobalStep);
        Assert.Equal(saved.Data, loaded.Data);
        Assert.Equal(saved.Info, loaded.Info);
        Assert.Equal(saved.Rngs, loaded.Rngs);
        Assert.Equal(saved.RecurVersion, loaded.RecurVersion);
        Assert.Equal(saved.SavedUtc, loaded.SavedUtc);
        AssertSameTensors(saved.Weights, loaded.Weights);
        AssertSameTensors(saved.OptimizerTensors, loaded.OptimizerTensors);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(saved.Optimizer), System.Text.Json.JsonSerializer.Serialize(loaded.Optimizer));
        Assert.Equal(saved.Schedule!.LastEpoch, loaded.Schedule!.LastEpoch);
        Assert.Equal(saved.Plateau!.Values, loaded.Plateau!.Values);
        Assert.Equal(saved.History!.ToCsv(), loaded.History!.ToCsv());
        Assert.Equal(2, loaded.History.BestEpoch);
        Assert.Equal("completed 3 epochs", loaded.History.StopReason);
        Assert.Equal(saved.History.Epochs.SelectMany(e => e.Values.Values), loaded.History.Epochs.SelectMany(e => e.Values.Values)); // NaN, inf, 1/3 exact
    }

    [Fact]
    public void Restoring_into_fresh_objects_reproduces_the_next_step_exactly()
    {
        var (model, adam, schedule, plateau) = Trained(1);
        var checkpoint = Checkpoint.Capture("charlm", Config.ToJson(), model, adam, schedule, plateau);
        var bytes = new MemoryStream();
        checkpoint.WriteTo(bytes);

        var fresh = new CharLanguageModel(Config, new Rng(999));
        var freshAdam = new Adam(fresh.Parameters, 0.01);
        var freshSchedule = new StepDecay(freshAdam, 2, 0.5);
        var freshPlateau = new ReduceOnPlateau(freshAdam, patience: 0);
        Checkpoint.FromBytes(bytes.ToArray()).Restore(fresh, freshAdam, freshSchedule, freshPlateau);

        model.ResetState(); // the carried hidden state is not part of a checkpoint: resuming starts an epoch
        // One more training step (dropout active: the generators matter) on both must agree bit for bit.
        int[] x = [5, 4, 3, 2, 1, 0, 5, 4], y = [4, 3, 2, 1, 0, 5, 4, 3];
        foreach (var (m, a, s, p) in new[] { (model, adam, schedule, plateau), (fresh, freshAdam, freshSchedule, freshPlateau) })
        {
            a.ZeroGrad();
            m.Step(x, y, 2, 4);
            a.Step();
            s.Step();
            p.Step(10);
        }
        AssertSameTensors(model.StateDict(), fresh.StateDict());
        Assert.Equal(adam.LearningRate, freshAdam.LearningRate);
        Assert.Equal(schedule.LastEpoch, freshSchedule.LastEpoch);
        Assert.Equal(plateau.ExportState().Values, freshPlateau.ExportState().Values);
    }

    [Fact]
    public void An_interrupted_save_keeps_the_previous_checkpoint()
    {
        string path = PathOf("last.safetensors");
        var previous = Snapshot(seed: 1);
        previous.Save(path);
        byte[] before = File.ReadAllBytes(path);

        // The next save dies halfway through writing (as a killed process would): the write throws after half the bytes.
        var next = new MemoryStream();
        Snapshot(seed: 2).WriteTo(next);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(next.GetBuffer(), 0, (int)next.Length / 2);
            throw new IOException("simulated crash during the save");
        }));
        Assert.Equal("simulated crash during the save", e.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        AssertSameTensors(previous.Weights, Checkpoint.Load(path).Weights);
        Assert.Equal(["last.safetensors"], Directory.GetFiles(_dir).Select(Path.GetFileName));

        // A save that completes replaces it.
        var replacement = Snapshot(seed: 2);
        replacement.Save(path);
        AssertSameTensors(replacement.Weights, Checkpoint.Load(path).Weights);
    }

    [Fact]
    public void Loading_another_kind_or_a_plain_state_dict_or_a_newer_format_is_refused_with_the_file_name()
    {
        string path = PathOf("a.safetensors");
        Snapshot().Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, expectedKind: "classifier"));
        Assert.Equal($"{path}: the checkpoint holds a 'charlm' model, expected 'classifier'", e.Message);

        string plain = PathOf("plain.safetensors");
        new CharLanguageModel(Config, new Rng(1)).SaveSafetensors(plain);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(plain));
        Assert.Equal($"{plain}: not a Recur checkpoint (metadata 'format' is 'pt', expected 'recur-checkpoint/2')", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path).AddMetadata("format", "recur-checkpoint/3")));
        Assert.Contains("checkpoint format 3 is not supported", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(new SafetensorsWriter().AddMetadata("format", "recur-checkpoint/2")));
        Assert.Equal("bad.safetensors: metadata 'recur.kind' is missing", e.Message);
    }

    [Fact]
    public void Malformed_contents_are_refused_naming_the_tensor_or_key()
    {
        string path = PathOf("a.safetensors");
        Snapshot().Save(path);

        var e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path).Add("extra", new Tensor(2))));
        Assert.Contains("unexpected tensor 'extra'", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path, n => n != "rng.sampler").Add("rng.sampler", new Tensor(4))));
        Assert.Contains("tensor 'rng.sampler' is F32 [4], expected a generator state I64 [4]", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path).AddMetadata("recur.optimizer", "{not json")));
        Assert.StartsWith("bad.safetensors: metadata 'recur.optimizer' is not a valid OptimizerState", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path).AddMetadata("recur.epoch", "-1")));
        Assert.Equal("bad.safetensors: metadata 'recur.epoch' is '-1', expected an integer in [0, 2147483647]", e.Message);

        e = Assert.Throws<InvalidDataException>(() => FromWriter(Rewrite(path, n => n != "rng.model.rnn").AddInt64("rng.model.rnn", [0, 0, 0, 0], 4)));
        Assert.Contains("'rng.model.rnn' is an all-zero generator state", e.Message);
    }

    [Fact]
    public void Restore_names_the_file_and_the_tensor_that_does_not_fit()
    {
        string path = PathOf("a.safetensors");
        Snapshot().Save(path);
        var checkpoint = Checkpoint.Load(path);

        var wider = new CharLanguageModel(Config with { Rnn = Config.Rnn with { HiddenSize = 6 } }, new Rng(1));
        var e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(wider));
        Assert.Equal($"{path}: tensor 'model.rnn.weight_ih_l0' has shape [15, 4] but the CharLanguageModel needs [18, 4]", e.Message);

        var shallower = new CharLanguageModel(Config with { Rnn = Config.Rnn with { NumLayers = 1 } }, new Rng(1));
        e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(shallower));
        Assert.Contains("missing [], unexpected [model.rnn.bias_hh_l1, model.rnn.bias_ih_l1, model.rnn.weight_hh_l1, model.rnn.weight_ih_l1]", e.Message);

        var model = new CharLanguageModel(Config, new Rng(1));
        var sgd = new Sgd(model.Parameters, 0.1);
        e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(model, sgd));
        Assert.Equal($"{path}: the optimizer state does not fit: the state is from a Adam optimizer, this is a Sgd (Parameter 'state')", e.Message);

        var weightsOnly = Checkpoint.Capture("charlm", Config.ToJson(), model);
        e = Assert.Throws<InvalidDataException>(() => weightsOnly.Restore(model, new Adam(model.Parameters)));
        Assert.Equal("<memory>: the checkpoint holds no optimizer state", e.Message);

        checkpoint.Rngs["model.head"] = new Rng(1).GetState();
        e = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(model));
        Assert.Contains("random generator states do not match the CharLanguageModel's modules: missing [], unexpected [model.head]", e.Message);
    }

    [Fact]
    public void The_char_language_model_checkpoint_round_trips_and_reads_the_first_format()
    {
        var (model, _, _, _) = Trained(3);
        var vocab = Vocab();
        string path = PathOf("charlm.safetensors");
        CharLanguageModelCheckpoint.Save(path, model, vocab, new Dictionary<string, string> { ["epoch"] = "4", ["val_bpc"] = "2.5000" });
        var (loaded, loadedVocab, info) = CharLanguageModelCheckpoint.Load(path);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(vocab.ToJson(), loadedVocab.ToJson());
        Assert.Equal("2.5000", info["val_bpc"]);
        AssertSameTensors(model.StateDict(), loaded.StateDict());
        Assert.Equal(Logits(model), Logits(loaded));

        // Format 1 (before resumable checkpoints): bare weight names, the vocabulary in recur.vocabulary.
        var v1 = new SafetensorsWriter()
            .AddMetadata("format", "recur-checkpoint/1").AddMetadata("recur.kind", "charlm")
            .AddMetadata("recur.config", model.Config.ToJson()).AddMetadata("recur.vocabulary", vocab.ToJson())
            .AddMetadata("recur.info.epoch", "4");
        foreach (var (name, p) in model.NamedParameters()) v1.Add(name, p.Value);
        v1.Save(PathOf("v1.safetensors"));
        var (old, _, oldInfo) = CharLanguageModelCheckpoint.Load(PathOf("v1.safetensors"));
        Assert.Equal(Logits(model), Logits(old));
        Assert.Equal("4", oldInfo["epoch"]);
    }

    [Fact]
    public void A_char_language_model_checkpoint_with_a_mismatched_vocabulary_is_refused()
    {
        var (model, _, _, _) = Trained(3);
        var small = Vocabulary.ForCharacters("a");
        CharLanguageModelCheckpoint.Save(PathOf("c.safetensors"), model, small);
        var e = Assert.Throws<InvalidDataException>(() => CharLanguageModelCheckpoint.Load(PathOf("c.safetensors")));
        Assert.Contains($"the vocabulary has {small.Count} tokens but the model expects {Config.VocabSize}", e.Message);
    }

    [Fact]
    public void A_generator_state_continues_the_same_stream()
    {
        var rng = new Rng(42);
        for (int i = 0; i < 5; i++) rng.NextUInt64();
        var state = rng.GetState();
        ulong[] expected = [rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64()];
        var other = new Rng(7);
        other.SetState(state);
        Assert.Equal(expected, new[] { other.NextUInt64(), other.NextUInt64(), other.NextUInt64() });
        Assert.Throws<ArgumentException>(() => other.SetState(default));
    }

    private static float[] Logits(CharLanguageModel model)
    {
        model.Training = false;
        var tape = new Tape();
        int[] tokens = [0, 1, 2, 3, 4, 5];
        return tape.Linear(model.Head, tape.Recurrent(model.Rnn, tape.Embedding(model.Embedding, tokens, 2, 3)).Output).Value.Span.ToArray();
    }

    private static SafetensorsWriter Rewrite(string path, Func<string, bool>? keep = null)
    {
        using var file = SafetensorsFile.Open(path);
        return Fixtures.Rewrite(file, keep);
    }

    private static Checkpoint FromWriter(SafetensorsWriter writer) => Checkpoint.FromBytes(writer.ToBytes(), source: "bad.safetensors");

    private static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, t) in expected)
        {
            Assert.Equal(t.Shape.ToArray(), actual[name].Shape.ToArray());
            Assert.True(t.Span.SequenceEqual(actual[name].Span), $"tensor {name} differs");
        }
    }
}
