using Recur.Layers;

namespace Recur.IO.Onnx;

/// <summary>
/// ONNX-semantics evaluator for RNN/GRU/LSTM nodes that no Recur layer matches (reverse-only, clip, peepholes,
/// input_forget, other activations, zero sequence lengths). Per direction, with ONNX gate order and B = [Wb, Rb]:
/// <code>
///   RNN   H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb)
///   GRU   z = f(X Wz^T + H Rz^T + Wbz + Rbz);  r = f(X Wr^T + H Rr^T + Wbr + Rbr)
///         h~ = g(X Wh^T + (r ⊙ H) Rh^T + Rbh + Wbh)          linear_before_reset = 0
///         h~ = g(X Wh^T + r ⊙ (H Rh^T + Rbh) + Wbh)          linear_before_reset = 1
///         H_t = (1 - z) ⊙ h~ + z ⊙ H_{t-1}
///   LSTM  i = f(X Wi^T + H Ri^T + Pi ⊙ C_{t-1} + Wbi + Rbi);  f = f(... Pf ⊙ C_{t-1} ...)  (input_forget: f = 1 - i)
///         c = g(X Wc^T + H Rc^T + Wbc + Rbc);  C_t = f ⊙ C_{t-1} + i ⊙ c
///         o = f(X Wo^T + H Ro^T + Po ⊙ C_t + Wbo + Rbo);  H_t = o ⊙ h(C_t)
/// </code>
/// clip bounds every gate pre-activation to [-clip, clip] (not C_t). A sequence of length L uses steps 0..L-1 (the
/// reverse direction starts at L-1); later outputs are 0 and the final state is the one after step L-1 (0 when L = 0, as in
/// ONNX Runtime). Shapes here are batch-first: x [B, T, I], y [B, T, D*H] with features [forward | reverse],
/// states [D, B, H]; weights per direction d: W [G*H, I], R [G*H, H], B [2*G*H], P [3*H] (i, o, f).
/// </summary>
internal static class OnnxRecurrentEvaluator
{
    public static void Run(OnnxRecurrentSpec spec, float[] x, int b, int t, int inputSize, int h,
        float[] w, float[] r, float[]? bias, float[]? peep, float[]? h0, float[]? c0, int[] lengths,
        float[] y, float[] hn, float[]? cn)
    {
        int d = spec.Directions, gh = spec.Gates * h;
        var xw = new float[b * t * gh];
        var hr = new float[b * gh];
        var rh = spec.Kind == CellKind.Gru && !spec.LinearBeforeReset ? new float[b * h] : null;
        var rhR = rh is null ? null : new float[b * h];
        int maxLen = lengths.Length == 0 ? 0 : lengths.Max();
        for (int dir = 0; dir < d; dir++)
        {
            var wd = w.AsSpan(dir * gh * inputSize, gh * inputSize);
            var rd = r.AsSpan(dir * gh * h, gh * h);
            var bd = bias is null ? default : bias.AsSpan(dir * 2 * gh, 2 * gh);
            var pd = peep is null ? default : peep.AsSpan(dir * 3 * h, 3 * h);
            var hs = hn.AsSpan(dir * b * h, b * h);
            var cs = cn is null ? default : cn.AsSpan(dir * b * h, b * h);
            if (h0 is null) hs.Clear(); else h0.AsSpan(dir * b * h, b * h).CopyTo(hs);
            if (!cs.IsEmpty) { if (c0 is null) cs.Clear(); else c0.AsSpan(dir * b * h, b * h).CopyTo(cs); }
            // xw [B*T, G*H] = x [B*T, I] W^T + Wb (+ Rb, except GRU's h block with linear_before_reset, which r scales)
            Kernels.Gemm.Sgemm(false, true, b * t, gh, inputSize, 1f, x, inputSize, wd, inputSize, 0f, xw, gh);
            if (!bd.IsEmpty)
            {
                int rbEnd = spec.Kind == CellKind.Gru && spec.LinearBeforeReset ? 2 * h : gh;
                for (int row = 0; row < b * t; row++)
                {
                    var g = xw.AsSpan(row * gh, gh);
                    for (int j = 0; j < gh; j++) g[j] += bd[j] + (j < rbEnd ? bd[gh + j] : 0f);
                }
            }
            bool reverse = spec.IsReverse(dir);
            var f = spec.Activation(dir, 0);
            var gAct = spec.ActivationsPerDirection > 1 ? spec.Activation(dir, 1) : f;
            var hAct = spec.ActivationsPerDirection > 2 ? spec.Activation(dir, 2) : f;
            float clip = spec.Clip ?? float.PositiveInfinity;
            for (int s = 0; s < maxLen; s++)
            {
                // hr [B, G*H] = H_{t-1} R^T for every row (finished rows are computed and ignored)
                Kernels.Gemm.Sgemm(false, true, b, gh, h, 1f, hs, h, rd, h, 0f, hr, gh);
                for (int row = 0; row < b; row++)
                {
                    if (s >= lengths[row]) continue;
                    int step = reverse ? lengths[row] - 1 - s : s;
                    var g = xw.AsSpan((row * t + step) * gh, gh);
                    var q = hr.AsSpan(row * gh, gh);
                    var hv = hs.Slice(row * h, h);
                    switch (spec.Kind)
                    {
                        case CellKind.Rnn:
                            for (int j = 0; j < h; j++) hv[j] = f.Apply(Clip(g[j] + q[j], clip));
                            break;
                        case CellKind.Lstm:
                            LstmStep(g, q, pd, hv, cs.Slice(row * h, h), h, f, gAct, hAct, clip, spec.InputForget);
                            break;
                        default:
                            GruGates(g, q, hv, rh is null ? default : rh.AsSpan(row * h, h), h, f, clip);
                            break;
                    }
                }
                if (spec.Kind == CellKind.Gru)
                {
                    // linear_before_reset = 0 needs (r ⊙ H) Rh^T, known only now: rhR [B, H] = rh [B, H] Rh^T
                    if (rh is not null) Kernels.Gemm.Sgemm(false, true, b, h, h, 1f, rh, h, rd.Slice(2 * h * h, h * h), h, 0f, rhR, h);
                    for (int row = 0; row < b; row++)
                    {
                        if (s >= lengths[row]) continue;
                        int step = reverse ? lengths[row] - 1 - s : s;
                        var g = xw.AsSpan((row * t + step) * gh, gh);
                        var q = hr.AsSpan(row * gh, gh);
                        var rbh = bd.IsEmpty ? default : bd.Slice(gh + 2 * h, h);
                        GruCandidate(g, q, rhR is null ? default : rhR.AsSpan(row * h, h), rbh, hs.Slice(row * h, h), h, gAct, clip);
                    }
                }
                for (int row = 0; row < b; row++)
                {
                    if (s >= lengths[row]) continue;
                    int step = reverse ? lengths[row] - 1 - s : s;
                    hs.Slice(row * h, h).CopyTo(y.AsSpan((row * t + step) * d * h + dir * h, h));
                }
            }
            // an empty sequence has no last step: its final state is 0 (as ONNX Runtime defines it)
            for (int row = 0; row < b; row++)
            {
                if (lengths[row] > 0) continue;
                hs.Slice(row * h, h).Clear();
                if (!cs.IsEmpty) cs.Slice(row * h, h).Clear();
            }
        }
    }

    private static float Clip(float v, float clip) => v > clip ? clip : v < -clip ? -clip : v;

    // ONNX LSTM blocks i, o, f, c at 0, H, 2H, 3H; peepholes P = [Pi, Po, Pf]
    private static void LstmStep(ReadOnlySpan<float> g, ReadOnlySpan<float> q, ReadOnlySpan<float> p, Span<float> hv, Span<float> cv,
        int h, OnnxActivation f, OnnxActivation gAct, OnnxActivation hAct, float clip, bool inputForget)
    {
        for (int j = 0; j < h; j++)
        {
            float cPrev = cv[j];
            float pi = p.IsEmpty ? 0 : p[j], po = p.IsEmpty ? 0 : p[h + j], pf = p.IsEmpty ? 0 : p[2 * h + j];
            float i = f.Apply(Clip(g[j] + q[j] + pi * cPrev, clip));
            float fg = inputForget ? 1 - i : f.Apply(Clip(g[2 * h + j] + q[2 * h + j] + pf * cPrev, clip));
            float c = gAct.Apply(Clip(g[3 * h + j] + q[3 * h + j], clip));
            float cNew = fg * cPrev + i * c;
            float o = f.Apply(Clip(g[h + j] + q[h + j] + po * cNew, clip));
            cv[j] = cNew;
            hv[j] = o * hAct.Apply(cNew);
        }
    }

    // ONNX GRU blocks z, r, h at 0, H, 2H. First phase: z and r replace their pre-activations in q; r ⊙ H_{t-1}
    // goes to rh for the reset-before product (linear_before_reset = 0).
    private static void GruGates(ReadOnlySpan<float> g, Span<float> q, ReadOnlySpan<float> hv, Span<float> rh, int h, OnnxActivation f, float clip)
    {
        for (int j = 0; j < h; j++)
        {
            float z = f.Apply(Clip(g[j] + q[j], clip));
            float r = f.Apply(Clip(g[h + j] + q[h + j], clip));
            q[j] = z;
            q[h + j] = r;
            if (!rh.IsEmpty) rh[j] = r * hv[j];
        }
    }

    // Second phase: h~ and H_t = (1 - z) h~ + z H_{t-1}. q holds z, r (from GruGates) and H_{t-1} Rh^T.
    private static void GruCandidate(ReadOnlySpan<float> g, ReadOnlySpan<float> q, ReadOnlySpan<float> rhR, ReadOnlySpan<float> rbh,
        Span<float> hv, int h, OnnxActivation gAct, float clip)
    {
        for (int j = 0; j < h; j++)
        {
            float z = q[j], r = q[h + j];
            float pre = rhR.IsEmpty
                ? g[2 * h + j] + r * (q[2 * h + j] + (rbh.IsEmpty ? 0 : rbh[j]))
                : g[2 * h + j] + rhR[j];
            float cand = gAct.Apply(Clip(pre, clip));
            hv[j] = (1 - z) * cand + z * hv[j];
        }
    }
}
