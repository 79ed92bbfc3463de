using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A dense sequence x [B, T, In], projected for all B*T steps in one GEMM (all threads): XW = x W_ih^T [B, T, G*H].
/// The biases are added at each step, to rows about to be read anyway, instead of in a pass over all of XW that would
/// write it out to memory and read it back. Backward: ∂L/∂W_ih = dGᵀ x, ∂L/∂x = dG W_ih.
/// </summary>
internal sealed class DenseInput : InputSource
{
    protected override void Project(ref Tensor? xw)
    {
        int b = Input.Batch, t = Input.Steps, inSize = Input.Features;
        var gates = Tensor.Ensure(ref xw, b, t, GH);
        Gemm.Sgemm(false, true, b * t, GH, inSize, 1f, Input.Dense!.Span, inSize, W.Wih.Value.Span, inSize, 0f, gates.Span, GH);
    }

    public override StridedMatrix StepGates(Tensor xw, RowRange rows, int step, ref int chunk)
    {
        var g = rows.Of(xw.TimeStep(step));
        if (W.Bih is not null)
            for (int i = 0; i < g.Rows; i++) AddBiases(g.Row(i));
        return g;
    }

    public override ReadOnlySpan<float> AccumulateInputWeightGradient(ReadOnlySpan<float> dG, out int count)
    {
        int bt = Input.Batch * Input.Steps, inSize = Input.Features;
        Gemm.Sgemm(true, false, GH, inSize, bt, 1f, dG, GH, Input.Dense!.Span, inSize, 1f, W.Wih.Grad.Span, inSize); // dW_ih += dGᵀ x
        count = bt;
        return dG;
    }

    public override void InputGradient(ReadOnlySpan<float> dG, Tensor dx, bool accumulate)
    {
        int inSize = Input.Features;
        Gemm.Sgemm(false, false, Input.Batch * Input.Steps, inSize, GH, 1f, dG, GH, W.Wih.Value.Span, inSize, accumulate ? 1f : 0f, dx.Span, inSize);
    }
}
