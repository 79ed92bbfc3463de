using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// The weight gradients of a direction after its BPTT, as GEMMs over all B*T steps at once: the input side from the
/// input source (∂L/∂W_ih, and the rows whose sums are ∂L/∂b_ih), then the cell's hidden side (∂L/∂W_hh, ∂L/∂b_hh and
/// any parameter of its own), which may reuse the bias sum where b_hh adds as b_ih does.
/// </summary>
internal static class SweepGradients
{
    /// <summary>
    /// Adds every parameter gradient of <paramref name="w"/>: <paramref name="dG"/> [B*T, G*H] = ∂L/∂a_x,
    /// <paramref name="hs"/> [B*T, S] = h entering each step, <paramref name="biasSum"/> a [G*H] workspace.
    /// </summary>
    public static void Accumulate(DirectionWeights w, InputSource input, CellActivations activations, int bt, ReadOnlySpan<float> dG,
        ReadOnlySpan<float> hs, ref Tensor? biasSum)
    {
        int gh = w.Spec.Gates * w.Spec.HiddenSize;
        var biasRows = input.AccumulateInputWeightGradient(dG, out int biasRowCount);
        // ∂L/∂b_ih = Σ rows of dG, computed once: a pass over dG [B*T, G*H] costs as much as a small GEMM.
        var sum = Span<float>.Empty;
        if (w.Bih is not null)
        {
            sum = Tensor.Ensure(ref biasSum, gh).Span;
            sum.Clear();
            for (int i = 0; i < biasRowCount; i++) TensorPrimitives.Add(sum, biasRows.Slice(i * gh, gh), sum);
            TensorPrimitives.Add(w.Bih.Grad.Span, sum, w.Bih.Grad.Span);
        }
        w.Cell.AccumulateHiddenGradients(activations, w.Hidden, bt, dG, hs, sum);
    }
}
