using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Vector exp, sigmoid and tanh for 128-, 256- and 512-bit float vectors: the building blocks of the activation
/// kernels and of fused recurrent-gate kernels, which call them inside their own loops.
/// </summary>
/// <remarks>
/// <para><b>Exp.</b> exp(x) = 2^n · e^r with n = round(x / ln 2) and r = x − n·ln 2 ∈ [−ln2/2, ln2/2]; n·ln 2 is
/// subtracted in two parts (Cody–Waite: ln2_hi has 9 significant bits, so n·ln2_hi is exact for |n| ≤ 2^15 with or
/// without FMA). e^r = 1 + r + r²·q(r) with q a degree-4 near-minimax fit (relative error 3e-9, far below float's
/// 6e-8), so the result is within about 1 ulp. 2^n is applied as two factors 2^(n/2)·2^(n−n/2) so that every n in
/// [−126, 128] stays a normal float and overflow to +∞ happens in the final multiply, not in the exponent bits.</para>
/// <para><b>No subnormal results.</b> .NET cannot set flush-to-zero, and subnormal operands make some CPUs take
/// microcode assists. exp(x) for x &lt; ln(FLT_MIN) ≈ −87.34 (a subnormal or zero true result) returns exactly 0;
/// sigmoid and tanh inherit this, so sigmoid(x) = 0 for x &lt; −87.34 (true value below 1.2e-38) and
/// tanh(±x) = ±1 exactly once e^(−2|x|) underflows. exp(x) = +∞ for x &gt; ln(FLT_MAX) ≈ 88.72.</para>
/// <para><b>Sigmoid</b> = num / (1 + e) with e = exp(−|x|) ∈ (0, 1] and num = 1 for x ≥ 0, e for x &lt; 0, so nothing
/// overflows and the relative error stays ≈ 2 ulps on both tails.</para>
/// <para><b>Tanh.</b> For |x| ≥ 0.55, tanh|x| = (1 − e)/(1 + e) with e = exp(−2|x|) ≤ 0.333, where 1 − e loses no
/// relative accuracy; for |x| &lt; 0.55, tanh x = x + x³·P(x²) with P a degree-4 near-minimax fit (relative error
/// 1e-9), which keeps full relative accuracy; below 2^-12 tanh x rounds to x and is returned as is. Each branch is
/// evaluated on its argument clamped into its own range (the SIMD code computes both), so tiny or subnormal x never
/// drives the polynomial or exp into underflow (see below). The sign is copied back, so tanh(−0) = −0.</para>
/// <para><b>Products that may underflow</b> go through <c>MultiplyNoStall</c>: fma(a, b, −0) is bit-identical to a·b,
/// but on AMD Zen 3 (measured) a multiply of normal operands whose product underflows to a subnormal or to zero takes
/// ~2.7x as long, while the FMA unit produces the same result at full speed. (Subnormal operands cost nothing there.)</para>
/// <para>NaN in gives NaN out: the clamps are written so that x86 min/max return the NaN operand.</para>
/// <para>The three widths are the same algorithm line for line; keep them in step.</para>
/// </remarks>
internal static class VectorMath
{
    /// <summary>Just above ln(FLT_MIN) = −87.336545: exp below this would be subnormal and is returned as 0; exp at it is
    /// FLT_MIN·(1 + 4e-5), safely normal even with rounding.</summary>
    internal const float ExpUnderflow = -87.3365f;

    /// <summary>Upper clamp of the exp argument: above ln(FLT_MAX) ≈ 88.72 the final multiply overflows to +∞.</summary>
    private const float ExpClampHigh = 89f;

    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>1.5·2^23: adding it rounds a float of magnitude &lt; 2^22 to an integer in the low mantissa bits.</summary>
    private const float RoundMagic = 12582912f;

    // q(r) with e^r ≈ 1 + r + r²·q(r) on [−ln2/2, ln2/2].
    private const float E2 = 0.49999994f;
    private const float E3 = 0.16666521f;
    private const float E4 = 0.041668404f;
    private const float E5 = 0.0083686775f;
    private const float E6 = 0.0013813658f;

    /// <summary>Below this |x|, tanh uses its odd polynomial.</summary>
    private const float TanhPolyLimit = 0.55f;

    /// <summary>2^-12: below it tanh x = x·(1 − x²/3 + …) rounds to x itself.</summary>
    private const float TanhIdentityLimit = 2.44140625e-4f;

    // P(s) with tanh x ≈ x + x³·P(x²) on [0, 0.55].
    private const float T3 = -0.33333316f;
    private const float T5 = 0.13332587f;
    private const float T7 = -0.05385246f;
    private const float T9 = 0.021072336f;
    private const float T11 = -0.0062751994f;

    // ---------------------------------------------------------------- Vector128

    /// <summary>Elementwise e^x (≈1 ulp; 0 below −87.34, +∞ above 88.72, NaN for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        // Operand order matters: x86 min/max return the second operand when either is NaN.
        var xc = Vector128.MinNative(Vector128.Create(ExpClampHigh), Vector128.MaxNative(Vector128.Create(ExpUnderflow), x));
        var t = Vector128.MultiplyAddEstimate(xc, Vector128.Create(Log2E), Vector128.Create(RoundMagic));
        var n = t - Vector128.Create(RoundMagic);
        var ni = t.AsInt32() - Vector128.Create(RoundMagic).AsInt32();
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Hi), xc);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Lo), r);
        var q = Vector128.MultiplyAddEstimate(Vector128.Create(E6), r, Vector128.Create(E5));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(E4));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(E3));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(E2));
        var p = Vector128.MultiplyAddEstimate(q, MultiplyNoStall(r, r), r) + Vector128<float>.One;
        var n1 = ni >> 1;
        var s1 = ((n1 + Vector128.Create(127)) << 23).AsSingle();
        var s2 = ((ni - n1 + Vector128.Create(127)) << 23).AsSingle();
        var y = p * s1 * s2;
        return Vector128.AndNot(y, Vector128.LessThan(x, Vector128.Create(ExpUnderflow)));
    }

    /// <summary>Elementwise 1 / (1 + e^−x) (≈2 ulps; exactly 0 below −87.34, exactly 1 above ≈ 17).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x)
    {
        var e = Exp(-Vector128.Abs(x));
        var num = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), e, Vector128<float>.One);
        return num / (Vector128<float>.One + e);
    }

    /// <summary>Elementwise tanh x (≈2 ulps, full relative accuracy near 0, exactly ±1 for |x| ≥ ≈ 9.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var ax = Vector128.Abs(x);
        var al = Vector128.MaxNative(Vector128.Create(TanhPolyLimit), ax);
        var e = Exp(al * Vector128.Create(-2f));
        var large = (Vector128<float>.One - e) / (Vector128<float>.One + e);
        var ap = Vector128.MaxNative(Vector128.Create(TanhIdentityLimit), ax);
        var s = ap * ap;
        var p = Vector128.MultiplyAddEstimate(Vector128.Create(T11), s, Vector128.Create(T9));
        p = Vector128.MultiplyAddEstimate(p, s, Vector128.Create(T7));
        p = Vector128.MultiplyAddEstimate(p, s, Vector128.Create(T5));
        p = Vector128.MultiplyAddEstimate(p, s, Vector128.Create(T3));
        var small = Vector128.MultiplyAddEstimate(p, s * ap, ap);
        small = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(TanhIdentityLimit)), ax, small);
        var t = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(TanhPolyLimit)), small, large);
        return t | (x & Vector128.Create(-0f));
    }

    // ---------------------------------------------------------------- Vector256

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var xc = Vector256.MinNative(Vector256.Create(ExpClampHigh), Vector256.MaxNative(Vector256.Create(ExpUnderflow), x));
        var t = Vector256.MultiplyAddEstimate(xc, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var n = t - Vector256.Create(RoundMagic);
        var ni = t.AsInt32() - Vector256.Create(RoundMagic).AsInt32();
        var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Lo), r);
        var q = Vector256.MultiplyAddEstimate(Vector256.Create(E6), r, Vector256.Create(E5));
        q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(E4));
        q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(E3));
        q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(E2));
        var p = Vector256.MultiplyAddEstimate(q, MultiplyNoStall(r, r), r) + Vector256<float>.One;
        var n1 = ni >> 1;
        var s1 = ((n1 + Vector256.Create(127)) << 23).AsSingle();
        var s2 = ((ni - n1 + Vector256.Create(127)) << 23).AsSingle();
        var y = p * s1 * s2;
        return Vector256.AndNot(y, Vector256.LessThan(x, Vector256.Create(ExpUnderflow)));
    }

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var e = Exp(-Vector256.Abs(x));
        var num = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), e, Vector256<float>.One);
        return num / (Vector256<float>.One + e);
    }

    /// <inheritdoc cref="Tanh(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var al = Vector256.MaxNative(Vector256.Create(TanhPolyLimit), ax);
        var e = Exp(al * Vector256.Create(-2f));
        var large = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        var ap = Vector256.MaxNative(Vector256.Create(TanhIdentityLimit), ax);
        var s = ap * ap;
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(T11), s, Vector256.Create(T9));
        p = Vector256.MultiplyAddEstimate(p, s, Vector256.Create(T7));
        p = Vector256.MultiplyAddEstimate(p, s, Vector256.Create(T5));
        p = Vector256.MultiplyAddEstimate(p, s, Vector256.Create(T3));
        var small = Vector256.MultiplyAddEstimate(p, s * ap, ap);
        small = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhIdentityLimit)), ax, small);
        var t = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhPolyLimit)), small, large);
        return t | (x & Vector256.Create(-0f));
    }

    // ---------------------------------------------------------------- Vector512

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var xc = Vector512.MinNative(Vector512.Create(ExpClampHigh), Vector512.MaxNative(Vector512.Create(ExpUnderflow), x));
        var t = Vector512.MultiplyAddEstimate(xc, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var n = t - Vector512.Create(RoundMagic);
        var ni = t.AsInt32() - Vector512.Create(RoundMagic).AsInt32();
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Lo), r);
        var q = Vector512.MultiplyAddEstimate(Vector512.Create(E6), r, Vector512.Create(E5));
        q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(E4));
        q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(E3));
        q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(E2));
        var p = Vector512.MultiplyAddEstimate(q, MultiplyNoStall(r, r), r) + Vector512<float>.One;
        var n1 = ni >> 1;
        var s1 = ((n1 + Vector512.Create(127)) << 23).AsSingle();
        var s2 = ((ni - n1 + Vector512.Create(127)) << 23).AsSingle();
        var y = p * s1 * s2;
        return Vector512.AndNot(y, Vector512.LessThan(x, Vector512.Create(ExpUnderflow)));
    }

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        var e = Exp(-Vector512.Abs(x));
        var num = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), e, Vector512<float>.One);
        return num / (Vector512<float>.One + e);
    }

    /// <inheritdoc cref="Tanh(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var al = Vector512.MaxNative(Vector512.Create(TanhPolyLimit), ax);
        var e = Exp(al * Vector512.Create(-2f));
        var large = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        var ap = Vector512.MaxNative(Vector512.Create(TanhIdentityLimit), ax);
        var s = ap * ap;
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(T11), s, Vector512.Create(T9));
        p = Vector512.MultiplyAddEstimate(p, s, Vector512.Create(T7));
        p = Vector512.MultiplyAddEstimate(p, s, Vector512.Create(T5));
        p = Vector512.MultiplyAddEstimate(p, s, Vector512.Create(T3));
        var small = Vector512.MultiplyAddEstimate(p, s * ap, ap);
        small = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhIdentityLimit)), ax, small);
        var t = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhPolyLimit)), small, large);
        return t | (x & Vector512.Create(-0f));
    }

    // ---------------------------------------------------------------- products

    /// <summary>
    /// a·b, bit-identical to the <c>*</c> operator (the exact product rounded once; adding −0 changes no result, not
    /// even the sign of a zero), computed as fma(a, b, −0) so that an underflowing product does not take the
    /// multiplier's slow path (see the remarks). Without hardware FMA it is a plain multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyNoStall(Vector128<float> a, Vector128<float> b) =>
        Vector128.MultiplyAddEstimate(a, b, Vector128.Create(-0f));

    /// <inheritdoc cref="MultiplyNoStall(Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyNoStall(Vector256<float> a, Vector256<float> b) =>
        Vector256.MultiplyAddEstimate(a, b, Vector256.Create(-0f));

    /// <inheritdoc cref="MultiplyNoStall(Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyNoStall(Vector512<float> a, Vector512<float> b) =>
        Vector512.MultiplyAddEstimate(a, b, Vector512.Create(-0f));
}
