using Recur.IO.Onnx.Protos;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// One node of a loaded graph: its op type, input/output value names ("" for an omitted optional input), typed
/// attribute access and error helpers that name the node. <see cref="Opset"/> is the model's version of the default
/// operator set, for the operators whose semantics changed between versions.
/// </summary>
internal sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    public OnnxNode(NodeProto proto, int index, int opset, string source)
    {
        Name = string.IsNullOrEmpty(proto.Name) ? $"#{index}" : proto.Name;
        OpType = proto.OpType;
        Inputs = proto.Input.ToArray();
        Outputs = proto.Output.ToArray();
        Opset = opset;
        Source = source;
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var a in proto.Attribute)
            if (!_attributes.TryAdd(a.Name, a)) throw Invalid($"attribute '{a.Name}' is given twice");
    }

    public string Name { get; }
    public string OpType { get; }
    public string[] Inputs { get; }
    public string[] Outputs { get; }
    public int Opset { get; }

    /// <summary>The file the node came from, for messages.</summary>
    public string Source { get; }

    public IEnumerable<string> AttributeNames => _attributes.Keys;

    public bool Has(string attribute) => _attributes.ContainsKey(attribute);

    public long Int(string name, long fallback) => Get(name, AttributeProto.Types.AttributeType.Int) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Get(name, AttributeProto.Types.AttributeType.Float) is { } a ? a.F : fallback;

    public string? String(string name) => Get(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8();

    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    public string[]? Strings(string name) => Get(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public OnnxValue? Tensor(string name) =>
        Get(name, AttributeProto.Types.AttributeType.Tensor) is { } a ? OnnxTensorCodec.Decode(a.T, $"{Source}: {this}, attribute '{name}'") : null;

    /// <summary>An attribute that must be an int in [min, max].</summary>
    public int IntIn(string name, long fallback, long min, long max)
    {
        long v = Int(name, fallback);
        if (v < min || v > max) throw Unsupported(name, $"value {v} is outside [{min}, {max}]");
        return (int)v;
    }

    /// <summary>A malformed graph or value at this node.</summary>
    public OnnxFormatException Invalid(string message) => new($"{Source}: {this}: {message}");

    /// <summary>Something this node asks for that the interpreter does not implement.</summary>
    public OnnxUnsupportedException Unsupported(string? attribute, string message) => new(Name, OpType, attribute, message);

    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    public OnnxValue Required(OnnxValue?[] inputs, int i, string role) =>
        (i < inputs.Length ? inputs[i] : null) ?? throw Invalid($"input {i} ({role}) is required");

    /// <summary>Input <paramref name="i"/> as a float value.</summary>
    public OnnxValue RequiredFloat(OnnxValue?[] inputs, int i, string role)
    {
        var v = Required(inputs, i, role);
        if (!v.IsFloat) throw Unsupported(null, $"input {i} ({role}) is {v.ElementType}; only float is supported here");
        return v;
    }

    /// <summary>Input <paramref name="i"/> as integers (Int32/Int64), e.g. a shape or axes.</summary>
    public long[] RequiredIntegers(OnnxValue?[] inputs, int i, string role)
    {
        var v = Required(inputs, i, role);
        if (v.IsFloat) throw Invalid($"input {i} ({role}) must be an integer tensor, got Float {Shape.Format(v.Shape)}");
        return v.IntegerArray;
    }

    /// <summary>Normalises an axis in [-rank, rank) to [0, rank).</summary>
    public int Axis(long axis, int rank, string what = "axis")
    {
        if (axis < -rank || axis >= rank) throw Invalid($"{what} {axis} is outside [{-rank}, {rank}) for a rank-{rank} input");
        return (int)(axis < 0 ? axis + rank : axis);
    }

    public override string ToString() => $"node '{Name}' ({OpType})";

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        if (!_attributes.TryGetValue(name, out var a)) return null;
        if (a.Type != type && !(a.Type == AttributeProto.Types.AttributeType.Undefined && LooksLike(a, type)))
            throw Invalid($"attribute '{name}' should be {type.ToString().ToUpperInvariant()}, got {a.Type.ToString().ToUpperInvariant()}");
        return a;
    }

    // Files from before IR version 3 may omit the attribute type; accept the value field that is filled.
    private static bool LooksLike(AttributeProto a, AttributeProto.Types.AttributeType type) => type switch
    {
        AttributeProto.Types.AttributeType.Ints => a.Ints.Count > 0,
        AttributeProto.Types.AttributeType.Floats => a.Floats.Count > 0,
        AttributeProto.Types.AttributeType.Strings => a.Strings.Count > 0,
        AttributeProto.Types.AttributeType.Tensor => a.T is not null,
        AttributeProto.Types.AttributeType.String => !a.S.IsEmpty,
        _ => true,
    };
}
