using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Gated recurrent unit with the reset gate after the recurrent matmul (PyTorch, cuDNN; ONNX linear_before_reset=1);
/// gate order r, z, n, row math <see cref="GruMath.ForwardRow"/>:
/// <code>
///   a_h = h W_hh^T + b_hh                     [n, 3H]   (kept: its n block is needed by backward)
///   r = σ(a_xr + a_hr)   z = σ(a_xz + a_hz)             (a_x = x W_ih^T + b_ih, + b_hr, b_hz folded in)
///   n = tanh(a_xn + r ⊙ a_hn)
///   h' = (1 - z) ⊙ n + z ⊙ h
/// </code>
/// ∂L/∂a_h differs from ∂L/∂a_x in the n block (da_n ⊙ r), so backward keeps it per step for ∂L/∂W_hh and ∂L/∂b_hn.
/// </summary>
internal sealed class GruResetAfterDefinition(CellSpec spec) : CellDefinition(spec, [3 * spec.HiddenSize])
{
    public const int GateCount = 3;

    public override int FoldedHiddenBias => 2 * H; // b_hn sits inside r ⊙ (W_hn h + b_hn)

    public override CellActivations NewActivations() => new Activations();

    public override void BeginForward(CellActivations a, int b, int t, bool keep)
    {
        var s = (Activations)a;
        if (keep) Tensor.Ensure(ref s.Hg, b, t, GH);
        else Tensor.Ensure(ref s.StepHg, b, GH);
    }

    public override void Forward(CellActivations a, HiddenWeights w, in CellStep s)
    {
        var act = (Activations)a;
        var hg = At(act.Hg, act.StepHg, s.Rows, s.Time, s.Keep);                                 // a_h [n, 3H]
        w.MultiplyTransposed(0, s.HPrev, hg, 0f);
        if (w.Bhh is not null) AddRowVector(hg, 2 * H, w.Bhh.Value.Span[(2 * H)..]);            // + b_hn only
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) GruMath.ForwardRow(s.InputRow(i), s.Gates.Row(i), hg.Row(i), s.HPrev.Row(i), s.HNew.Row(i));
    }

    public override void BeginBackward(CellActivations a, int b, int t)
    {
        var s = (Activations)a;
        Tensor.Ensure(ref s.Dgh, b, t, GH).Clear(); // rows never active stay 0
    }

    // backward (GruMath.BackwardRow) of  n = tanh(a_xn + r ⊙ a_hn),  h' = n + z ⊙ (h - n):
    //   ∂L/∂a_x = [da_r | da_z | da_n],  ∂L/∂a_h = [da_r | da_z | da_n ⊙ r],  ∂L/∂h = dh' ⊙ z + ∂L/∂a_h W_hh.
    public override void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s)
    {
        var act = (Activations)a;
        var hg = s.Rows.Of(act.Hg!.TimeStep(s.Time));
        var dgh = s.Rows.Of(act.Dgh!.TimeStep(s.Time));
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) GruMath.BackwardRow(s.Gates.Row(i), hg.Row(i), s.HPrev.Row(i), s.Dh.Row(i), dgh.Row(i), s.DhPrev.Row(i));
        w.Multiply(0, dgh, s.DhPrev, 1f);
    }

    // ∂L/∂W_hh = ∂L/∂a_hᵀ h; ∂L/∂b_hh: blocks r, z as ∂L/∂b_ih, block n = Σ rows of da_n ⊙ r.
    public override void AccumulateHiddenGradients(CellActivations a, HiddenWeights w, int rows, ReadOnlySpan<float> dG, ReadOnlySpan<float> hs, ReadOnlySpan<float> dGSum)
    {
        var dgh = ((Activations)a).Dgh!.Span;
        Kernels.Gemm.Sgemm(true, false, GH, S, rows, 1f, dgh, GH, hs, S, 1f, w.Whh.Grad.Span, S);
        if (w.Bhh is null) return;
        AddBiasGradient(w.Bhh.Grad.Span, 0, 2 * H, dG, GH, rows, dGSum);
        AddBiasGradient(w.Bhh.Grad.Span, 2 * H, H, dgh, GH, rows, default);
    }

    private sealed class Activations : CellActivations
    {
        public Tensor? Hg, StepHg; // a_h = h W_hh^T (+ b_hn) [B, T, 3H] kept, or [B, 3H] per step
        public Tensor? Dgh;        // ∂L/∂a_h [B, T, 3H]
    }
}
