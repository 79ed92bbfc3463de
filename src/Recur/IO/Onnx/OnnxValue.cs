using System.Globalization;
using System.Text;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// A tensor flowing through an ONNX graph: a shape (int dimensions, outermost first; rank 0 is a scalar) and row-major
/// elements, either float32 (<see cref="Floats"/>) or integer/boolean (<see cref="Integers"/>, one <see cref="long"/>
/// per element whatever <see cref="ElementType"/> says). Values are never modified after creation, so views share storage.
/// </summary>
public sealed class OnnxValue
{
    private readonly int[] _shape;
    private readonly float[]? _floats;
    private readonly long[]? _integers;

    private OnnxValue(OnnxElementType type, int[] shape, float[]? floats, long[]? integers)
    {
        int n = Tensors.Shape.ElementCount(shape);
        int stored = floats?.Length ?? integers!.Length;
        if (stored != n)
            throw new ArgumentException($"shape {Tensors.Shape.Format(shape)} holds {n} elements but {stored} were given", nameof(shape));
        ElementType = type;
        _shape = shape;
        _floats = floats;
        _integers = integers;
    }

    /// <summary>A float32 value of <paramref name="shape"/> over <paramref name="data"/> (not copied: leave the array unchanged afterwards).</summary>
    public static OnnxValue FromFloats(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return new OnnxValue(OnnxElementType.Float, (int[])shape.Clone(), data, null);
    }

    /// <summary>An int64 value of <paramref name="shape"/> over <paramref name="data"/> (not copied: leave the array unchanged afterwards).</summary>
    public static OnnxValue FromInt64(long[] data, params int[] shape) => FromIntegers(OnnxElementType.Int64, data, shape);

    /// <summary>An int32 value (e.g. <c>sequence_lens</c> [B]) of <paramref name="shape"/>; the data is copied.</summary>
    public static OnnxValue FromInt32(int[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromIntegers(OnnxElementType.Int32, Array.ConvertAll(data, v => (long)v), shape);
    }

    /// <summary>An integer or boolean value of <paramref name="type"/> over <paramref name="data"/> (not copied: leave the array unchanged afterwards).</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is Float, or a value is outside the type's range.</exception>
    public static OnnxValue FromIntegers(OnnxElementType type, long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (type == OnnxElementType.Float) throw new ArgumentException("use FromFloats for float values", nameof(type));
        foreach (long v in data)
            if (!InRange(type, v)) throw new ArgumentException($"value {v} is outside the range of {type}", nameof(data));
        return new OnnxValue(type, (int[])shape.Clone(), null, data);
    }

    /// <summary>The elements of <paramref name="tensor"/> as a float32 value of the same shape (copied).</summary>
    public static OnnxValue FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new OnnxValue(OnnxElementType.Float, tensor.Shape.ToArray(), tensor.ToArray(), null);
    }

    internal static OnnxValue Float(float[] data, int[] shape) => new(OnnxElementType.Float, shape, data, null);

    internal static OnnxValue Integer(OnnxElementType type, long[] data, int[] shape) => new(type, shape, null, data);

    internal static OnnxValue Scalar(long v) => new(OnnxElementType.Int64, [], null, [v]);

    /// <summary>Float, Int32, Int64 or Bool.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>True for float32 values.</summary>
    public bool IsFloat => ElementType == OnnxElementType.Float;

    /// <summary>The dimensions (outermost first; empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    internal int[] ShapeArray => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => _floats?.Length ?? _integers!.Length;

    /// <summary>The float32 elements, row-major.</summary>
    /// <exception cref="InvalidOperationException">The value is not float.</exception>
    public ReadOnlySpan<float> Floats => _floats ?? throw new InvalidOperationException($"this value is {ElementType} {Tensors.Shape.Format(_shape)}, not float");

    /// <summary>The integer (or 0/1 boolean) elements, row-major.</summary>
    /// <exception cref="InvalidOperationException">The value is float.</exception>
    public ReadOnlySpan<long> Integers => _integers ?? throw new InvalidOperationException($"this value is Float {Tensors.Shape.Format(_shape)}, not an integer type");

    internal float[] FloatArray => _floats ?? throw new InvalidOperationException($"this value is {ElementType} {Tensors.Shape.Format(_shape)}, not float");

    internal long[] IntegerArray => _integers ?? throw new InvalidOperationException($"this value is Float {Tensors.Shape.Format(_shape)}, not an integer type");

    /// <summary>The float elements copied into a Recur <see cref="Tensor"/> of the same shape (a scalar becomes shape [1]).</summary>
    public Tensor ToTensor() => Tensor.FromValues(Floats, _shape.Length == 0 ? [1] : _shape);

    /// <summary>A value of the same type and elements with another shape (shares storage).</summary>
    internal OnnxValue WithShape(int[] shape) => new(ElementType, shape, _floats, _integers);

    internal static bool InRange(OnnxElementType type, long v) => type switch
    {
        OnnxElementType.Int32 => v is >= int.MinValue and <= int.MaxValue,
        OnnxElementType.Bool => v is 0 or 1,
        _ => true,
    };

    /// <summary>Type, shape and the first elements, e.g. <c>Int64 [2] {3, 4}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder().Append(ElementType).Append(' ').Append(Tensors.Shape.Format(_shape)).Append(" {");
        int shown = Math.Min(Length, 8);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(_floats is not null ? _floats[i].ToString("G6", CultureInfo.InvariantCulture) : _integers![i].ToString(CultureInfo.InvariantCulture));
        }
        if (Length > shown) sb.Append(", ...");
        return sb.Append('}').ToString();
    }
}
