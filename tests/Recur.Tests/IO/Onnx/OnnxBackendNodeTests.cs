using Recur.IO.Onnx;
using Recur.IO.Onnx.Protos;

namespace Recur.Tests.IO.Onnx;

/// <summary>Skips the theory when Debian's libonnx-testdata is not installed (.ci/run installs it).</summary>
public sealed class OnnxTestDataTheoryAttribute : TheoryAttribute
{
    public OnnxTestDataTheoryAttribute()
    {
        if (!Directory.Exists(OnnxBackendNodeTests.Root))
            Skip = $"the ONNX backend test data is not installed ({OnnxBackendNodeTests.Root}; apt-get install libonnx-testdata)";
    }
}

/// <summary>
/// The ONNX backend node tests for RNN, GRU and LSTM from libonnx-testdata: model.onnx plus input_*.pb and
/// output_*.pb TensorProtos. Each runs twice: as loaded (Recur layers where they match) and with every recurrent
/// node forced onto the general ONNX evaluator.
/// </summary>
public class OnnxBackendNodeTests
{
    public const string Root = "/usr/share/libonnx-testdata/data/node";

    // The cases libonnx-testdata 1.12 ships; any further test_{simple_rnn,rnn,lstm,gru}_* found on disk runs too.
    private static readonly string[] Known =
    [
        "test_gru_batchwise", "test_gru_defaults", "test_gru_seq_length", "test_gru_with_initial_bias",
        "test_lstm_batchwise", "test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes",
        "test_rnn_seq_length", "test_simple_rnn_batchwise", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias",
    ];

    public static TheoryData<string, bool> Cases()
    {
        var names = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).Where(IsRecurrentCase).Select(n => n!).Union(Known)
            : Known;
        var data = new TheoryData<string, bool>();
        foreach (string name in names.Order(StringComparer.Ordinal))
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    private static bool IsRecurrentCase(string? name) =>
        name is not null && new[] { "test_simple_rnn_", "test_rnn_", "test_lstm_", "test_gru_" }.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    [OnnxTestDataTheory]
    [MemberData(nameof(Cases))]
    public void Reproduces_the_reference_outputs(string name, bool forceGeneral)
    {
        string dir = Path.Combine(Root, name);
        var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        foreach (var op in model.RecurrentOps) op.ForceGeneral = forceGeneral;
        foreach (string set in Directory.GetDirectories(dir, "test_data_set_*"))
        {
            var inputs = new Dictionary<string, OnnxValue>();
            for (int i = 0; i < model.Inputs.Count; i++)
                inputs[model.Inputs[i].Name] = ReadTensor(Path.Combine(set, $"input_{i}.pb"));
            var outputs = model.Run(inputs);
            for (int i = 0; i < model.Outputs.Count; i++)
            {
                var expected = ReadTensor(Path.Combine(set, $"output_{i}.pb"));
                OnnxAssert.Close(expected, outputs[model.Outputs[i].Name], 1e-5f, 1e-4f, $"{name}/{Path.GetFileName(set)} output {model.Outputs[i].Name}");
            }
        }
        if (!forceGeneral) Assert.NotEmpty(model.RecurrentOps);
    }

    [OnnxTestDataTheory]
    [InlineData("test_lstm_defaults", true)]
    [InlineData("test_gru_defaults", true)]
    [InlineData("test_simple_rnn_defaults", true)]
    [InlineData("test_lstm_with_peepholes", true)] // non-zero P: the peephole LSTM layer
    public void Standard_nodes_run_on_recur_layers(string name, bool onLayer)
    {
        string dir = Path.Combine(Root, name);
        var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        var inputs = new Dictionary<string, OnnxValue>();
        for (int i = 0; i < model.Inputs.Count; i++)
            inputs[model.Inputs[i].Name] = ReadTensor(Path.Combine(dir, "test_data_set_0", $"input_{i}.pb"));
        model.Run(inputs);
        Assert.Equal(onLayer, Assert.Single(model.RecurrentOps).LastRunUsedLayer);
    }

    [OnnxTestDataTheory]
    [MemberData(nameof(KnownNames))]
    public void Every_known_case_is_installed(string name) => Assert.True(Directory.Exists(Path.Combine(Root, name)), name);

    public static TheoryData<string> KnownNames() => new(Known);

    internal static OnnxValue ReadTensor(string path) =>
        OnnxTensorCodec.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), path);
}
