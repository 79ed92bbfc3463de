using Recur.IO.Onnx;
using Recur.IO.Safetensors;

namespace Recur.Tests.IO.Onnx;

/// <summary>
/// Models exported by torch.onnx.export (tests/fixtures/onnx/make_models.py, PyTorch 1.13, opset 14): importing them
/// reproduces PyTorch's outputs, on Recur layers and on the general evaluator alike.
/// </summary>
public class OnnxTorchExportTests
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Names())
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    internal static IEnumerable<string> Names(string group = "torch") =>
        Directory.GetFiles(Path.Combine(Fixtures.Dir("onnx"), group), "*.onnx").Select(Path.GetFileNameWithoutExtension).Select(n => n!).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Import_reproduces_pytorch(string name, bool forceGeneral)
    {
        var model = OnnxModel.Load(Path.Combine(Fixtures.Dir("onnx"), "torch", name + ".onnx"));
        Assert.Equal("pytorch", model.ProducerName);
        foreach (var op in model.RecurrentOps) op.ForceGeneral = forceGeneral;
        var (inputs, expected) = ReadCase(model, "torch/" + name);
        var outputs = model.Run(inputs);
        Assert.Equal(expected.Keys.Order(), outputs.Keys.Order());
        foreach (var (key, value) in expected)
            OnnxAssert.Close(value, outputs[key], 1e-5f, 1e-5f, $"{name} {key}");
        Assert.NotEmpty(model.RecurrentOps);
        if (!forceGeneral) Assert.All(model.RecurrentOps, op => Assert.True(op.LastRunUsedLayer));
    }

    [Fact]
    public void The_fixtures_cover_the_exported_model_kinds()
    {
        var names = Names().ToArray();
        Assert.Equal(8, names.Length);
        var ops = names.SelectMany(n => OnnxModel.Load(Path.Combine(Fixtures.Dir("onnx"), "torch", n + ".onnx")).OperatorTypes).ToHashSet();
        foreach (string op in new[] { "LSTM", "GRU", "RNN", "Gather", "Gemm", "MatMul", "Add", "Transpose", "Reshape", "Slice", "Concat", "Softmax", "LogSoftmax", "TopK", "ScatterElements", "Expand" })
            Assert.Contains(op, ops);
    }

    /// <summary>
    /// The inputs (input.NAME) and expected outputs (output.NAME) stored beside NAME.onnx; integer inputs are stored
    /// as I64 and given the type <paramref name="model"/> declares.
    /// </summary>
    internal static (Dictionary<string, OnnxValue> Inputs, Dictionary<string, OnnxValue> Outputs) ReadCase(OnnxModel model, string name)
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Dir("onnx"), name + ".safetensors"));
        var inputs = new Dictionary<string, OnnxValue>();
        var outputs = new Dictionary<string, OnnxValue>();
        foreach (var info in file.Tensors)
        {
            string[] parts = info.Name.Split('.', 2);
            var type = model.Inputs.FirstOrDefault(i => i.Name == parts[1])?.DataType == (int)OnnxElementType.Int32 ? OnnxElementType.Int32 : OnnxElementType.Int64;
            var value = info.DType == SafetensorsDType.I64
                ? OnnxValue.FromIntegers(type, file.ReadInt64(info.Name), info.ShapeArray)
                : OnnxValue.FromFloats(file.ReadFloat32(info.Name), info.ShapeArray);
            (parts[0] == "input" ? inputs : outputs)[parts[1]] = value;
        }
        return (inputs, outputs);
    }
}
