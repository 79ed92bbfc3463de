using System.Globalization;
using System.Text;

namespace Recur.Tensors;

/// <summary>
/// A float32 tensor: contiguous row-major elements at <see cref="Offset"/> in a shared <see cref="Buffer"/>.
/// Views (<see cref="Row"/>, <see cref="Reshape"/>) share the buffer; a strided window such as one time step of a
/// batch-first [B, T, F] tensor is a <see cref="StridedMatrix"/> (<see cref="TimeStep"/>), which allocates nothing.
/// Workspaces that must survive many training steps without allocation use <see cref="Ensure(ref Tensor?, int, int)"/>,
/// which keeps the buffer whenever it is large enough.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public Tensor(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = (int[])shape.Clone();
        Length = Tensors.Shape.ElementCount(_shape);
        Buffer = new float[Length];
    }

    private Tensor(float[] buffer, int offset, int[] shape, int length)
    {
        Buffer = buffer;
        Offset = offset;
        _shape = shape;
        Length = length;
    }

    /// <summary>Wraps <paramref name="data"/> (no copy) as a tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The element count of the shape differs from the array length.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = Tensors.Shape.ElementCount(shape);
        if (n != data.Length)
            throw new ArgumentException($"shape {Tensors.Shape.Format(shape)} holds {n} elements but the array has {data.Length}", nameof(data));
        return new Tensor(data, 0, (int[])shape.Clone(), n);
    }

    /// <summary>Copies <paramref name="values"/> into a new tensor of <paramref name="shape"/>.</summary>
    public static Tensor FromValues(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = new Tensor(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"shape {Tensors.Shape.Format(shape)} holds {t.Length} elements but {values.Length} values were given", nameof(values));
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>The storage this tensor is a window of (shared with its views).</summary>
    public float[] Buffer { get; }

    /// <summary>Index of the first element in <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? axis + _shape.Length : axis];

    /// <summary>The elements in row-major order.</summary>
    public Span<float> Span => Buffer.AsSpan(Offset, Length);

    /// <summary>Element access by flat index.</summary>
    public ref float this[int i] => ref Span[i];

    /// <summary>Element [i, j] of a rank-2 tensor.</summary>
    public ref float this[int i, int j]
    {
        get
        {
            RequireRank(2);
            CheckIndex(0, i);
            CheckIndex(1, j);
            return ref Buffer[Offset + i * _shape[1] + j];
        }
    }

    /// <summary>Element [i, j, k] of a rank-3 tensor.</summary>
    public ref float this[int i, int j, int k]
    {
        get
        {
            RequireRank(3);
            CheckIndex(0, i);
            CheckIndex(1, j);
            CheckIndex(2, k);
            return ref Buffer[Offset + (i * _shape[1] + j) * _shape[2] + k];
        }
    }

    /// <summary>Sub-tensor <paramref name="i"/> along the first dimension (e.g. one batch row of [B, T, F]); shares the buffer.</summary>
    public Tensor Row(int i)
    {
        if (Rank == 0) throw new InvalidOperationException("a scalar tensor has no rows");
        CheckIndex(0, i);
        int inner = _shape[0] == 0 ? 0 : Length / _shape[0];
        return new Tensor(Buffer, Offset + i * inner, _shape[1..], inner);
    }

    /// <summary>A view with another shape of the same element count. One dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < s.Length; i++) if (i != infer) known *= s[i];
            if (known == 0 || Length % known != 0)
                throw new ShapeMismatchException(nameof(shape), $"a shape with {Length} elements", Tensors.Shape.Format(shape));
            s[infer] = (int)(Length / known);
        }
        if (Tensors.Shape.ElementCount(s) != Length)
            throw new ShapeMismatchException(nameof(shape), $"a shape with {Length} elements (from {Tensors.Shape.Format(_shape)})", Tensors.Shape.Format(shape));
        return new Tensor(Buffer, Offset, s, Length);
    }

    /// <summary>The tensor as a contiguous matrix [product of leading dimensions, last dimension].</summary>
    public StridedMatrix AsMatrix()
    {
        int cols = Rank == 0 ? 1 : _shape[^1];
        int rows = cols == 0 ? 0 : Length / cols;
        return new StridedMatrix(Buffer, Offset, rows, cols, cols);
    }

    /// <summary>Time step <paramref name="t"/> of a batch-first [B, T, F] tensor as a [B, F] view with stride T*F.</summary>
    public StridedMatrix TimeStep(int t)
    {
        RequireRank(3);
        CheckIndex(1, t);
        return new StridedMatrix(Buffer, Offset + t * _shape[2], _shape[0], _shape[2], _shape[1] * _shape[2]);
    }

    /// <summary>
    /// Makes <paramref name="t"/> a tensor of shape [d0, d1], reusing its buffer when it is large enough (contents are
    /// not preserved or cleared). Allocates only when the shape changes, so workspaces cost nothing after warm-up.
    /// </summary>
    public static Tensor Ensure(ref Tensor? t, int d0, int d1)
    {
        if (t is { Rank: 2 } && t._shape[0] == d0 && t._shape[1] == d1) return t;
        return t = Reuse(t, [d0, d1]);
    }

    /// <summary>Three-dimensional form of <see cref="Ensure(ref Tensor?, int, int)"/>.</summary>
    public static Tensor Ensure(ref Tensor? t, int d0, int d1, int d2)
    {
        if (t is { Rank: 3 } && t._shape[0] == d0 && t._shape[1] == d1 && t._shape[2] == d2) return t;
        return t = Reuse(t, [d0, d1, d2]);
    }

    /// <summary>One-dimensional form of <see cref="Ensure(ref Tensor?, int, int)"/>.</summary>
    public static Tensor Ensure(ref Tensor? t, int d0)
    {
        if (t is { Rank: 1 } && t._shape[0] == d0) return t;
        return t = Reuse(t, [d0]);
    }

    private static Tensor Reuse(Tensor? old, int[] shape)
    {
        int n = Tensors.Shape.ElementCount(shape);
        if (old is not null && old.Offset == 0 && old.Buffer.Length >= n) return new Tensor(old.Buffer, 0, shape, n);
        return new Tensor(shape);
    }

    /// <summary>Throws <see cref="ShapeMismatchException"/> naming <paramref name="argument"/> unless the shape is exactly <paramref name="expected"/>.</summary>
    public void CheckShape(string argument, params ReadOnlySpan<int> expected)
    {
        if (!Tensors.Shape.Equal(_shape, expected))
            throw new ShapeMismatchException(argument, Tensors.Shape.Format(expected), Tensors.Shape.Format(_shape));
    }

    /// <summary>Throws <see cref="ShapeMismatchException"/> unless this tensor and <paramref name="other"/> have the same shape.</summary>
    public void CheckSameShape(string argument, Tensor other, string otherName)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Tensors.Shape.Equal(_shape, other._shape))
            throw new ShapeMismatchException(argument, $"{Tensors.Shape.Format(other._shape)} (the shape of {otherName})", Tensors.Shape.Format(_shape));
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Copies the elements of <paramref name="source"/>, which must have the same shape.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckSameShape(nameof(source), source, "the destination");
        source.Span.CopyTo(Span);
    }

    /// <summary>A deep copy with its own buffer.</summary>
    public Tensor Clone() => FromValues(Span, _shape);

    /// <summary>The elements copied into a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Shape and the first elements, e.g. <c>Tensor [2, 3] {0.1, 0.2, ...}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Tensor ").Append(Tensors.Shape.Format(_shape)).Append(" {");
        var s = Span;
        int shown = Math.Min(s.Length, 8);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(s[i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (s.Length > shown) sb.Append(", ...");
        return sb.Append('}').ToString();
    }

    private void RequireRank(int rank)
    {
        if (Rank != rank) throw new InvalidOperationException($"this indexer needs a rank-{rank} tensor, the tensor is {Tensors.Shape.Format(_shape)}");
    }

    private void CheckIndex(int axis, int i)
    {
        if ((uint)i >= (uint)_shape[axis])
            throw new IndexOutOfRangeException($"index {i} is outside [0, {_shape[axis]}) on axis {axis} of a tensor {Tensors.Shape.Format(_shape)}");
    }
}
