using Recur.IO.Onnx;

namespace Recur.Tests.IO.Onnx;

/// <summary>
/// Single RNN/GRU/LSTM nodes with what PyTorch never exports (clip, input_forget, peepholes over several steps, reverse
/// direction, layout 1, activations with alpha/beta, an empty sequence), against the float64 numpy transcription of
/// the ONNX definitions in tests/fixtures/onnx/make_models.py.
/// </summary>
public class OnnxSpecCaseTests
{
    public static TheoryData<string> Cases() => new(OnnxTorchExportTests.Names("spec"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluator_matches_the_reference(string name)
    {
        var model = OnnxModel.Load(Path.Combine(Fixtures.Dir("onnx"), "spec", name + ".onnx"));
        var (inputs, expected) = OnnxTorchExportTests.ReadCase(model, "spec/" + name);
        var outputs = model.Run(inputs);
        foreach (var (key, value) in expected)
            OnnxAssert.Close(value, outputs[key], 2e-6f, 1e-5f, $"{name} {key}");
    }

    [Fact]
    public void There_are_spec_cases_for_every_cell() =>
        Assert.Equal(["gru", "lstm", "rnn"], OnnxTorchExportTests.Names("spec").Select(n => n.Split('_')[0]).Distinct().Order());
}
