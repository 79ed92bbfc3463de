using System.Text.Json.Nodes;
using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tests.IO.Checkpoints;

/// <summary>
/// Weights cross between PyTorch and Recur in both directions (tests/fixtures/pytorch-interop, see its README):
/// state_dicts torch saved load into the equivalent Recur models with strict names and give torch's logits; weights
/// Recur saved loaded into torch with strict=True (torch's logits on them are committed) and give the same logits here.
/// </summary>
public class PyTorchInteropTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>Set to the source fixture folder to (re)write the recur_*.safetensors files, then run make_interop.py.</summary>
    private const string WriteVariable = "RECUR_WRITE_INTEROP_FIXTURES";

    private static string Dir => Fixtures.Dir("pytorch-interop");

    /// <summary>The models Recur writes for torch, with the seed of their weights (the script has the same configs).</summary>
    private static readonly Dictionary<string, (string Config, ulong Seed)> RecurModels = new()
    {
        ["charlm_lstm"] = ("""{"kind": "charlm", "vocab_size": 11, "embedding_dim": 5, "cell": "lstm", "hidden_size": 7, "num_layers": 2}""", 2024),
        ["classifier_bilstm"] = ("""{"kind": "classifier", "vocab_size": 13, "embedding_dim": 6, "cell": "lstm", "hidden_size": 5, "num_layers": 2, "bidirectional": true, "classes": 4}""", 2025),
    };

    public static TheoryData<string> TorchModels() => ["charlm_lstm", "charlm_gru", "charlm_rnn", "classifier_bilstm"];

    public static TheoryData<string> RecurModelNames() => [.. RecurModels.Keys];

    [Theory]
    [MemberData(nameof(TorchModels))]
    public void A_state_dict_saved_by_pytorch_loads_strictly_and_reproduces_its_logits(string name)
    {
        using var io = SafetensorsFile.Open(Path.Combine(Dir, $"torch_{name}.io.safetensors"));
        var model = Build(io.Metadata["config"], new Rng(99));
        model.LoadSafetensors(Path.Combine(Dir, $"torch_{name}.safetensors"), strict: true);
        AssertClose(io.ReadTensor("logits"), Logits(model, io), name);
    }

    [Theory]
    [MemberData(nameof(RecurModelNames))]
    public void Weights_saved_by_recur_are_the_committed_file_pytorch_loaded(string name)
    {
        var (config, seed) = RecurModels[name];
        var stream = new MemoryStream();
        Build(config, new Rng(seed)).WriteSafetensors(stream);
        byte[] bytes = stream.ToArray();
        if (Environment.GetEnvironmentVariable(WriteVariable) is { Length: > 0 } target)
            File.WriteAllBytes(Path.Combine(target, $"recur_{name}.safetensors"), bytes);
        byte[] committed = File.ReadAllBytes(Path.Combine(Dir, $"recur_{name}.safetensors"));
        Assert.True(committed.AsSpan().SequenceEqual(bytes),
            $"recur_{name}.safetensors no longer matches what Recur writes: regenerate it ({WriteVariable}=tests/fixtures/pytorch-interop) and rerun make_interop.py");
    }

    [Theory]
    [MemberData(nameof(RecurModelNames))]
    public void Pytorch_running_recur_weights_gives_recur_logits(string name)
    {
        var (config, seed) = RecurModels[name];
        using var io = SafetensorsFile.Open(Path.Combine(Dir, $"recur_{name}.torch.safetensors"));
        Assert.Equal($"recur_{name}.safetensors", io.Metadata["weights"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(config), JsonNode.Parse(io.Metadata["config"])), $"the script's config of {name} differs from the test's");
        AssertClose(io.ReadTensor("logits"), Logits(Build(config, new Rng(seed)), io), name);
    }

    [Fact]
    public void Strict_loading_names_the_file_and_the_missing_and_unexpected_tensors()
    {
        string path = Path.Combine(Dir, "torch_charlm_lstm.safetensors");
        var wrongDepth = new CharLanguageModel(new CharLanguageModelConfig(11, 5, new RecurrentConfig(CellKind.Lstm, 7, NumLayers: 1)), new Rng(1));
        var e = Assert.Throws<InvalidDataException>(() => wrongDepth.LoadSafetensors(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing [], unexpected [rnn.bias_hh_l1, rnn.bias_ih_l1, rnn.weight_hh_l1, rnn.weight_ih_l1]", e.Message);

        var wrongWidth = new CharLanguageModel(new CharLanguageModelConfig(11, 5, new RecurrentConfig(CellKind.Lstm, 8, NumLayers: 2)), new Rng(1));
        e = Assert.Throws<InvalidDataException>(() => wrongWidth.LoadSafetensors(path));
        Assert.Contains("tensor 'rnn.weight_ih_l0' has shape [28, 5] but the CharLanguageModel needs [32, 5]", e.Message);

        var gru = new CharLanguageModel(new CharLanguageModelConfig(11, 5, new RecurrentConfig(CellKind.Gru, 7, NumLayers: 2)), new Rng(1));
        Assert.Contains("rnn.weight_ih_l0", Assert.Throws<InvalidDataException>(() => gru.LoadSafetensors(path)).Message);

        // Non-strict loading takes the layers that exist and leaves the rest.
        float before = wrongDepth.Head.Weight.Value[0];
        var partial = new CharLanguageModel(new CharLanguageModelConfig(11, 5, new RecurrentConfig(CellKind.Lstm, 7, NumLayers: 1)), new Rng(1));
        partial.LoadSafetensors(path, strict: false);
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(file.ReadFloat32("head.weight"), partial.Head.Weight.Value.Span.ToArray());
        Assert.NotEqual(before, partial.Head.Weight.Value[0]);
    }

    /// <summary>The Recur model a fixture config describes (the script's <c>build</c>).</summary>
    private static Module Build(string json, Rng rng)
    {
        var c = JsonNode.Parse(json)!.AsObject();
        int Int(string key) => c[key]!.GetValue<int>();
        var cell = ConfigJson.Parse<CellKind>(c["cell"]!.GetValue<string>())!.Value;
        return c["kind"]!.GetValue<string>() switch
        {
            "charlm" => new CharLanguageModel(new CharLanguageModelConfig(Int("vocab_size"), Int("embedding_dim"), new RecurrentConfig(cell, Int("hidden_size"), Int("num_layers"))), rng),
            "classifier" => new SequenceClassifier(Int("vocab_size"), Int("embedding_dim"),
                new RecurrentConfig(cell, Int("hidden_size"), Int("num_layers"), c["bidirectional"]!.GetValue<bool>()), Int("classes"), SequencePooling.Last, rng: rng),
            string kind => throw new ArgumentException($"unknown fixture kind '{kind}'"),
        };
    }

    /// <summary>Evaluation-mode logits for the fixture's tokens [B, T] (and lengths [B]).</summary>
    private static Tensor Logits(Module model, SafetensorsFile io)
    {
        model.Training = false;
        int[] tokens = io.ReadInt32("tokens");
        int[] shape = io.GetInfo("tokens").Shape.ToArray();
        int b = shape[0], t = shape[1];
        var tape = new Tape();
        return model switch
        {
            CharLanguageModel lm => tape.Linear(lm.Head, tape.Recurrent(lm.Rnn, tape.Embedding(lm.Embedding, tokens, b, t)).Output).Value,
            SequenceClassifier classifier => classifier.Logits(tape, tokens, b, t, io.ReadInt32("lengths")).Value,
            _ => throw new ArgumentException($"no logits for {model.GetType().Name}"),
        };
    }

    private static void AssertClose(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= Tolerance, $"{name}: logits differ from PyTorch's by up to {worst:G3} (tolerance {Tolerance})");
    }
}
