namespace Recur.Layers;

/// <summary>
/// Vanilla (Elman) RNN with its activation (tanh, relu or sigmoid; the row math is <see cref="RnnMath"/>):
/// <code>
///   a  = a_x + h W_hh^T        [n, H]   (a_x = x W_ih^T + b_ih + b_hh)
///   h' = act(a)                [n, H]   (kept in the gates: act' is a function of act(a))
/// </code>
/// </summary>
internal sealed class RnnDefinition(CellSpec spec) : CellDefinition(spec, [spec.HiddenSize])
{
    public const int GateCount = 1;

    public override void Forward(CellActivations a, HiddenWeights w, in CellStep s)
    {
        AddHidden(w, s);
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) RnnMath.ForwardRow(Spec.Nonlinearity, s.Gates.Row(i), s.HNew.Row(i));
    }

    // backward of  h' = act(a):  da = dh' ⊙ act'(a);  of  a = a_x + h W_hh^T:  ∂L/∂h = da W_hh.
    public override void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s)
    {
        for (int i = 0; i < s.Rows.Count; i++)
            if (s.Active(i)) RnnMath.BackwardRow(Spec.Nonlinearity, s.Gates.Row(i), s.Dh.Row(i));
        w.Multiply(0, s.Gates, s.DhPrev, 0f);
    }
}
