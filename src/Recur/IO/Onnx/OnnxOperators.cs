using Recur.Layers;

namespace Recur.IO.Onnx;

/// <summary>Runs one node: values of its inputs (null for an omitted optional input) -> values of its outputs.</summary>
internal delegate OnnxValue[] OnnxKernel(OnnxValue?[] inputs);

/// <summary>
/// The operators of the default ONNX domain that the interpreter implements, each with the attributes it understands
/// (any other attribute on a node is an <see cref="OnnxUnsupportedException"/>) and a compile step that reads the
/// attributes once at load time and returns the node's kernel.
/// </summary>
internal static class OnnxOperators
{
    private sealed record Entry(string[] Attributes, Func<OnnxNode, OnnxKernel> Compile);

    private static readonly Dictionary<string, Entry> Table = new(StringComparer.Ordinal)
    {
        ["Identity"] = new([], OnnxTensorOps.Identity),
        ["Constant"] = new(["value", "value_float", "value_floats", "value_int", "value_ints"], OnnxTensorOps.Constant),
        ["ConstantOfShape"] = new(["value"], OnnxTensorOps.ConstantOfShape),
        ["Shape"] = new(["start", "end"], OnnxTensorOps.ShapeOf),
        ["Cast"] = new(["to", "saturate"], OnnxTensorOps.Cast),
        ["Reshape"] = new(["allowzero"], OnnxTensorOps.Reshape),
        ["Squeeze"] = new(["axes"], OnnxTensorOps.Squeeze),
        ["Unsqueeze"] = new(["axes"], OnnxTensorOps.Unsqueeze),
        ["Transpose"] = new(["perm"], OnnxTensorOps.Transpose),
        ["Concat"] = new(["axis"], OnnxTensorOps.Concat),
        ["Slice"] = new(["starts", "ends", "axes"], OnnxTensorOps.Slice),
        ["Gather"] = new(["axis"], OnnxTensorOps.Gather),
        ["Expand"] = new([], OnnxTensorOps.Expand),
        ["TopK"] = new(["axis", "largest", "sorted"], OnnxTensorOps.TopK),
        ["ScatterElements"] = new(["axis", "reduction"], OnnxTensorOps.ScatterElements),
        ["Add"] = new([], OnnxMathOps.Add),
        ["Sub"] = new([], OnnxMathOps.Sub),
        ["Mul"] = new([], OnnxMathOps.Mul),
        ["Div"] = new([], OnnxMathOps.Div),
        ["MatMul"] = new([], OnnxMathOps.MatMul),
        ["Gemm"] = new(["alpha", "beta", "transA", "transB"], OnnxMathOps.Gemm),
        ["Softmax"] = new(["axis"], OnnxMathOps.Softmax),
        ["LogSoftmax"] = new(["axis"], OnnxMathOps.LogSoftmax),
        ["Sigmoid"] = new([], OnnxMathOps.Sigmoid),
        ["Tanh"] = new([], OnnxMathOps.Tanh),
        ["Relu"] = new([], OnnxMathOps.Relu),
        ["RNN"] = new(OnnxRecurrentSpec.RnnAttributes, n => new OnnxRecurrentOp(n, CellKind.Rnn).Run),
        ["GRU"] = new(OnnxRecurrentSpec.GruAttributes, n => new OnnxRecurrentOp(n, CellKind.Gru).Run),
        ["LSTM"] = new(OnnxRecurrentSpec.LstmAttributes, n => new OnnxRecurrentOp(n, CellKind.Lstm).Run),
    };

    /// <summary>The supported op types, sorted.</summary>
    public static IEnumerable<string> Supported => Table.Keys.Order(StringComparer.Ordinal);

    /// <summary>Checks the node's op type and attributes and returns its kernel.</summary>
    public static OnnxKernel Compile(OnnxNode node)
    {
        if (!Table.TryGetValue(node.OpType, out var entry))
            throw node.Unsupported(null, $"operator '{node.OpType}' is not supported (supported: {string.Join(", ", Supported)})");
        foreach (string a in node.AttributeNames)
            if (!entry.Attributes.Contains(a))
                throw node.Unsupported(a, $"attribute '{a}' is not supported by this interpreter's {node.OpType}");
        return entry.Compile(node);
    }
}
