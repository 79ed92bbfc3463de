using Recur.Tensors;

namespace Recur.Kernels;

/// <summary>
/// Single-precision matrix multiply, BLAS-style: <c>C = alpha * op(A) * op(B) + beta * C</c>, row-major operands with
/// leading dimensions (a time step of a batch-first [B, T, F] tensor is an operand with ld = T*F, no copy needed).
/// Packed, cache-blocked, multithreaded over <see cref="KernelConfig.Threads"/> with the micro-kernel of
/// <see cref="KernelConfig.Isa"/>. Results are bit-identical for any thread count. Allocates nothing after the first
/// call on a thread. C must not overlap A or B.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>
    /// C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C, where op(X) = X^T when transX. A is stored [m, k]
    /// (transA false) or [k, m] (true) with rows <paramref name="lda"/> apart; likewise B [k, n] or [n, k] with
    /// <paramref name="ldb"/>, C [m, n] with <paramref name="ldc"/>. beta == 0 makes C write-only (NaN in C does not
    /// propagate); k == 0 or alpha == 0 gives C = beta * C without reading A or B.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is below its row length.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix needs.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckSize(m, nameof(m));
        CheckSize(n, nameof(n));
        CheckSize(k, nameof(k));
        CheckA(transA, m, k, a.Length, lda);
        CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b), nameof(ldb), transB ? "B stored transposed" : "B");
        CheckOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc), "C");
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0)
            {
                Scale(pc, m, n, ldc, beta);
                return;
            }
            KernelIsa isa = KernelConfig.Isa;
            if (m <= GemmSmallM.MaxRows && isa != KernelIsa.Vector128)
                GemmSmallM.Multiply(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            else
                GemmDriver.Multiply(GemmKernel.For(isa), transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>
    /// C[m, n] = alpha * op(A)[m, k] * B + beta * C with B = op(B) [k, n] pre-packed (k = <c>b.K</c>, n = <c>b.N</c>);
    /// otherwise as <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
    /// Uses the micro-kernel <paramref name="b"/> was packed for.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="b"/> was never packed, or an operand is too small.</exception>
    public static void Sgemm(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (!b.IsPacked) throw new ArgumentException($"b ({b}) holds no data yet: call Pack first", nameof(b));
        int n = b.N, k = b.K;
        CheckSize(m, nameof(m));
        CheckA(transA, m, k, a.Length, lda);
        CheckOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc), "C");
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b.Data)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0) Scale(pc, m, n, ldc, beta);
            else GemmDriver.MultiplyPacked(b.Kernel, transA, m, n, k, alpha, pa, lda, pb, b.Width, beta, pc, ldc);
        }
    }

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C on matrix views: op(A) [m, k] is <paramref name="a"/> or its transpose,
    /// op(B) [k, n] likewise, <paramref name="c"/> must be [m, n]. Strides are the leading dimensions.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes do not chain; the message names the operand.</exception>
    public static void Sgemm(StridedMatrix a, bool transA, StridedMatrix b, bool transB, StridedMatrix c, float alpha = 1, float beta = 0)
    {
        int m = transA ? a.Cols : a.Rows, k = transA ? a.Rows : a.Cols;
        int kb = transB ? b.Cols : b.Rows, n = transB ? b.Rows : b.Cols;
        if (kb != k)
            throw new ShapeMismatchException(nameof(b), transB ? $"[n, {k}] (op(B) = B^T must have {k} rows, the columns of op(A))" : $"[{k}, n] (the columns of op(A))", $"[{b.Rows}, {b.Cols}]");
        if (c.Rows != m || c.Cols != n)
            throw new ShapeMismatchException(nameof(c), $"[{m}, {n}] (rows of op(A), columns of op(B))", $"[{c.Rows}, {c.Cols}]");
        Sgemm(transA, transB, m, n, k, alpha, a.Span, a.Stride, b.Span, b.Stride, beta, c.Span, c.Stride);
    }

    internal static void CheckSize(int size, string name)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(name, $"{name} must be non-negative, got {size}");
    }

    private static void CheckA(bool transA, int m, int k, int length, int lda) =>
        CheckOperand(length, transA ? k : m, transA ? m : k, lda, "a", nameof(lda), transA ? "A stored transposed" : "A");

    /// <summary>Checks that a stored [rows, cols] matrix with leading dimension ld fits in a span of the given length.</summary>
    internal static void CheckOperand(int length, int rows, int cols, int ld, string name, string ldName, string what)
    {
        if (ld < cols || ld < 0)
            throw new ArgumentOutOfRangeException(ldName, $"{ldName} must be at least {cols}, the row length of {what} [{rows}, {cols}], got {ld}");
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"{name} is too short: {what} [{rows}, {cols}] with {ldName} = {ld} needs {needed} floats, got {length}", name);
    }

    // C = beta * C; beta == 0 writes zeros (C may hold NaN).
    private static void Scale(float* c, int m, int n, nint ldc, float beta)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
