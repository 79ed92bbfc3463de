namespace Recur.IO.Onnx;

/// <summary>One dimension of a declared graph input/output shape: a fixed size, a symbol (e.g. "batch"), or unknown.</summary>
/// <param name="Value">The fixed size, or null.</param>
/// <param name="Symbol">The symbolic name, or null.</param>
public readonly record struct OnnxDimension(long? Value, string? Symbol)
{
    /// <summary>The size, the symbol, or "?".</summary>
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>A graph input or output as the file declares it.</summary>
/// <param name="Name">The value name used in <see cref="OnnxModel.Run"/>.</param>
/// <param name="DataType">The ONNX element type code (1 float, 6 int32, 7 int64, 9 bool, ...), 0 when not declared.</param>
/// <param name="Dimensions">The declared shape, or null when the file gives no shape.</param>
public sealed record OnnxValueInfo(string Name, int DataType, IReadOnlyList<OnnxDimension>? Dimensions)
{
    /// <summary>e.g. <c>tokens: INT64 [batch, steps]</c>.</summary>
    public override string ToString() =>
        $"{Name}: {OnnxTensorCodec.DataTypeName(DataType)} {(Dimensions is null ? "(no shape)" : "[" + string.Join(", ", Dimensions) + "]")}";
}
