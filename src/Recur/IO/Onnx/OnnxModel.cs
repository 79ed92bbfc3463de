using Google.Protobuf;
using Recur.IO.Onnx.Protos;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// A loaded ONNX model that runs on a small graph interpreter: node by node in file order, over float32 and integer
/// tensors (<see cref="OnnxValue"/>). RNN, GRU and LSTM nodes run on Recur's recurrent layers where their attributes
/// allow and on an ONNX-semantics evaluator otherwise; the other supported operators are the ones exported graphs put
/// around them (Gather, Gemm, MatMul, Add, Transpose, Reshape, Slice, Concat, Softmax, ...; see docs/guide-onnx.md).
/// Everything is checked at load: the protobuf, the tensors, that every node input is defined, and that every operator
/// and attribute is supported, so an unsupported model fails at <see cref="Load(string)"/> naming the node.
/// <see cref="Run"/> may be called from several threads.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Lowest default-domain opset whose operator semantics the interpreter implements.</summary>
    public const int MinOpset = 7;

    /// <summary>Highest default-domain opset accepted.</summary>
    public const int MaxOpset = 22;

    private readonly OnnxNode[] _nodes;
    private readonly OnnxKernel[] _kernels;
    private readonly Dictionary<string, OnnxValue> _initializers;

    private OnnxModel(ModelProto model, string source)
    {
        Source = source;
        var graph = model.Graph ?? throw new OnnxFormatException($"{source}: the model has no graph");
        var defaultSets = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").ToArray();
        if (defaultSets.Length == 0) throw new OnnxFormatException($"{source}: no opset_import for the default ONNX domain");
        long opset = defaultSets.Max(o => o.Version);
        if (opset < MinOpset || opset > MaxOpset)
            throw new OnnxUnsupportedException("(model)", "(opset)", null, $"{source}: default-domain opset {opset} is outside the supported {MinOpset}..{MaxOpset}");
        OpsetVersion = (int)opset;
        IrVersion = model.IrVersion;
        ProducerName = model.ProducerName;
        ProducerVersion = model.ProducerVersion;

        _initializers = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new OnnxFormatException($"{source}: an initializer has no name");
            if (!_initializers.TryAdd(t.Name, OnnxTensorCodec.Decode(t, $"{source}: initializer '{t.Name}'")))
                throw new OnnxFormatException($"{source}: initializer '{t.Name}' is defined twice");
        }
        Inputs = graph.Input.Where(i => !_initializers.ContainsKey(i.Name)).Select(Info).ToArray();
        Outputs = graph.Output.Select(Info).ToArray();

        var defined = new HashSet<string>(_initializers.Keys, StringComparer.Ordinal);
        foreach (var i in graph.Input) defined.Add(i.Name);
        _nodes = new OnnxNode[graph.Node.Count];
        _kernels = new OnnxKernel[graph.Node.Count];
        for (int k = 0; k < _nodes.Length; k++)
        {
            var proto = graph.Node[k];
            var node = new OnnxNode(proto, k, OpsetVersion, source);
            if (proto.Domain is not ("" or "ai.onnx"))
                throw node.Unsupported(null, $"operator domain '{proto.Domain}' is not supported (only the default ONNX domain)");
            foreach (string input in node.Inputs)
                if (input.Length > 0 && !defined.Contains(input))
                    throw node.Invalid($"input '{input}' is not a graph input, an initializer or the output of an earlier node");
            foreach (string output in node.Outputs)
                if (output.Length > 0 && !defined.Add(output))
                    throw node.Invalid($"output '{output}' is already defined");
            _nodes[k] = node;
            _kernels[k] = OnnxOperators.Compile(node);
        }
        foreach (var o in Outputs)
            if (!defined.Contains(o.Name)) throw new OnnxFormatException($"{source}: graph output '{o.Name}' is never computed");
    }

    /// <summary>Reads and checks the model at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxFormatException">The file is not a valid ONNX model.</exception>
    /// <exception cref="OnnxUnsupportedException">The model uses an operator, attribute or opset this interpreter lacks.</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads and checks a model held in memory; <paramref name="source"/> names it in messages.</summary>
    public static OnnxModel FromBytes(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source}: not a valid ONNX protobuf ({e.Message})", e);
        }
        return new OnnxModel(proto, source);
    }

    internal static OnnxModel FromProto(ModelProto proto, string source) => new(proto, source);

    /// <summary>The file (or the name given) the model came from.</summary>
    public string Source { get; }

    /// <summary>The ONNX IR version the file declares.</summary>
    public long IrVersion { get; }

    /// <summary>The default-domain operator set version.</summary>
    public int OpsetVersion { get; }

    /// <summary>The producing tool, e.g. "pytorch".</summary>
    public string ProducerName { get; }

    /// <summary>The producing tool's version.</summary>
    public string ProducerVersion { get; }

    /// <summary>The inputs <see cref="Run"/> needs (graph inputs that are not initializers), as declared.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The outputs <see cref="Run"/> returns, as declared.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The op types of the nodes in execution order.</summary>
    public IReadOnlyList<string> OperatorTypes => _nodes.Select(n => n.OpType).ToArray();

    /// <summary>The constant tensors (weights) by name.</summary>
    public IReadOnlyDictionary<string, OnnxValue> Initializers => _initializers;

    /// <summary>The recurrent nodes' kernels (tests switch them to the general evaluator).</summary>
    internal IEnumerable<OnnxRecurrentOp> RecurrentOps => _kernels.Select(k => k.Target).OfType<OnnxRecurrentOp>();

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (by name; every entry of <see cref="Inputs"/> is required, an
    /// initializer may be overridden) and returns every entry of <see cref="Outputs"/> by name.
    /// </summary>
    /// <exception cref="ArgumentException">An input is missing, unknown, or of the wrong type or declared shape.</exception>
    /// <exception cref="OnnxFormatException">A node met values it cannot work with (the message names the node).</exception>
    public IReadOnlyDictionary<string, OnnxValue> Run(IReadOnlyDictionary<string, OnnxValue> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new Dictionary<string, OnnxValue>(_initializers, StringComparer.Ordinal);
        foreach (var (name, value) in inputs)
        {
            if (value is null) throw new ArgumentNullException(nameof(inputs), $"input '{name}' is null");
            var info = Inputs.FirstOrDefault(i => i.Name == name);
            if (info is null && !_initializers.ContainsKey(name))
                throw new ArgumentException($"'{name}' is not an input of {Source}; the inputs are {string.Join(", ", Inputs.Select(i => i.Name))}", nameof(inputs));
            if (info is not null) CheckInput(info, value);
            values[name] = value;
        }
        foreach (var info in Inputs)
            if (!values.ContainsKey(info.Name)) throw new ArgumentException($"input {info} of {Source} is missing", nameof(inputs));

        for (int k = 0; k < _nodes.Length; k++)
        {
            var node = _nodes[k];
            var args = new OnnxValue?[node.Inputs.Length];
            for (int i = 0; i < args.Length; i++) args[i] = node.Inputs[i].Length == 0 ? null : values[node.Inputs[i]];
            var results = _kernels[k](args);
            for (int i = 0; i < node.Outputs.Length; i++)
            {
                if (node.Outputs[i].Length == 0) continue;
                if (i >= results.Length) throw node.Invalid($"produces {results.Length} outputs, the graph uses output {i}");
                values[node.Outputs[i]] = results[i];
            }
        }
        return Outputs.ToDictionary(o => o.Name, o => values[o.Name], StringComparer.Ordinal);
    }

    private void CheckInput(OnnxValueInfo info, OnnxValue value)
    {
        if (info.DataType != 0 && info.DataType != (int)value.ElementType)
            throw new ArgumentException($"input '{info.Name}' of {Source} must be {OnnxTensorCodec.DataTypeName(info.DataType)}, got {value.ElementType}", "inputs");
        if (info.Dimensions is not { } dims) return;
        bool ok = dims.Count == value.Rank;
        for (int i = 0; ok && i < dims.Count; i++) ok = dims[i].Value is not { } v || v == value.Shape[i];
        if (!ok) throw new ShapeMismatchException("inputs", $"'{info.Name}' [{string.Join(", ", dims)}]", Shape.Format(value.Shape));
    }

    private static OnnxValueInfo Info(ValueInfoProto v)
    {
        var tensor = v.Type?.TensorType;
        IReadOnlyList<OnnxDimension>? dims = tensor?.Shape is { } shape
            ? shape.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new OnnxDimension(d.DimValue, null),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new OnnxDimension(null, d.DimParam),
                _ => new OnnxDimension(null, null),
            }).ToArray()
            : null;
        return new OnnxValueInfo(v.Name, tensor?.ElemType ?? 0, dims);
    }
}
