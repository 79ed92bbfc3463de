using Google.Protobuf;
using Recur.IO.Onnx.Protos;

namespace Recur.IO.Onnx;

/// <summary>
/// Assembles an ONNX graph for the exporter: initializers, nodes with generated unique names, and typed graph
/// inputs/outputs whose dimensions are fixed sizes or symbols (e.g. "batch").
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>Adds a constant tensor and returns its name.</summary>
    public string Initializer(string name, OnnxValue value)
    {
        _graph.Initializer.Add(OnnxTensorCodec.Encode(value, name));
        return name;
    }

    /// <summary>An int64 constant [n] (shapes, axes, slice bounds).</summary>
    public string Int64s(string name, params long[] values) => Initializer(name, OnnxValue.FromInt64(values, values.Length));

    /// <summary>Adds a node; returns the names of its <paramref name="outputs"/> outputs (prefix/op_k/i).</summary>
    public string[] Node(string opType, string prefix, string[] inputs, int outputs = 1, params AttributeProto[] attributes)
    {
        int k = _counts.GetValueOrDefault(prefix + opType);
        _counts[prefix + opType] = k + 1;
        string name = $"{prefix}{opType}_{k}";
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(i => $"{name}/out{i}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>Adds a node whose single output is the graph value <paramref name="output"/>.</summary>
    public void NodeTo(string opType, string prefix, string[] inputs, string output, params AttributeProto[] attributes)
    {
        Node(opType, prefix, inputs, 1, attributes);
        _graph.Node[^1].Output[0] = output;
    }

    public void Input(string name, OnnxElementType type, params object[] dims) => _graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, OnnxElementType type, params object[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>The model: IR version 7, default-domain opset <paramref name="opset"/>, producer Recur.</summary>
    public ModelProto Model(int opset, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "Recur",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    public static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    public static AttributeProto String(string name, string v) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto Strings(string name, params string[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(v.Select(ByteString.CopyFromUtf8));
        return a;
    }

    // dims: int for a fixed size, string for a symbol
    private static ValueInfoProto ValueInfo(string name, OnnxElementType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
