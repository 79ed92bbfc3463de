using Google.Protobuf;
using Recur.IO.Onnx;
using Recur.IO.Onnx.Protos;

namespace Recur.Tests.IO.Onnx;

/// <summary>The non-recurrent operators on small hand-checked cases (numpy semantics), one node per graph.</summary>
public class OnnxOperatorTests
{
    private static OnnxValue F(float[] data, params int[] shape) => OnnxValue.FromFloats(data, shape);
    private static OnnxValue L(long[] data, params int[] shape) => OnnxValue.FromInt64(data, shape);

    private static OnnxValue[] Run(string op, (string Name, OnnxValue Value)[] inputs, int outputs = 1, int opset = 14, params AttributeProto[] attributes)
    {
        var graph = new GraphProto { Name = "g" };
        var node = new NodeProto { OpType = op, Name = "n" };
        foreach (var (name, _) in inputs)
        {
            node.Input.Add(name);
            if (name.Length > 0) graph.Input.Add(new ValueInfoProto { Name = name });
        }
        for (int i = 0; i < outputs; i++)
        {
            node.Output.Add($"out{i}");
            graph.Output.Add(new ValueInfoProto { Name = $"out{i}" });
        }
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = opset });
        var result = OnnxModel.FromBytes(model.ToByteArray(), op).Run(inputs.Where(i => i.Name.Length > 0).ToDictionary(i => i.Name, i => i.Value));
        return Enumerable.Range(0, outputs).Select(i => result[$"out{i}"]).ToArray();
    }

    private static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
    private static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

    private static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    private static void Equal(OnnxValue expected, OnnxValue actual) => OnnxAssert.Close(expected, actual, 1e-6f, 1e-6f, "result");

    [Fact]
    public void Broadcasting_arithmetic()
    {
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        Equal(F([11, 22, 33, 14, 25, 36], 2, 3), Run("Add", [("a", a), ("b", F([10, 20, 30], 3))])[0]);
        Equal(F([0, 1, 2, 2, 3, 4], 2, 3), Run("Sub", [("a", a), ("b", F([1, 2], 2, 1))])[0]);
        Equal(F([2, 4, 6, 8, 10, 12], 2, 3), Run("Mul", [("a", a), ("b", F([2], []))])[0]);
        Equal(L([3, -3, 2], 3), Run("Div", [("a", L([7, -7, 9], 3)), ("b", L([2, 2, 4], 3))])[0]); // truncates toward 0
        Assert.Contains("division by zero", Assert.Throws<OnnxFormatException>(() => Run("Div", [("a", L([1], 1)), ("b", L([0], 1))])).Message);
        Assert.Contains("do not broadcast", Assert.Throws<OnnxFormatException>(() => Run("Add", [("a", a), ("b", F([1, 2], 2))])).Message);
    }

    [Fact]
    public void MatMul_and_Gemm()
    {
        var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        var b = F([1, 0, 0, 1, 1, 1], 3, 2);
        Equal(F([4, 5, 10, 11], 2, 2), Run("MatMul", [("a", a), ("b", b)])[0]);
        Equal(F([14, 32], 2), Run("MatMul", [("a", a), ("b", F([1, 2, 3], 3))])[0]);                  // 1-D B
        Equal(F([9, 12, 15], 3), Run("MatMul", [("a", F([1, 2], 2)), ("b", a)])[0]);                   // 1-D A
        // batched with broadcasting: [2, 1, 2] x [2, 2] and [1, 2, 2] x [2, 2, 1]
        Equal(F([1, 2, 3, 4], 2, 1, 2), Run("MatMul", [("a", F([1, 2, 3, 4], 2, 1, 2)), ("b", F([1, 0, 0, 1], 2, 2))])[0]);
        Equal(F([5, 11, 6, 14], 2, 2, 1), Run("MatMul", [("a", F([1, 2, 3, 4], 1, 2, 2)), ("b", F([1, 2, 2, 2], 2, 2, 1))])[0]);
        // Gemm: 2 * A^T B^T + 0.5 * C with C [2] broadcast over rows
        var at = F([1, 4, 2, 5, 3, 6], 3, 2);      // A^T stored
        var bt = F([1, 0, 1, 0, 1, 1], 2, 3);      // B^T stored
        Equal(F([2 * 4 + 0.5f, 2 * 5 + 1, 2 * 10 + 0.5f, 2 * 11 + 1], 2, 2),
            Run("Gemm", [("a", at), ("b", bt), ("c", F([1, 2], 2))], 1, 14, Int("transA", 1), Int("transB", 1), Float("alpha", 2), Float("beta", 0.5f))[0]);
    }

    [Fact]
    public void Softmax_follows_the_opset()
    {
        var x = F([1, 2, 3, 4], 2, 2);
        // opset 13+: along axis 0 (columns)
        float e = 1 / (1 + MathF.Exp(2));
        Equal(F([e, e, 1 - e, 1 - e], 2, 2), Run("Softmax", [("x", x)], 1, 14, Int("axis", 0))[0]);
        // before 13: axis 0 flattens everything into one row
        var all = new[] { 1f, 2, 3, 4 }.Select(MathF.Exp).ToArray();
        float sum = all.Sum();
        Equal(F(all.Select(v => v / sum).ToArray(), 2, 2), Run("Softmax", [("x", x)], 1, 11, Int("axis", 0))[0]);
        var log = Run("LogSoftmax", [("x", x)])[0];
        Equal(F([MathF.Log(1 - e2()), MathF.Log(e2()), MathF.Log(1 - e2()), MathF.Log(e2())], 2, 2), log);
        static float e2() => 1 / (1 + MathF.Exp(-1));
    }

    [Fact]
    public void Shape_manipulation()
    {
        var x = F([1, 2, 3, 4, 5, 6], 2, 1, 3);
        Assert.Equal([2, 3], Run("Squeeze", [("x", x), ("axes", L([1], 1))])[0].Shape.ToArray());
        Assert.Equal([2, 3], Run("Squeeze", [("x", x)], 1, 11, Ints("axes", -2))[0].Shape.ToArray());
        Assert.Equal([1, 2, 1, 3, 1], Run("Unsqueeze", [("x", F([1, 2, 3, 4, 5, 6], 2, 3)), ("axes", L([0, 2, -1], 3))])[0].Shape.ToArray());
        Assert.Equal([3, 2], Run("Reshape", [("x", x), ("s", L([-1, 2], 2))])[0].Shape.ToArray());
        Assert.Equal([2, 3], Run("Reshape", [("x", x), ("s", L([0, 3], 2))])[0].Shape.ToArray());
        Assert.Contains("cannot reshape", Assert.Throws<OnnxFormatException>(() => Run("Reshape", [("x", x), ("s", L([0, 3], 2))], 1, 14, Int("allowzero", 1))).Message);
        Equal(L([1, 3], 2), Run("Shape", [("x", x)], 1, 15, Int("start", 1))[0]);
        Equal(F([1, 4, 2, 5, 3, 6], 3, 1, 2), Run("Transpose", [("x", x)])[0]);
        Equal(F([1, 2, 3, 9, 4, 5, 6, 9], 2, 4), Run("Concat", [("a", F([1, 2, 3, 4, 5, 6], 2, 3)), ("b", F([9, 9], 2, 1))], 1, 14, Int("axis", -1))[0]);
        Equal(F([1, 2, 1, 2, 1, 2], 3, 2), Run("Expand", [("x", F([1, 2], 2)), ("s", L([3, 1], 2))])[0]);
        Equal(L([7, 7, 7, 7], 2, 2), Run("ConstantOfShape", [("s", L([2, 2], 2))], 1, 14,
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensorCodec.Encode(L([7], 1), "") })[0]);
    }

    [Fact]
    public void Slice_with_negative_steps_and_clamping()
    {
        var x = F([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3, 4);
        // rows 0..: every row, columns from the end backwards in steps of 2
        Equal(F([3, 1, 7, 5, 11, 9], 3, 2), Run("Slice", [("x", x), ("s", L([-1], 1)), ("e", L([long.MinValue], 1)), ("a", L([1], 1)), ("p", L([-2], 1))])[0]);
        Equal(F([4, 5, 6, 7, 8, 9, 10, 11], 2, 4), Run("Slice", [("x", x), ("s", L([1], 1)), ("e", L([long.MaxValue], 1))])[0]);
        Equal(F([5, 6], 1, 2), Run("Slice", [("x", x)], 1, 9, Ints("starts", 1, 1), Ints("ends", 2, 3))[0]);
        Assert.Equal([0, 4], Run("Slice", [("x", x), ("s", L([5], 1)), ("e", L([9], 1))])[0].Shape.ToArray());
    }

    [Fact]
    public void Gather_Cast_TopK_ScatterElements()
    {
        var x = F([1, 2, 3, 4, 5, 6], 2, 3);
        Equal(F([3, 1, 6, 4], 2, 2), Run("Gather", [("x", x), ("i", L([-1, 0], 2))], 1, 14, Int("axis", 1))[0]);
        Assert.Contains("index 2", Assert.Throws<OnnxFormatException>(() => Run("Gather", [("x", x), ("i", L([2], 1))])).Message);
        Equal(OnnxValue.FromInt32([1, -2, 0], 3), Run("Cast", [("x", F([1.9f, -2.7f, 0.2f], 3))], 1, 14, Int("to", 6))[0]);
        Equal(F([2, 0], 2), Run("Cast", [("x", L([2, 0], 2))], 1, 14, Int("to", 1))[0]);
        var top = Run("TopK", [("x", L([3, 5, 3, 9], 4)), ("k", L([3], 1))], 2);
        Equal(L([9, 5, 3], 3), top[0]);
        Equal(L([3, 1, 0], 3), top[1]); // ties: the lower index first
        Equal(L([0, 20, 0, 10], 4), Run("ScatterElements", [("d", L([0, 0, 0, 0], 4)), ("i", L([3, 1], 2)), ("u", L([10, 20], 2))])[0]);
    }
}
