namespace Recur.IO.Onnx;

/// <summary>
/// An ONNX file or graph is malformed or inconsistent: unparsable protobuf, a tensor whose data does not match its
/// dims, a node input nothing defines, a value of the wrong shape or type for its node. The message names the file
/// and, where there is one, the node (name and op type) or tensor.
/// </summary>
public sealed class OnnxFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public OnnxFormatException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>
/// An ONNX graph uses something this interpreter does not implement: an operator, an operator domain, an attribute
/// or an attribute value (e.g. an unknown activation). The message and the properties name the node, the op type and
/// the attribute.
/// </summary>
public sealed class OnnxUnsupportedException : NotSupportedException
{
    /// <summary>Creates the exception for <paramref name="opType"/> node <paramref name="nodeName"/>.</summary>
    public OnnxUnsupportedException(string nodeName, string opType, string? attribute, string message)
        : base($"node '{nodeName}' ({opType}){(attribute is null ? "" : $", attribute '{attribute}'")}: {message}")
    {
        NodeName = nodeName;
        OpType = opType;
        Attribute = attribute;
    }

    /// <summary>The node's name (or a generated "#index" when the file gives none).</summary>
    public string NodeName { get; }

    /// <summary>The node's operator, e.g. <c>LSTM</c>.</summary>
    public string OpType { get; }

    /// <summary>The offending attribute, or null when the operator itself is unsupported.</summary>
    public string? Attribute { get; }
}
