using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Layers;

/// <summary>Scalar forms of the gate nonlinearities, used for the tails that do not fill a vector.</summary>
internal static class Scalar
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref Vector256<float> V(Span<float> s, int i) => ref Unsafe.As<float, Vector256<float>>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> L(ReadOnlySpan<float> s, int i) => Unsafe.As<float, Vector256<float>>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), i));
}

/// <summary>
/// LSTM gate math for one batch row, fused in one pass (PyTorch's gate order i, f, g, o):
/// <code>
///   a = [a_i | a_f | a_g | a_o]                 pre-activations, 4H   (x W_ih^T + b_ih + h W_hh^T + b_hh)
///   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
///   c' = f ⊙ c + i ⊙ g                          H
///   r  = o ⊙ tanh(c')                           H   (the new h, or its input to the projection h = r W_hr^T)
/// </code>
/// </summary>
internal static class LstmMath
{
    /// <summary>forward: <paramref name="gates"/> pre-activations in, activations [i|f|g|o] out (kept for backward).</summary>
    public static void ForwardRow(Span<float> gates, ReadOnlySpan<float> c, Span<float> cNew, Span<float> r)
    {
        // One pass per nonlinearity over the row (4H floats, in L1): a loop body with five inlined exponentials grows
        // past what the JIT inlines well and ran at two thirds of the speed of these passes (8.8 vs 6.1 ns per cell,
        // B32 H256, kernels suite CellMath).
        int h = c.Length;
        var gi = gates[..h]; var gf = gates.Slice(h, h); var gg = gates.Slice(2 * h, h); var go = gates.Slice(3 * h, h);
        Activations.Sigmoid(gates[..(2 * h)], gates[..(2 * h)]);
        Activations.Tanh(gg, gg);
        Activations.Sigmoid(go, go);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j <= h - 8; j += 8)
                Scalar.V(cNew, j) = Scalar.L(gf, j) * Scalar.L(c, j) + Scalar.L(gi, j) * Scalar.L(gg, j);
        for (; j < h; j++) cNew[j] = gf[j] * c[j] + gi[j] * gg[j];
        Activations.Tanh(cNew, r);
        Elementwise.Multiply(r, go, r);
    }

    /// <summary>
    /// backward of <see cref="ForwardRow"/>: given dr = ∂L/∂r and dc = ∂L/∂c' (in), turns <paramref name="gates"/>
    /// (activations) into ∂L/∂a and <paramref name="dc"/> into ∂L/∂c:
    /// <code>
    ///   tc = tanh(c');  do = dr ⊙ tc;  dc' = dc + dr ⊙ o ⊙ (1 - tc²)
    ///   da_i = dc' ⊙ g ⊙ i(1-i);  da_f = dc' ⊙ c ⊙ f(1-f);  da_g = dc' ⊙ i ⊙ (1-g²);  da_o = do ⊙ o(1-o)
    ///   dc ← dc' ⊙ f
    /// </code>
    /// </summary>
    public static void BackwardRow(Span<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cNew, ReadOnlySpan<float> dr, Span<float> dc)
    {
        int h = c.Length;
        var gi = gates[..h]; var gf = gates.Slice(h, h); var gg = gates.Slice(2 * h, h); var go = gates.Slice(3 * h, h);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= h - 8; j += 8)
            {
                var i = Scalar.L(gi, j); var f = Scalar.L(gf, j); var g = Scalar.L(gg, j); var o = Scalar.L(go, j);
                var tc = VectorMath.Tanh(Scalar.L(cNew, j));
                var d = Scalar.L(dr, j);
                var dcn = Scalar.L(dc, j) + d * o * (one - tc * tc);
                Scalar.V(gi, j) = dcn * g * i * (one - i);
                Scalar.V(gf, j) = dcn * Scalar.L(c, j) * f * (one - f);
                Scalar.V(gg, j) = dcn * i * (one - g * g);
                Scalar.V(go, j) = d * tc * o * (one - o);
                Scalar.V(dc, j) = dcn * f;
            }
        }
        for (; j < h; j++)
        {
            float i = gi[j], f = gf[j], g = gg[j], o = go[j];
            float tc = Scalar.Tanh(cNew[j]);
            float dcn = dc[j] + dr[j] * o * (1 - tc * tc);
            gi[j] = dcn * g * i * (1 - i);
            gf[j] = dcn * c[j] * f * (1 - f);
            gg[j] = dcn * i * (1 - g * g);
            go[j] = dr[j] * tc * o * (1 - o);
            dc[j] = dcn * f;
        }
    }
}

/// <summary>
/// GRU gate math for one batch row (PyTorch's gate order r, z, n):
/// <code>
///   r = σ(a_xr + a_hr)   z = σ(a_xz + a_hz)          a_x = x W_ih^T + b_ih,  a_h = h W_hh^T + b_hh (3H each)
///   reset after  (PyTorch, cuDNN; ONNX linear_before_reset=1):  n = tanh(a_xn + r ⊙ (W_hn h + b_hn))
///   reset before (Cho et al. 2014; Keras reset_after=False):    n = tanh(a_xn + W_hn (r ⊙ h) + b_hn)
///   h' = (1 - z) ⊙ n + z ⊙ h  =  n + z ⊙ (h - n)
/// </code>
/// </summary>
internal static class GruMath
{
    /// <summary>
    /// forward, reset after: a_x from <paramref name="ax"/> in, [r|z|n] out in <paramref name="xg"/> (the same span, or
    /// e.g. a token's row of E W_ihᵀ + biases shared by every step that reads the token); <paramref name="hg"/> = a_h
    /// (its n part, hn = W_hn h + b_hn, is kept for backward).
    /// </summary>
    public static void ForwardRow(ReadOnlySpan<float> ax, Span<float> xg, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, Span<float> hNew)
    {
        // One pass per nonlinearity, as in LstmMath.ForwardRow.
        int h = hPrev.Length;
        var rz = xg[..(2 * h)]; var xz = xg.Slice(h, h); var xn = xg.Slice(2 * h, h);
        Elementwise.Add(ax[..(2 * h)], hg[..(2 * h)], rz);
        Activations.Sigmoid(rz, rz);
        Elementwise.MultiplyAdd(xg[..h], hg.Slice(2 * h, h), ax.Slice(2 * h, h), xn); // a_xn + r ⊙ hn
        Activations.Tanh(xn, xn);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j <= h - 8; j += 8)
            {
                var n = Scalar.L(xn, j);
                Scalar.V(hNew, j) = n + Scalar.L(xz, j) * (Scalar.L(hPrev, j) - n);
            }
        for (; j < h; j++) hNew[j] = xn[j] + xz[j] * (hPrev[j] - xn[j]);
    }

    /// <summary>
    /// backward of <see cref="ForwardRow"/> (reset after), given dh = ∂L/∂h':
    /// <code>
    ///   da_n = dh ⊙ (1-z) ⊙ (1-n²);  da_z = dh ⊙ (h-n) ⊙ z(1-z);  da_r = da_n ⊙ hn ⊙ r(1-r)
    ///   xg ← [da_r | da_z | da_n]   (∂L/∂a_x)      dgh ← [da_r | da_z | da_n ⊙ r]   (∂L/∂a_h)
    ///   dhPrev ← dh ⊙ z             (the direct path; the caller adds dgh W_hh)
    /// </code>
    /// </summary>
    public static void BackwardRow(Span<float> xg, ReadOnlySpan<float> hg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, Span<float> dgh, Span<float> dhPrev)
    {
        int h = hPrev.Length;
        var xr = xg[..h]; var xz = xg.Slice(h, h); var xn = xg.Slice(2 * h, h);
        var hn = hg.Slice(2 * h, h);
        var dr = dgh[..h]; var dz = dgh.Slice(h, h); var dn = dgh.Slice(2 * h, h);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= h - 8; j += 8)
            {
                var r = Scalar.L(xr, j); var z = Scalar.L(xz, j); var n = Scalar.L(xn, j);
                var d = Scalar.L(dh, j); var hp = Scalar.L(hPrev, j);
                var dan = d * (one - z) * (one - n * n);
                var daz = d * (hp - n) * z * (one - z);
                var dar = dan * Scalar.L(hn, j) * r * (one - r);
                Scalar.V(xr, j) = dar; Scalar.V(xz, j) = daz; Scalar.V(xn, j) = dan;
                Scalar.V(dr, j) = dar; Scalar.V(dz, j) = daz; Scalar.V(dn, j) = dan * r;
                Scalar.V(dhPrev, j) = d * z;
            }
        }
        for (; j < h; j++)
        {
            float r = xr[j], z = xz[j], n = xn[j], d = dh[j];
            float dan = d * (1 - z) * (1 - n * n);
            float daz = d * (hPrev[j] - n) * z * (1 - z);
            float dar = dan * hn[j] * r * (1 - r);
            xr[j] = dar; xz[j] = daz; xn[j] = dan;
            dr[j] = dar; dz[j] = daz; dn[j] = dan * r;
            dhPrev[j] = d * z;
        }
    }

    /// <summary>forward phase 1, reset before: r, z from [a_xr|a_xz] + [a_hr|a_hz] (written into xg), and rh = r ⊙ h.</summary>
    public static void ForwardResetGateRow(Span<float> xg, ReadOnlySpan<float> hg2, ReadOnlySpan<float> hPrev, Span<float> rh)
    {
        int h = hPrev.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j <= h - 8; j += 8)
            {
                var r = VectorMath.Sigmoid(Scalar.L(xg, j) + Scalar.L(hg2, j));
                Scalar.V(xg, j) = r;
                Scalar.V(xg, h + j) = VectorMath.Sigmoid(Scalar.L(xg, h + j) + Scalar.L(hg2, h + j));
                Scalar.V(rh, j) = r * Scalar.L(hPrev, j);
            }
        for (; j < h; j++)
        {
            float r = Scalar.Sigmoid(xg[j] + hg2[j]);
            xg[j] = r;
            xg[h + j] = Scalar.Sigmoid(xg[h + j] + hg2[h + j]);
            rh[j] = r * hPrev[j];
        }
    }

    /// <summary>forward phase 2, reset before: n = tanh(a_xn + hn) with hn = W_hn (r ⊙ h) + b_hn; h' = n + z ⊙ (h - n).</summary>
    public static void ForwardCandidateRow(Span<float> xg, ReadOnlySpan<float> hn, ReadOnlySpan<float> hPrev, Span<float> hNew)
    {
        int h = hPrev.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j <= h - 8; j += 8)
            {
                var n = VectorMath.Tanh(Scalar.L(xg, 2 * h + j) + Scalar.L(hn, j));
                Scalar.V(xg, 2 * h + j) = n;
                Scalar.V(hNew, j) = n + Scalar.L(xg, h + j) * (Scalar.L(hPrev, j) - n);
            }
        for (; j < h; j++)
        {
            float n = Scalar.Tanh(xg[2 * h + j] + hn[j]);
            xg[2 * h + j] = n;
            hNew[j] = n + xg[h + j] * (hPrev[j] - n);
        }
    }

    /// <summary>backward phase 1, reset before: da_n, da_z into xg and dhPrev ← dh ⊙ z.</summary>
    public static void BackwardCandidateRow(Span<float> xg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, Span<float> dhPrev)
    {
        int h = hPrev.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= h - 8; j += 8)
            {
                var z = Scalar.L(xg, h + j); var n = Scalar.L(xg, 2 * h + j); var d = Scalar.L(dh, j);
                Scalar.V(xg, 2 * h + j) = d * (one - z) * (one - n) * (one + n);
                Scalar.V(xg, h + j) = d * (Scalar.L(hPrev, j) - n) * z * (one - z);
                Scalar.V(dhPrev, j) = d * z;
            }
        }
        for (; j < h; j++)
        {
            float z = xg[h + j], n = xg[2 * h + j], d = dh[j];
            xg[2 * h + j] = d * (1 - z) * (1 - n) * (1 + n);
            xg[h + j] = d * (hPrev[j] - n) * z * (1 - z);
            dhPrev[j] = d * z;
        }
    }

    /// <summary>backward phase 2, reset before: given drh = ∂L/∂(r ⊙ h): da_r = drh ⊙ h ⊙ r(1-r) into xg, dhPrev += drh ⊙ r.</summary>
    public static void BackwardResetGateRow(Span<float> xg, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> drh, Span<float> dhPrev)
    {
        int h = hPrev.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= h - 8; j += 8)
            {
                var r = Scalar.L(xg, j); var d = Scalar.L(drh, j);
                Scalar.V(xg, j) = d * Scalar.L(hPrev, j) * r * (one - r);
                Scalar.V(dhPrev, j) = Scalar.L(dhPrev, j) + d * r;
            }
        }
        for (; j < h; j++)
        {
            float r = xg[j];
            xg[j] = drh[j] * hPrev[j] * r * (1 - r);
            dhPrev[j] += drh[j] * r;
        }
    }
}

/// <summary>Nonlinearity of a vanilla (Elman) RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).</summary>
public enum RnnNonlinearity
{
    /// <summary>tanh (PyTorch's default, RNN_TANH).</summary>
    Tanh,

    /// <summary>max(0, x) (RNN_RELU).</summary>
    Relu,

    /// <summary>The logistic sigmoid 1 / (1 + e^-x) (not in PyTorch; the notes list it).</summary>
    Sigmoid,
}

/// <summary>Vanilla RNN math for one batch row: h' = act(a), and its backward from the output h'.</summary>
internal static class RnnMath
{
    /// <summary>forward: a (pre-activation) in, h' = act(a) out in both <paramref name="pre"/> and <paramref name="hNew"/>.</summary>
    public static void ForwardRow(RnnNonlinearity act, Span<float> pre, Span<float> hNew)
    {
        int j = 0, n = pre.Length;
        if (Vector256.IsHardwareAccelerated)
            for (; j <= n - 8; j += 8)
            {
                var a = Scalar.L(pre, j);
                var h = act switch
                {
                    RnnNonlinearity.Tanh => VectorMath.Tanh(a),
                    RnnNonlinearity.Relu => Vector256.Max(a, Vector256<float>.Zero),
                    _ => VectorMath.Sigmoid(a),
                };
                Scalar.V(pre, j) = h;
                Scalar.V(hNew, j) = h;
            }
        for (; j < n; j++)
            hNew[j] = pre[j] = act switch
            {
                RnnNonlinearity.Tanh => Scalar.Tanh(pre[j]),
                RnnNonlinearity.Relu => pre[j] > 0 ? pre[j] : 0f,
                _ => Scalar.Sigmoid(pre[j]),
            };
    }

    /// <summary>backward from the output: <paramref name="h"/> = act(a) in, ∂L/∂a = dh ⊙ act'(a) out (in place).</summary>
    public static void BackwardRow(RnnNonlinearity act, Span<float> h, ReadOnlySpan<float> dh)
    {
        int j = 0, n = h.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= n - 8; j += 8)
            {
                var y = Scalar.L(h, j);
                var d = Scalar.L(dh, j);
                Scalar.V(h, j) = act switch
                {
                    RnnNonlinearity.Tanh => d * (one - y) * (one + y),
                    RnnNonlinearity.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), d, Vector256<float>.Zero),
                    _ => d * y * (one - y),
                };
            }
        }
        for (; j < n; j++)
            h[j] = act switch
            {
                RnnNonlinearity.Tanh => dh[j] * (1 - h[j]) * (1 + h[j]),
                RnnNonlinearity.Relu => h[j] > 0 ? dh[j] : 0f,
                _ => dh[j] * h[j] * (1 - h[j]),
            };
    }
}
