using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Gated recurrent unit with the reset gate before the recurrent matmul (Cho et al. 2014; Keras reset_after=False;
/// ONNX linear_before_reset=0); gate order r, z, n. W_hh is multiplied in two blocks, [W_hr|W_hz] and W_hn:
/// <code>
///   [a_hr | a_hz] = h W_hh[0:2H]^T                       [n, 2H]
///   r = σ(a_xr + a_hr)   z = σ(a_xz + a_hz)   rh = r ⊙ h   (GruMath.ForwardResetGateRow; rh kept)
///   a_hn = rh W_hn^T + b_hn                              [n, H]
///   n = tanh(a_xn + a_hn);  h' = n + z ⊙ (h - n)         (GruMath.ForwardCandidateRow)
/// </code>
/// b_hn adds linearly here too, but after W_hn; it is added per step rather than folded, as in PyTorch's formula.
/// </summary>
internal sealed class GruResetBeforeDefinition(CellSpec spec) : CellDefinition(spec, [2 * spec.HiddenSize, spec.HiddenSize])
{
    public const int GateCount = 3;

    public override int FoldedHiddenBias => 2 * H;

    public override bool ReadsInputInPlace => true;

    public override CellActivations NewActivations() => new Activations();

    public override void BeginForward(CellActivations a, int b, int t, bool keep)
    {
        var s = (Activations)a;
        if (keep) Tensor.Ensure(ref s.Rh, b, t, H).Clear();
        else Tensor.Ensure(ref s.StepRh, b, H);
        Tensor.Ensure(ref s.HgRz, b, 2 * H);
        Tensor.Ensure(ref s.Hn, b, H);
    }

    public override void Forward(CellActivations a, HiddenWeights w, in CellStep s)
    {
        var act = (Activations)a;
        int n = s.Rows.Count;
        var g = s.Gates;
        var hg = s.Rows.Of(act.HgRz!);
        w.MultiplyTransposed(0, s.HPrev, hg, 0f);                                                 // [a_hr|a_hz]
        var rh = At(act.Rh, act.StepRh, s.Rows, s.Time, s.Keep);
        for (int i = 0; i < n; i++)
            if (s.Active(i)) GruMath.ForwardResetGateRow(g.Row(i), hg.Row(i), s.HPrev.Row(i), rh.Row(i));
        var hn = s.Rows.Of(act.Hn!);
        w.MultiplyTransposed(1, rh, hn, 0f);                                                      // a_hn = rh W_hn^T
        if (w.Bhh is not null) AddRowVector(hn, 0, w.Bhh.Value.Span[(2 * H)..]);
        for (int i = 0; i < n; i++)
            if (s.Active(i)) GruMath.ForwardCandidateRow(g.Row(i), hn.Row(i), s.HPrev.Row(i), s.HNew.Row(i));
    }

    public override void BeginBackward(CellActivations a, int b, int t)
    {
        var s = (Activations)a;
        Tensor.Ensure(ref s.Drh, b, H);
    }

    // backward of  h' = n + z ⊙ (h - n), n = tanh(a_xn + a_hn):  da_n, da_z, ∂L/∂h = dh' ⊙ z   (BackwardCandidateRow);
    // of  a_hn = rh W_hn^T:  drh = da_n W_hn;  of  rh = r ⊙ h:  da_r, ∂L/∂h += drh ⊙ r   (BackwardResetGateRow);
    // of  [a_hr|a_hz] = h W_hh[0:2H]^T:  ∂L/∂h += [da_r|da_z] W_hh[0:2H].
    public override void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s)
    {
        var act = (Activations)a;
        int n = s.Rows.Count;
        var g = s.Gates;
        for (int i = 0; i < n; i++)
            if (s.Active(i)) GruMath.BackwardCandidateRow(g.Row(i), s.HPrev.Row(i), s.Dh.Row(i), s.DhPrev.Row(i));
        var drh = s.Rows.Of(act.Drh!);
        w.Multiply(1, new StridedMatrix(g.Data, g.Offset + 2 * H, n, H, g.Stride), drh, 0f);      // da_n W_hn
        for (int i = 0; i < n; i++)
            if (s.Active(i)) GruMath.BackwardResetGateRow(g.Row(i), s.HPrev.Row(i), drh.Row(i), s.DhPrev.Row(i));
        w.Multiply(0, new StridedMatrix(g.Data, g.Offset, n, 2 * H, g.Stride), s.DhPrev, 1f);     // [da_r|da_z] W_hh[0:2H]
    }

    // ∂L/∂W_hh[0:2H] = [da_r|da_z]ᵀ h;  ∂L/∂W_hn = da_nᵀ rh;  ∂L/∂b_hh = ∂L/∂b_ih (b_hn adds linearly after W_hn).
    public override void AccumulateHiddenGradients(CellActivations a, HiddenWeights w, int rows, ReadOnlySpan<float> dG, ReadOnlySpan<float> hs, ReadOnlySpan<float> dGSum)
    {
        var dwhh = w.Whh.Grad.Span;
        Kernels.Gemm.Sgemm(true, false, 2 * H, S, rows, 1f, dG, GH, hs, S, 1f, dwhh, S);
        Kernels.Gemm.Sgemm(true, false, H, S, rows, 1f, dG[(2 * H)..], GH, ((Activations)a).Rh!.Span, H, 1f, dwhh[(2 * H * S)..], S);
        if (w.Bhh is not null) AddBiasGradient(w.Bhh.Grad.Span, 0, GH, dG, GH, rows, dGSum);
    }

    private sealed class Activations : CellActivations
    {
        public Tensor? Rh, StepRh; // r ⊙ h [B, T, H] kept (for ∂L/∂W_hn), or [B, H] per step
        public Tensor? HgRz, Hn;   // per-step scratch: [a_hr|a_hz] [B, 2H], a_hn [B, H]
        public Tensor? Drh;        // ∂L/∂(r ⊙ h) [B, H] per step
    }
}
