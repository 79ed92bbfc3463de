using Recur.Tensors;

namespace Recur.IO.Safetensors;

/// <summary>One header entry of a safetensors file, already validated against the file.</summary>
public sealed class SafetensorsTensorInfo
{
    private readonly int[] _shape;

    internal SafetensorsTensorInfo(string name, SafetensorsDType dtype, int[] shape, long elementCount, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        ElementCount = elementCount;
        DataBegin = begin;
        DataEnd = end;
    }

    /// <summary>The tensor's name (the header key).</summary>
    public string Name { get; }

    /// <summary>The stored element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions, outermost first (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the tensor, relative to the start of the data section.</summary>
    public long DataBegin { get; }

    /// <summary>One past the last byte, relative to the start of the data section.</summary>
    public long DataEnd { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {DType} {Tensors.Shape.Format(_shape)}";

    internal int[] ShapeArray => _shape;
}
