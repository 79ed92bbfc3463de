using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// LSTM with peephole connections (Gers and Schmidhuber 2000; ONNX LSTM with input P), gate order i, f, g, o and
/// peepholes p = weight_ph [3H] = [p_i | p_f | p_o]:
/// <code>
///   a = [a_i | a_f | a_g | a_o] = a_x + h W_hh^T            [n, 4H]   (a_x = x W_ih^T + b_ih + b_hh)
///   i = σ(a_i + p_i ⊙ c)   f = σ(a_f + p_f ⊙ c)   g = tanh(a_g)
///   c' = f ⊙ c + i ⊙ g                                       [n, H]
///   o = σ(a_o + p_o ⊙ c')                                    (o peeks at the new cell)
///   h' = o ⊙ tanh(c')                                        [n, H]
/// </code>
/// Kept for backward: [i|f|g|o] (in the gates), c entering each step (the sweep's), and copies of c and c' per step
/// for ∂L/∂p = Σ_t [da_i ⊙ c | da_f ⊙ c | da_o ⊙ c'].
/// </summary>
internal sealed class PeepholeLstmDefinition(CellSpec spec) : CellDefinition(spec, [4 * spec.HiddenSize])
{
    public override bool HasCellState => true;

    public override (string Name, int Length)[] OwnParameters => [("weight_ph", 3 * H)];

    public override CellActivations NewActivations() => new Activations();

    public override void BeginForward(CellActivations a, int b, int t, bool keep)
    {
        if (!keep) return;
        var s = (Activations)a;
        Tensor.Ensure(ref s.C, b, t, H).Clear();     // rows never active stay 0 (their gate gradients are 0 too)
        Tensor.Ensure(ref s.CNew, b, t, H).Clear();
    }

    public override void Forward(CellActivations a, HiddenWeights w, in CellStep s)
    {
        var act = (Activations)a;
        AddHidden(w, s);
        var p = w.Own[0].Value.Span;
        for (int i = 0; i < s.Rows.Count; i++)
        {
            if (!s.Active(i)) continue;
            ForwardRow(s.Gates.Row(i), p, s.CPrev.Row(i), s.CNew.Row(i), s.HNew.Row(i));
            if (!s.Keep) continue;
            s.CPrev.Row(i).CopyTo(s.Rows.Of(act.C!.TimeStep(s.Time)).Row(i));
            s.CNew.Row(i).CopyTo(s.Rows.Of(act.CNew!.TimeStep(s.Time)).Row(i));
        }
    }

    // backward of the row (see ForwardRow), given dh' and dc' (the gradient of c' from the next step):
    //   tc = tanh(c');  da_o = dh' ⊙ tc ⊙ o(1-o);  dc' ← dc' + dh' ⊙ o ⊙ (1 - tc²) + da_o ⊙ p_o
    //   da_i = dc' ⊙ g ⊙ i(1-i);  da_f = dc' ⊙ c ⊙ f(1-f);  da_g = dc' ⊙ i ⊙ (1-g²)
    //   ∂L/∂c = dc' ⊙ f + da_i ⊙ p_i + da_f ⊙ p_f;   ∂L/∂h = da W_hh
    public override void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s)
    {
        var p = w.Own[0].Value.Span;
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) BackwardRow(s.Gates.Row(i), p, s.CPrev.Row(i), s.CNew.Row(i), s.Dh.Row(i), s.Dc.Row(i));
        w.Multiply(0, s.Gates, s.DhPrev, 0f);
    }

    // ∂L/∂p_i = Σ da_i ⊙ c,  ∂L/∂p_f = Σ da_f ⊙ c,  ∂L/∂p_o = Σ da_o ⊙ c'  over every row and step.
    public override void AccumulateHiddenGradients(CellActivations a, HiddenWeights w, int rows, ReadOnlySpan<float> dG, ReadOnlySpan<float> hs, ReadOnlySpan<float> dGSum)
    {
        base.AccumulateHiddenGradients(a, w, rows, dG, hs, dGSum);
        var act = (Activations)a;
        var c = act.C!.Span; var cNew = act.CNew!.Span;
        var dp = w.Own[0].Grad.Span;
        int h = H;
        for (int n = 0; n < rows; n++)
        {
            var g = dG.Slice(n * GH, GH);
            for (int j = 0; j < h; j++)
            {
                dp[j] += g[j] * c[n * h + j];
                dp[h + j] += g[h + j] * c[n * h + j];
                dp[2 * h + j] += g[3 * h + j] * cNew[n * h + j];
            }
        }
    }

    /// <summary>forward of one row: gates [4H] pre-activations in, [i|f|g|o] out; c [H] in; c', h' [H] out.</summary>
    private static void ForwardRow(Span<float> gates, ReadOnlySpan<float> p, ReadOnlySpan<float> c, Span<float> cNew, Span<float> hNew)
    {
        int h = c.Length;
        for (int j = 0; j < h; j++)
        {
            float i = Scalar.Sigmoid(gates[j] + p[j] * c[j]);
            float f = Scalar.Sigmoid(gates[h + j] + p[h + j] * c[j]);
            float g = Scalar.Tanh(gates[2 * h + j]);
            float cn = f * c[j] + i * g;
            float o = Scalar.Sigmoid(gates[3 * h + j] + p[2 * h + j] * cn);
            gates[j] = i; gates[h + j] = f; gates[2 * h + j] = g; gates[3 * h + j] = o;
            cNew[j] = cn;
            hNew[j] = o * Scalar.Tanh(cn);
        }
    }

    private static void BackwardRow(Span<float> gates, ReadOnlySpan<float> p, ReadOnlySpan<float> c, ReadOnlySpan<float> cNew, ReadOnlySpan<float> dh, Span<float> dc)
    {
        int h = c.Length;
        for (int j = 0; j < h; j++)
        {
            float i = gates[j], f = gates[h + j], g = gates[2 * h + j], o = gates[3 * h + j];
            float tc = Scalar.Tanh(cNew[j]), d = dh[j];
            float dao = d * tc * o * (1 - o);
            float dcn = dc[j] + d * o * (1 - tc * tc) + dao * p[2 * h + j];
            float dai = dcn * g * i * (1 - i);
            float daf = dcn * c[j] * f * (1 - f);
            gates[j] = dai;
            gates[h + j] = daf;
            gates[2 * h + j] = dcn * i * (1 - g * g);
            gates[3 * h + j] = dao;
            dc[j] = dcn * f + dai * p[j] + daf * p[h + j];
        }
    }

    private sealed class Activations : CellActivations
    {
        public Tensor? C, CNew; // c entering and leaving each step [B, T, H] (kept for ∂L/∂p)
    }
}
