using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// Where a direction's sweep gets the input side of its pre-activations, a_x = x W_ih^T + b_ih (+ b_hh where it adds
/// linearly, <see cref="CellDefinition.FoldedHiddenBias"/>), for each step, and where ∂L/∂a_x goes back to:
/// <see cref="DenseInput"/> (all steps in one GEMM), <see cref="ChunkedInput"/> (inference, a few steps at a time),
/// <see cref="TokenInput"/> (rows of E W_ih^T looked up per token). The gates buffer XW [B, T', G*H] is the sweep's: the
/// source fills it, the cell turns it into activations and then into ∂L/∂a_x.
/// </summary>
internal abstract class InputSource
{
    protected DirectionWeights W { get; private set; } = null!;
    protected SweepInput Input { get; private set; }
    protected int GH { get; private set; }

    /// <summary>Starts a forward: whatever projection can be done for all steps at once, into <paramref name="xw"/>.</summary>
    public void Begin(DirectionWeights w, SweepInput input, ref Tensor? xw)
    {
        W = w;
        Input = input;
        GH = w.Spec.Gates * w.Spec.HiddenSize;
        Project(ref xw);
    }

    protected abstract void Project(ref Tensor? xw);

    /// <summary>
    /// The gates [n, G*H] of step <paramref name="step"/> for the rows of <paramref name="rows"/>, holding a_x (or nothing
    /// yet, when <see cref="Lookup"/> supplies it). <paramref name="chunk"/> is the caller's per-range state (start at -1).
    /// </summary>
    public abstract StridedMatrix StepGates(Tensor xw, RowRange rows, int step, ref int chunk);

    /// <summary>Token rows the cell reads in place of the gates' a_x (empty: a_x is in the gates).</summary>
    public virtual TokenLookup Lookup => default;

    /// <summary>
    /// After BPTT: ∂L/∂W_ih += dGᵀ x from <paramref name="dG"/> [B*T, G*H] = ∂L/∂a_x; returns the rows [count, G*H] whose
    /// column sums are ∂L/∂b_ih.
    /// </summary>
    public abstract ReadOnlySpan<float> AccumulateInputWeightGradient(ReadOnlySpan<float> dG, out int count);

    /// <summary>
    /// ∂L/∂(what was read) from dG: ∂L/∂x [B, T, In] for dense input, ∂L/∂E [V, In] for token input; written into
    /// <paramref name="grad"/>, or added to it with <paramref name="accumulate"/> (the directions of a layer share one).
    /// </summary>
    public abstract void InputGradient(ReadOnlySpan<float> dG, Tensor grad, bool accumulate);

    /// <summary>Rows of G*H pre-activations += b_ih (+ b_hh where it adds linearly).</summary>
    protected void AddBiases(Span<float> rows) => AddBiases(W, GH, rows);

    /// <summary>Rows of <paramref name="gh"/> pre-activations += b_ih (+ b_hh where it adds linearly) of <paramref name="w"/>.</summary>
    protected static void AddBiases(DirectionWeights w, int gh, Span<float> rows)
    {
        if (w.Bih is null) return;
        int foldHh = w.Cell.FoldedHiddenBias;
        var bih = w.Bih.Value.Span; var bhh = w.Bhh!.Value.Span;
        for (int i = 0; i < rows.Length / gh; i++)
        {
            var row = rows.Slice(i * gh, gh);
            TensorPrimitives.Add(row, bih, row);
            TensorPrimitives.Add(row[..foldHh], bhh[..foldHh], row[..foldHh]);
        }
    }
}
