using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Vectorised elementwise arithmetic over spans, plus the two row/column broadcasts a dense layer needs (adding a
/// bias to every row, summing rows for the bias gradient). Outputs may alias inputs exactly; nothing is allocated.
/// </summary>
/// <remarks>
/// Add, Subtract, MultiplyAdd and Axpy delegate to <see cref="TensorPrimitives"/>, which was measured as fast or
/// faster here (it aligns its stores) with identical IEEE results; MultiplyAdd and Axpy are fused (one rounding).
/// Multiply and Scale are our own: TensorPrimitives multiplies with the plain multiply instruction, which runs ~2.7x
/// slower when products underflow (see <see cref="VectorMath"/>); ours produce the same bits without that stall, at
/// ~10–30% extra cost on L1-resident data (none from L2 on).
/// </remarks>
public static class Elementwise
{
    /// <summary>z = x + y. Shapes: x, y, z [n]; z may alias x or y.</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckBinary(x, y, z);
        TensorPrimitives.Add(x, y, z);
    }

    /// <summary>z = x − y. Shapes: x, y, z [n]; z may alias x or y.</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckBinary(x, y, z);
        TensorPrimitives.Subtract(x, y, z);
    }

    /// <summary>z = x ⊙ y. Shapes: x, y, z [n]; z may alias x or y.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckBinary(x, y, z);
        VectorLoop.Map(default(MultiplyOp), x, y, z);
    }

    /// <summary>z += x ⊙ y, fused (one rounding). Shapes: x, y, z [n].</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckBinary(x, y, z);
        TensorPrimitives.FusedMultiplyAdd(x, y, z, z);
    }

    /// <summary>z = a + x ⊙ y, fused (one rounding). Shapes: x, y, a, z [n]; z may alias a.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> a, Span<float> z)
    {
        CheckBinary(x, y, z);
        KernelArgs.SameLength(a.Length, nameof(a), x.Length, nameof(x));
        KernelArgs.NoPartialOverlap(a, nameof(a), z, nameof(z));
        TensorPrimitives.FusedMultiplyAdd(x, y, a, z);
    }

    /// <summary>y += alpha · x, fused (one rounding; BLAS saxpy). Shapes: x, y [n].</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        KernelArgs.SameLength(y.Length, nameof(y), x.Length, nameof(x));
        KernelArgs.NoPartialOverlap(x, nameof(x), y, nameof(y));
        TensorPrimitives.FusedMultiplyAdd(x, alpha, y, y);
    }

    /// <summary>x *= alpha, in place. Shape: x [n].</summary>
    public static void Scale(float alpha, Span<float> x) => VectorLoop.Map(new ScaleOp(alpha), x, x);

    /// <summary>m[r, :] += bias for every row r. Shapes: bias [cols], matrix [rows, cols] row-major.</summary>
    public static void AddRowVector(ReadOnlySpan<float> bias, Span<float> matrix, int rows, int cols)
    {
        KernelArgs.MatrixLength(matrix.Length, nameof(matrix), rows, cols);
        KernelArgs.SameLength(bias.Length, nameof(bias), cols, nameof(cols));
        if (bias.Overlaps(matrix)) throw new ArgumentException("bias overlaps matrix", nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// acc[c] += Σ_r m[r, c], the column sums (the bias gradient of a dense layer). Shapes: matrix [rows, cols]
    /// row-major, acc [cols].
    /// </summary>
    public static void SumRows(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> acc)
    {
        KernelArgs.MatrixLength(matrix.Length, nameof(matrix), rows, cols);
        KernelArgs.SameLength(acc.Length, nameof(acc), cols, nameof(cols));
        if (acc.Overlaps(matrix)) throw new ArgumentException("acc overlaps matrix", nameof(acc));
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(acc, matrix.Slice(r * cols, cols), acc);
    }

    private static void CheckBinary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        KernelArgs.SameLength(y.Length, nameof(y), x.Length, nameof(x));
        KernelArgs.SameLength(z.Length, nameof(z), x.Length, nameof(x));
        KernelArgs.NoPartialOverlap(x, nameof(x), z, nameof(z));
        KernelArgs.NoPartialOverlap(y, nameof(y), z, nameof(z));
    }

    // a·b without the multiplier's underflow stall (VectorMath.MultiplyNoStall); same bits as a * b.
    private readonly struct MultiplyOp : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> a, Vector128<float> b) => VectorMath.MultiplyNoStall(a, b);
        public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => VectorMath.MultiplyNoStall(a, b);
        public Vector512<float> Apply(Vector512<float> a, Vector512<float> b) => VectorMath.MultiplyNoStall(a, b);
    }

    // x·alpha without the multiplier's underflow stall; same bits as x * alpha.
    private readonly struct ScaleOp(float alpha) : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => VectorMath.MultiplyNoStall(x, Vector128.Create(alpha));
        public Vector256<float> Apply(Vector256<float> x) => VectorMath.MultiplyNoStall(x, Vector256.Create(alpha));
        public Vector512<float> Apply(Vector512<float> x) => VectorMath.MultiplyNoStall(x, Vector512.Create(alpha));
    }
}
