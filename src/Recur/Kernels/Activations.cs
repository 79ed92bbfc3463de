using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Vectorised activation functions over spans, and their derivatives computed from the outputs (what a layer keeps
/// for its backward pass). All kernels take spans of equal length n; outputs may alias inputs exactly.
/// </summary>
/// <remarks>
/// Accuracy and edge cases follow <see cref="VectorMath"/>: about 2 ulps, NaN propagates, no subnormal results from
/// sigmoid or tanh (sigmoid(x) = 0 for x &lt; −87.34, tanh = ±1 once it rounds there).
/// </remarks>
public static class Activations
{
    /// <summary>y = 1 / (1 + e^−x). Shapes: x [n], y [n]; y may alias x.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckUnary(x, y);
        VectorLoop.Map(default(SigmoidOp), x, y);
    }

    /// <summary>y = tanh x. Shapes: x [n], y [n]; y may alias x.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckUnary(x, y);
        VectorLoop.Map(default(TanhOp), x, y);
    }

    /// <summary>y = x &lt; 0 ? 0 : x (as PyTorch: relu(−0) = −0, relu(NaN) = NaN). Shapes: x [n], y [n]; y may alias x.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckUnary(x, y);
        VectorLoop.Map(default(ReluOp), x, y);
    }

    /// <summary>dx = dy · (1 − y) · y, the sigmoid derivative from its output y. Shapes: y, dy, dx [n]; dx may alias dy or y.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBinary(y, dy, dx);
        VectorLoop.Map(default(SigmoidBackwardOp), y, dy, dx);
    }

    /// <summary>dx = dy · (1 − y²), computed as dy · (1 − y)(1 + y) for accuracy near |y| = 1: the tanh derivative from its output y. Shapes: y, dy, dx [n]; dx may alias dy or y.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBinary(y, dy, dx);
        VectorLoop.Map(default(TanhBackwardOp), y, dy, dx);
    }

    /// <summary>
    /// dx = y ≤ 0 ? 0 : dy, the relu derivative from its output y (as PyTorch's threshold backward: a NaN output
    /// passes dy through). Shapes: y, dy, dx [n]; dx may alias dy or y.
    /// </summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBinary(y, dy, dx);
        VectorLoop.Map(default(ReluBackwardOp), y, dy, dx);
    }

    private static void CheckUnary(ReadOnlySpan<float> x, Span<float> y)
    {
        KernelArgs.SameLength(y.Length, nameof(y), x.Length, nameof(x));
        KernelArgs.NoPartialOverlap(x, nameof(x), y, nameof(y));
    }

    private static void CheckBinary(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        KernelArgs.SameLength(dy.Length, nameof(dy), y.Length, nameof(y));
        KernelArgs.SameLength(dx.Length, nameof(dx), y.Length, nameof(y));
        KernelArgs.NoPartialOverlap(y, nameof(y), dx, nameof(dx));
        KernelArgs.NoPartialOverlap(dy, nameof(dy), dx, nameof(dx));
    }

    private readonly struct SigmoidOp : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => VectorMath.Sigmoid(x);
        public Vector256<float> Apply(Vector256<float> x) => VectorMath.Sigmoid(x);
        public Vector512<float> Apply(Vector512<float> x) => VectorMath.Sigmoid(x);
    }

    private readonly struct TanhOp : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => VectorMath.Tanh(x);
        public Vector256<float> Apply(Vector256<float> x) => VectorMath.Tanh(x);
        public Vector512<float> Apply(Vector512<float> x) => VectorMath.Tanh(x);
    }

    // x < 0 ? 0 : x — keeps −0 and NaN (the comparison is false for both).
    private readonly struct ReluOp : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => Vector128.AndNot(x, Vector128.LessThan(x, Vector128<float>.Zero));
        public Vector256<float> Apply(Vector256<float> x) => Vector256.AndNot(x, Vector256.LessThan(x, Vector256<float>.Zero));
        public Vector512<float> Apply(Vector512<float> x) => Vector512.AndNot(x, Vector512.LessThan(x, Vector512<float>.Zero));
    }

    // (dy · (1 − y)) · y, in PyTorch's order of operations; products that may underflow avoid the multiplier stall.
    private readonly struct SigmoidBackwardOp : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> y, Vector128<float> dy) => VectorMath.MultiplyNoStall(VectorMath.MultiplyNoStall(dy, Vector128<float>.One - y), y);
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => VectorMath.MultiplyNoStall(VectorMath.MultiplyNoStall(dy, Vector256<float>.One - y), y);
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => VectorMath.MultiplyNoStall(VectorMath.MultiplyNoStall(dy, Vector512<float>.One - y), y);
    }

    // dy · ((1 − y)(1 + y)), the last product (the one that may underflow) without the multiplier stall. PyTorch writes dy · (1 − y·y), whose rounded y·y cancels near |y| → 1 (hundreds of ulps
    // at |y| = 0.9998, where a saturated LSTM lives); 1 − y is exact there, so this form stays within ~2 ulps.
    private readonly struct TanhBackwardOp : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> y, Vector128<float> dy) => VectorMath.MultiplyNoStall(dy, (Vector128<float>.One - y) * (Vector128<float>.One + y));
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => VectorMath.MultiplyNoStall(dy, (Vector256<float>.One - y) * (Vector256<float>.One + y));
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => VectorMath.MultiplyNoStall(dy, (Vector512<float>.One - y) * (Vector512<float>.One + y));
    }

    private readonly struct ReluBackwardOp : IBinaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> y, Vector128<float> dy) => Vector128.AndNot(dy, Vector128.LessThanOrEqual(y, Vector128<float>.Zero));
        public Vector256<float> Apply(Vector256<float> y, Vector256<float> dy) => Vector256.AndNot(dy, Vector256.LessThanOrEqual(y, Vector256<float>.Zero));
        public Vector512<float> Apply(Vector512<float> y, Vector512<float> dy) => Vector512.AndNot(dy, Vector512.LessThanOrEqual(y, Vector512<float>.Zero));
    }
}
