using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// Index arithmetic shared by the interpreter's operators: row-major strides, numpy-style broadcasting of shapes
/// (align at the right; a dimension of 1 stretches) and the copy of a broadcast or permuted tensor.
/// </summary>
internal static class OnnxIndexing
{
    /// <summary>Row-major strides of <paramref name="shape"/> (in elements).</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /// <summary>Product of <c>shape[from..to)</c>.</summary>
    public static int Product(ReadOnlySpan<int> shape, int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    /// <summary>The shape both operands broadcast to (multidirectional broadcasting).</summary>
    public static int[] BroadcastShape(OnnxNode node, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw node.Invalid($"shapes {Shape.Format(a)} and {Shape.Format(b)} do not broadcast (dimension {i}: {da} vs {db})");
            shape[i] = da == 1 ? db : da;
        }
        return shape;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/> as if broadcast to <paramref name="target"/> (0 on stretched axes).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var own = Strides(shape);
        var s = new int[target.Length];
        int lead = target.Length - shape.Length;
        for (int i = lead; i < target.Length; i++) s[i] = shape[i - lead] == 1 ? 0 : own[i - lead];
        return s;
    }

    /// <summary>
    /// Copies <paramref name="src"/> read from <paramref name="offset"/> through <paramref name="srcStrides"/> (which may
    /// be 0 or negative) into a new contiguous array of <paramref name="shape"/>.
    /// </summary>
    public static T[] Gather<T>(T[] src, ReadOnlySpan<int> shape, ReadOnlySpan<int> srcStrides, int offset = 0)
    {
        int n = Shape.ElementCount(shape);
        var dst = new T[n];
        if (n == 0) return dst;
        int rank = shape.Length;
        if (rank == 0) { dst[0] = src[offset]; return dst; }
        Span<int> index = stackalloc int[rank];
        int inner = shape[rank - 1], innerStride = srcStrides[rank - 1];
        for (int o = 0; o < n; o += inner)
        {
            if (innerStride == 1) src.AsSpan(offset, inner).CopyTo(dst.AsSpan(o, inner));
            else for (int j = 0; j < inner; j++) dst[o + j] = src[offset + j * innerStride];
            // advance the multi-index over the outer axes (odometer)
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                offset += srcStrides[ax];
                if (++index[ax] < shape[ax]) break;
                offset -= srcStrides[ax] * shape[ax];
                index[ax] = 0;
            }
        }
        return dst;
    }

    /// <summary>Elementwise <paramref name="op"/> of two broadcast operands into a new array of <paramref name="shape"/>.</summary>
    public static T[] Binary<T, TOp>(T[] a, ReadOnlySpan<int> aShape, T[] b, ReadOnlySpan<int> bShape, ReadOnlySpan<int> shape, TOp op)
        where TOp : struct, IBinaryOp<T>
    {
        int n = Shape.ElementCount(shape);
        var dst = new T[n];
        if (n == 0) return dst;
        if (aShape.SequenceEqual(bShape))
        {
            for (int i = 0; i < n; i++) dst[i] = op.Apply(a[i], b[i]);
            return dst;
        }
        int rank = shape.Length;
        var sa = BroadcastStrides(aShape, shape);
        var sb = BroadcastStrides(bShape, shape);
        if (rank == 0) { dst[0] = op.Apply(a[0], b[0]); return dst; }
        Span<int> index = stackalloc int[rank];
        int inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
        int oa = 0, ob = 0;
        for (int o = 0; o < n; o += inner)
        {
            for (int j = 0; j < inner; j++) dst[o + j] = op.Apply(a[oa + j * ia], b[ob + j * ib]);
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                oa += sa[ax];
                ob += sb[ax];
                if (++index[ax] < shape[ax]) break;
                oa -= sa[ax] * shape[ax];
                ob -= sb[ax] * shape[ax];
                index[ax] = 0;
            }
        }
        return dst;
    }
}

/// <summary>A scalar binary operation, inlined into <see cref="OnnxIndexing.Binary{T, TOp}"/>.</summary>
internal interface IBinaryOp<T>
{
    T Apply(T a, T b);
}
