using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>One step of a vector reduction, acc ← f(acc, a, b), at every width.</summary>
internal interface IAccumulateOp
{
    /// <summary>
    /// Whether the reduction loop should keep four accumulators in flight: right for a cheap f (an add or FMA, whose
    /// latency would otherwise bound the loop), wrong for an expensive one (four inlined copies of exp spill vector
    /// registers and made log-softmax 1.24x slower than one accumulator).
    /// </summary>
    bool Unroll { get; }

    Vector128<float> Apply(Vector128<float> acc, Vector128<float> a, Vector128<float> b);
    Vector256<float> Apply(Vector256<float> acc, Vector256<float> a, Vector256<float> b);
    Vector512<float> Apply(Vector512<float> acc, Vector512<float> a, Vector512<float> b);
}

/// <summary>Vectorised reductions of a span: sum, maximum, sum of squares, index of the maximum.</summary>
/// <remarks>
/// Sums are accumulated in float vectors over blocks of <see cref="Block"/> elements (four independent accumulators,
/// so each lane adds at most 32 terms with AVX2) and the block totals in double. The error is that of a 32-term float
/// sum, about 1e-7 relative for same-signed terms, independent of the length: a 10^6-element sum of squares is
/// accurate to ~1e-7 where a plain float accumulation drifts to ~1e-4. It costs one horizontal add per block.
/// The loops are compiled fully optimised on first call (see <see cref="VectorLoop"/>).
/// </remarks>
public static class Reductions
{
    /// <summary>Elements per float-accumulated block (see the remarks).</summary>
    private const int Block = 1024;

    /// <summary>Σ x[i]. Shape: x [n]; 0 for an empty span.</summary>
    public static float Sum(ReadOnlySpan<float> x) => (float)Accumulate(default(AddOp), x, x);

    /// <summary>Σ x[i]². Shape: x [n]; 0 for an empty span.</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x) => (float)Accumulate(default(SquareOp), x, x);

    /// <summary>max x[i]; NaN if any element is NaN. Shape: x [n], n ≥ 1.</summary>
    /// <exception cref="ArgumentException">x is empty.</exception>
    public static float Max(ReadOnlySpan<float> x)
    {
        CheckNotEmpty(x);
        return MaxPropagatingNaN(x);
    }

    /// <summary>
    /// The index of the first maximum of x, or of the first NaN if there is one (as PyTorch's argmax).
    /// Shape: x [n], n ≥ 1.
    /// </summary>
    /// <exception cref="ArgumentException">x is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        CheckNotEmpty(x);
        float max = MaxPropagatingNaN(x);
        return float.IsNaN(max) ? IndexOfFirstNaN(x) : IndexOfFirst(x, max);
    }

    /// <summary>Σ a[i]·b[i] over equal-length spans, accumulated as the sums.</summary>
    internal static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Accumulate(default(MultiplyAddOp), a, b);

    /// <summary>Σ a[i], in double, for callers that keep the extra precision (softmax row sums).</summary>
    internal static double SumDouble(ReadOnlySpan<float> a) => Accumulate(default(AddOp), a, a);

    /// <summary>max a[i] of a non-empty span, NaN if any element is NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float MaxPropagatingNaN(ReadOnlySpan<float> a)
    {
        ref float r = ref MemoryMarshal.GetReference(a);
        nuint n = (nuint)a.Length, i = 0;
        float max = float.NegativeInfinity;
        bool sawNaN = false;
        // x86 max drops a NaN operand, so NaN is tracked apart: ordered &= (v == v). Vector512 would gain nothing on
        // this memory-bound loop worth a third copy.
        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            var ordered = Vector256<float>.AllBitsSet;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref r, i);
                m = Vector256.MaxNative(m, v);
                ordered &= Vector256.Equals(v, v);
            }
            max = HorizontalMax(Vector128.MaxNative(m.GetLower(), m.GetUpper()));
            sawNaN = !Vector256.EqualsAll(ordered.AsInt32(), Vector256<int>.AllBitsSet);
        }
        else if (n >= (nuint)Vector128<float>.Count)
        {
            var m = Vector128.Create(float.NegativeInfinity);
            var ordered = Vector128<float>.AllBitsSet;
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var v = Vector128.LoadUnsafe(ref r, i);
                m = Vector128.MaxNative(m, v);
                ordered &= Vector128.Equals(v, v);
            }
            max = HorizontalMax(m);
            sawNaN = !Vector128.EqualsAll(ordered.AsInt32(), Vector128<int>.AllBitsSet);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref r, i);
            if (v > max) max = v;
            sawNaN |= float.IsNaN(v);
        }
        return sawNaN ? float.NaN : max;
    }

    private static float HorizontalMax(Vector128<float> m)
    {
        float a = Math.Max(m[0], m[1]), b = Math.Max(m[2], m[3]);
        return Math.Max(a, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOfFirst(ReadOnlySpan<float> x, float value)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(value);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                uint bits = Vector256.Equals(Vector256.LoadUnsafe(ref r, i), v).ExtractMostSignificantBits();
                if (bits != 0) return (int)i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < n; i++)
            if (Unsafe.Add(ref r, i) == value) return (int)i;
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOfFirstNaN(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref r, i);
                uint bits = Vector256.Equals(v, v).ExtractMostSignificantBits() ^ 0xFFu;
                if (bits != 0) return (int)i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < n; i++)
            if (float.IsNaN(Unsafe.Add(ref r, i))) return (int)i;
        return -1;
    }

    private static void CheckNotEmpty(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("x: expected at least 1 element, got 0", nameof(x));
    }

    /// <summary>
    /// Σ op(a[i], b[i]) with per-block float accumulation and a double total (see the remarks). The op gets the
    /// accumulator and returns it updated; lanes past the end of a tail are masked out, so op(acc, 0, 0) need not be acc.
    /// </summary>
    internal static double Accumulate<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b) where TOp : struct, IAccumulateOp
    {
        double total = 0;
        for (int start = 0; start < a.Length; start += Block)
        {
            int len = Math.Min(Block, a.Length - start);
            total += AccumulateBlock(op, a.Slice(start, len), b.Slice(start, len));
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float AccumulateBlock<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b) where TOp : struct, IAccumulateOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        nuint n = (nuint)a.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            const int W = 16;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; op.Unroll && i + 4 * W <= n; i += 4 * W)
            {
                s0 = op.Apply(s0, Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i));
                s1 = op.Apply(s1, Vector512.LoadUnsafe(ref ra, i + W), Vector512.LoadUnsafe(ref rb, i + W));
                s2 = op.Apply(s2, Vector512.LoadUnsafe(ref ra, i + 2 * W), Vector512.LoadUnsafe(ref rb, i + 2 * W));
                s3 = op.Apply(s3, Vector512.LoadUnsafe(ref ra, i + 3 * W), Vector512.LoadUnsafe(ref rb, i + 3 * W));
            }
            for (; i + W <= n; i += W)
                s0 = op.Apply(s0, Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i));
            // Accumulators end here: live across the tail's copy calls they would be spilled inside the loop.
            float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
            if (i < n)
            {
                var live = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)(n - i))).AsSingle();
                var tail = op.Apply(Vector512<float>.Zero, VectorLoop.LoadPartial512(a[(int)i..]), VectorLoop.LoadPartial512(b[(int)i..]));
                sum += Vector512.Sum(tail & live);
            }
            return sum;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            const int W = 8;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; op.Unroll && i + 4 * W <= n; i += 4 * W)
            {
                s0 = op.Apply(s0, Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i));
                s1 = op.Apply(s1, Vector256.LoadUnsafe(ref ra, i + W), Vector256.LoadUnsafe(ref rb, i + W));
                s2 = op.Apply(s2, Vector256.LoadUnsafe(ref ra, i + 2 * W), Vector256.LoadUnsafe(ref rb, i + 2 * W));
                s3 = op.Apply(s3, Vector256.LoadUnsafe(ref ra, i + 3 * W), Vector256.LoadUnsafe(ref rb, i + 3 * W));
            }
            for (; i + W <= n; i += W)
                s0 = op.Apply(s0, Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i));
            // Accumulators end here: live across the tail's copy calls they would be spilled inside the loop.
            float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
            if (i < n)
            {
                var live = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create((int)(n - i))).AsSingle();
                var tail = op.Apply(Vector256<float>.Zero, VectorLoop.LoadPartial256(a[(int)i..]), VectorLoop.LoadPartial256(b[(int)i..]));
                sum += Vector256.Sum(tail & live);
            }
            return sum;
        }
        {
            const int W = 4;
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; op.Unroll && i + 4 * W <= n; i += 4 * W)
            {
                s0 = op.Apply(s0, Vector128.LoadUnsafe(ref ra, i), Vector128.LoadUnsafe(ref rb, i));
                s1 = op.Apply(s1, Vector128.LoadUnsafe(ref ra, i + W), Vector128.LoadUnsafe(ref rb, i + W));
                s2 = op.Apply(s2, Vector128.LoadUnsafe(ref ra, i + 2 * W), Vector128.LoadUnsafe(ref rb, i + 2 * W));
                s3 = op.Apply(s3, Vector128.LoadUnsafe(ref ra, i + 3 * W), Vector128.LoadUnsafe(ref rb, i + 3 * W));
            }
            for (; i + W <= n; i += W)
                s0 = op.Apply(s0, Vector128.LoadUnsafe(ref ra, i), Vector128.LoadUnsafe(ref rb, i));
            // Accumulators end here: live across the tail's copy calls they would be spilled inside the loop.
            float sum = Vector128.Sum((s0 + s1) + (s2 + s3));
            if (i < n)
            {
                var live = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create((int)(n - i))).AsSingle();
                var tail = op.Apply(Vector128<float>.Zero, VectorLoop.LoadPartial128(a[(int)i..]), VectorLoop.LoadPartial128(b[(int)i..]));
                sum += Vector128.Sum(tail & live);
            }
            return sum;
        }
    }

    // acc + a (b is a again and unused)
    private readonly struct AddOp : IAccumulateOp
    {
        public bool Unroll => true;
        public Vector128<float> Apply(Vector128<float> acc, Vector128<float> a, Vector128<float> b) => acc + a;
        public Vector256<float> Apply(Vector256<float> acc, Vector256<float> a, Vector256<float> b) => acc + a;
        public Vector512<float> Apply(Vector512<float> acc, Vector512<float> a, Vector512<float> b) => acc + a;
    }

    // acc + a·a (b is a again and unused)
    private readonly struct SquareOp : IAccumulateOp
    {
        public bool Unroll => true;
        public Vector128<float> Apply(Vector128<float> acc, Vector128<float> a, Vector128<float> b) => Vector128.MultiplyAddEstimate(a, a, acc);
        public Vector256<float> Apply(Vector256<float> acc, Vector256<float> a, Vector256<float> b) => Vector256.MultiplyAddEstimate(a, a, acc);
        public Vector512<float> Apply(Vector512<float> acc, Vector512<float> a, Vector512<float> b) => Vector512.MultiplyAddEstimate(a, a, acc);
    }

    // acc + a·b
    private readonly struct MultiplyAddOp : IAccumulateOp
    {
        public bool Unroll => true;
        public Vector128<float> Apply(Vector128<float> acc, Vector128<float> a, Vector128<float> b) => Vector128.MultiplyAddEstimate(a, b, acc);
        public Vector256<float> Apply(Vector256<float> acc, Vector256<float> a, Vector256<float> b) => Vector256.MultiplyAddEstimate(a, b, acc);
        public Vector512<float> Apply(Vector512<float> acc, Vector512<float> a, Vector512<float> b) => Vector512.MultiplyAddEstimate(a, b, acc);
    }
}
