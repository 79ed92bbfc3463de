using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Long short-term memory (PyTorch's gate order i, f, g, o; the fused row math is <see cref="LstmMath"/>):
/// <code>
///   a = [a_i | a_f | a_g | a_o] = a_x + h W_hh^T            [n, 4H]   (a_x = x W_ih^T + b_ih + b_hh)
///   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
///   c' = f ⊙ c + i ⊙ g                                       [n, H]
///   r  = o ⊙ tanh(c')                                        [n, H]
///   h' = r, or with a projection h' = r W_hr^T               [n, S]   (S = P)
/// </code>
/// Kept for backward: the activations [i|f|g|o] (in the gates), c entering each step (the sweep's), and with a
/// projection r and ∂L/∂h' per step (for ∂L/∂W_hr = Σ_t dh'ᵀ r).
/// </summary>
internal sealed class LstmDefinition(CellSpec spec) : CellDefinition(spec, [4 * spec.HiddenSize])
{
    public const int GateCount = 4;

    private bool Proj => Spec.ProjSize > 0;

    public override bool HasCellState => true;

    public override CellActivations NewActivations() => new Activations();

    public override void BeginForward(CellActivations a, int b, int t, bool keep)
    {
        if (!Proj) return;
        var s = (Activations)a;
        if (keep) Tensor.Ensure(ref s.R, b, t, H).Clear();
        else Tensor.Ensure(ref s.StepR, b, H);
    }

    // forward: g += h W_hh^T, then the fused gates; r = o ⊙ tanh(c') is h' itself unless projected.
    public override void Forward(CellActivations a, HiddenWeights w, in CellStep s)
    {
        var act = (Activations)a;
        var g = s.Gates;
        AddHidden(w, s);
        var r = Proj ? At(act.R, act.StepR, s.Rows, s.Time, s.Keep) : s.HNew;                  // [n, H]
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) LstmMath.ForwardRow(g.Row(i), s.CPrev.Row(i), s.CNew.Row(i), r.Row(i));
        if (Proj) w.ProjectTransposed(r, s.HNew);                                                 // h' = r W_hr^T [n, P]
    }

    public override void BeginBackward(CellActivations a, int b, int t)
    {
        if (!Proj) return;
        var s = (Activations)a;
        Tensor.Ensure(ref s.Dh, b, t, S).Clear();
        Tensor.Ensure(ref s.Dr, b, H);
    }

    // backward of  h' = r W_hr^T: dr = dh' W_hr (dh' kept for ∂L/∂W_hr);  of the gates: LstmMath.BackwardRow;
    // of  a = a_x + h W_hh^T:  ∂L/∂h = da W_hh.
    public override void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s)
    {
        var act = (Activations)a;
        var g = s.Gates;
        int n = s.Rows.Count;
        StridedMatrix dr = s.Dh;
        if (Proj)
        {
            var saved = s.Rows.Of(act.Dh!.TimeStep(s.Time));
            for (int i = 0; i < n; i++) if (s.Active(i)) s.Dh.Row(i).CopyTo(saved.Row(i));
            dr = s.Rows.Of(act.Dr!);
            w.Project(s.Dh, dr);
        }
        for (int i = 0; i < n; i++)
            if (s.Active(i)) LstmMath.BackwardRow(g.Row(i), s.CPrev.Row(i), s.CNew.Row(i), dr.Row(i), s.Dc.Row(i));
        w.Multiply(0, g, s.DhPrev, 0f);
    }

    public override void AccumulateHiddenGradients(CellActivations a, HiddenWeights w, int rows, ReadOnlySpan<float> dG, ReadOnlySpan<float> hs, ReadOnlySpan<float> dGSum)
    {
        base.AccumulateHiddenGradients(a, w, rows, dG, hs, dGSum);
        var act = (Activations)a;
        if (Proj) // ∂L/∂W_hr [P, H] += dh'ᵀ r over all steps
            Kernels.Gemm.Sgemm(true, false, S, H, rows, 1f, act.Dh!.Span, S, act.R!.Span, H, 1f, w.Whr!.Grad.Span, H);
    }

    private sealed class Activations : CellActivations
    {
        public Tensor? R, StepR;  // r = o ⊙ tanh(c') [B, T, H] kept, or [B, H] per step (projection only)
        public Tensor? Dh, Dr;    // ∂L/∂h' [B, T, P] kept for ∂L/∂W_hr; ∂L/∂r [B, H] per step
    }
}
