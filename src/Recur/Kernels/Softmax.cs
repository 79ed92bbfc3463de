using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Row softmax and log-softmax over a row-major [rows, cols] matrix in a span, and their backward passes from the
/// outputs. Every row is normalised on its own (the last dimension, as PyTorch's <c>dim=-1</c>).
/// </summary>
/// <remarks>
/// Numerically stable: with m = max_j x[j], softmax y[j] = e^(x[j] − m) / Σ e^(x[k] − m) and log-softmax
/// y[j] = (x[j] − m) − log Σ e^(x[k] − m), so no exponential overflows and the largest term is exactly 1; row sums are
/// accumulated in double (<see cref="Reductions"/>). A row holding NaN or +∞ (or only −∞) gives NaN, as in PyTorch.
/// Outputs may alias inputs exactly. Nothing is allocated.
/// </remarks>
public static class Softmax
{
    /// <summary>y[r, :] = softmax(x[r, :]). Shapes: x, y [rows, cols]; y may alias x.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        CheckForward(x, y, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float max = Reductions.MaxPropagatingNaN(xr);
            VectorLoop.Map(new ExpShiftOp(max), xr, yr);
            double sum = Reductions.SumDouble(yr);
            Elementwise.Scale((float)(1.0 / sum), yr);
        }
    }

    /// <summary>
    /// The pieces of a fused softmax cross-entropy for one row x [cols]: m = max_j x[j] and s = Σ_j e^(x[j] − m)
    /// (summed in double), so that log Σ_j e^x[j] = m + log s and softmax(x) = e^(x − m) / s. With a non-empty
    /// <paramref name="exp"/> [cols], e^(x − m) is also written there.
    /// </summary>
    public static (float Max, double SumExp) RowExp(ReadOnlySpan<float> x, Span<float> exp)
    {
        if (!exp.IsEmpty) KernelArgs.MatrixLength(exp.Length, nameof(exp), 1, x.Length);
        float max = Reductions.MaxPropagatingNaN(x);
        if (exp.IsEmpty) return (max, Reductions.Accumulate(new SumExpShiftOp(max), x, x));
        VectorLoop.Map(new ExpShiftOp(max), x, exp);
        return (max, Reductions.SumDouble(exp));
    }

    /// <summary>y[r, :] = log_softmax(x[r, :]). Shapes: x, y [rows, cols]; y may alias x.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        CheckForward(x, y, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            float max = Reductions.MaxPropagatingNaN(xr);
            double sum = Reductions.Accumulate(new SumExpShiftOp(max), xr, xr);
            VectorLoop.Map(new ShiftOp(max, (float)Math.Log(sum)), xr, y.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// dx[r, :] = y[r, :] ⊙ (dy[r, :] − Σ_j dy[r, j]·y[r, j]), the softmax backward from its output y.
    /// Shapes: y, dy, dx [rows, cols]; dx may alias dy or y.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        CheckBackward(y, dy, dx, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            float dot = (float)Reductions.Dot(dyr, yr);
            VectorLoop.Map(new SoftmaxBackwardOp(dot), yr, dyr, dx.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// dx[r, :] = dy[r, :] − e^y[r, :] · Σ_j dy[r, j], the log-softmax backward from its output y.
    /// Shapes: y, dy, dx [rows, cols]; dx may alias dy or y.
    /// </summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        CheckBackward(y, dy, dx, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * cols, cols);
            float sum = (float)Reductions.SumDouble(dyr);
            VectorLoop.Map(new LogSoftmaxBackwardOp(sum), y.Slice(r * cols, cols), dyr, dx.Slice(r * cols, cols));
        }
    }

    private static void CheckForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        KernelArgs.MatrixLength(x.Length, nameof(x), rows, cols);
        KernelArgs.MatrixLength(y.Length, nameof(y), rows, cols);
        KernelArgs.NoPartialOverlap(x, nameof(x), y, nameof(y));
    }

    private static void CheckBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        KernelArgs.MatrixLength(y.Length, nameof(y), rows, cols);
        KernelArgs.MatrixLength(dy.Length, nameof(dy), rows, cols);
        KernelArgs.MatrixLength(dx.Length, nameof(dx), rows, cols);
        KernelArgs.NoPartialOverlap(y, nameof(y), dx, nameof(dx));
        KernelArgs.NoPartialOverlap(dy, nameof(dy), dx, nameof(dx));
    }

    // e^(x − max)
    private readonly struct ExpShiftOp(float max) : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => VectorMath.Exp(x - Vector128.Create(max));
        public Vector256<float> Apply(Vector256<float> x) => VectorMath.Exp(x - Vector256.Create(max));
        public Vector512<float> Apply(Vector512<float> x) => VectorMath.Exp(x - Vector512.Create(max));
    }

    // acc + e^(x − max) (the second operand is x again and unused)
    private readonly struct SumExpShiftOp(float max) : IAccumulateOp
    {
        public bool Unroll => false;
        public Vector128<float> Apply(Vector128<float> acc, Vector128<float> x, Vector128<float> _) => acc + VectorMath.Exp(x - Vector128.Create(max));
        public Vector256<float> Apply(Vector256<float> acc, Vector256<float> x, Vector256<float> _) => acc + VectorMath.Exp(x - Vector256.Create(max));
        public Vector512<float> Apply(Vector512<float> acc, Vector512<float> x, Vector512<float> _) => acc + VectorMath.Exp(x - Vector512.Create(max));
    }

    // (x − max) − logSum: x − max is exact near the maximum, where log-softmax is closest to 0.
    private readonly struct ShiftOp(float max, float logSum) : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => x - Vector128.Create(max) - Vector128.Create(logSum);
        public Vector256<float> Apply(Vector256<float> x) => x - Vector256.Create(max) - Vector256.Create(logSum);
        public Vector512<float> Apply(Vector512<float> x) => x - Vector512.Create(max) - Vector512.Create(logSum);
    }

    // y ⊙ (dy − dot), the product without the multiplier underflow stall
    private readonly struct SoftmaxBackwardOp(float dot) : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> y, Vector128<float> dy) => VectorMath.MultiplyNoStall(y, dy - Vector128.Create(dot));
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => VectorMath.MultiplyNoStall(y, dy - Vector256.Create(dot));
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => VectorMath.MultiplyNoStall(y, dy - Vector512.Create(dot));
    }

    // dy − e^y · sum, fused (one rounding, and no multiplier underflow stall)
    private readonly struct LogSoftmaxBackwardOp(float sum) : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> y, Vector128<float> dy) => Vector128.MultiplyAddEstimate(-VectorMath.Exp(y), Vector128.Create(sum), dy);
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => Vector256.MultiplyAddEstimate(-VectorMath.Exp(y), Vector256.Create(sum), dy);
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => Vector512.MultiplyAddEstimate(-VectorMath.Exp(y), Vector512.Create(sum), dy);
    }
}
