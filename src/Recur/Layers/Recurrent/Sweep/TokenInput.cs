using Recur.Kernels;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// Token ids [B*T] read through an embedding table E [V, In] (first layer only): x W_ih^T for every step is a row of
/// P = E W_ih^T + biases [V, G*H], which costs V rows of projection instead of B*T. Cells read their rows of P in place
/// (<see cref="Lookup"/>); a cell that reads a_x in the gates gets them gathered there. Backward sums ∂L/∂a_x per token,
/// dP [V, G*H], so ∂L/∂W_ih = dPᵀ E and ∂L/∂E = dP W_ih (handed to the caller, which routes it to the table through the tape).
/// </summary>
internal sealed class TokenInput : InputSource
{
    private Tensor? _table, _tableGradient; // P and dP [V, G*H]

    protected override void Project(ref Tensor? xw)
    {
        int b = Input.Batch, t = Input.Steps;
        var gates = Tensor.Ensure(ref xw, b, t, GH);
        var p = ProjectTable(W, Input, GH, ref _table);
        if (W.Cell.ReadsInputInPlace)
        {
            var tokens = Input.Tokens!;
            for (int n = 0; n < b * t; n++) p.Span.Slice(tokens[n] * GH, GH).CopyTo(gates.Span.Slice(n * GH, GH));
        }
    }

    /// <summary>P = E W_ih^T + biases [V, G*H] into <paramref name="table"/>.</summary>
    internal static Tensor ProjectTable(DirectionWeights w, SweepInput input, int gh, ref Tensor? table)
    {
        var e = input.Table!.Weight.Value;
        int inSize = input.Features;
        var p = Tensor.Ensure(ref table, e.Dim(0), gh);
        Gemm.Sgemm(false, true, e.Dim(0), gh, inSize, 1f, e.Span, inSize, w.Wih.Value.Span, inSize, 0f, p.Span, gh);
        AddBiases(w, gh, p.Span);
        return p;
    }

    public override StridedMatrix StepGates(Tensor xw, RowRange rows, int step, ref int chunk) => rows.Of(xw.TimeStep(step));

    public override TokenLookup Lookup => W.Cell.ReadsInputInPlace ? default : new TokenLookup(_table!.Buffer, Input.Tokens, Input.Steps, GH);

    public override ReadOnlySpan<float> AccumulateInputWeightGradient(ReadOnlySpan<float> dG, out int count)
    {
        // dW_ih += dGᵀ x = dPᵀ E, since x at a step is the row of E of its token.
        var table = Input.Table!;
        var tokens = Input.Tokens!;
        int bt = Input.Batch * Input.Steps, inSize = Input.Features;
        var dp = Tensor.Ensure(ref _tableGradient, table.NumEmbeddings, GH);
        dp.Clear();
        for (int n = 0; n < bt; n++)
        {
            var row = dp.Span.Slice(tokens[n] * GH, GH);
            TensorPrimitives.Add(row, dG.Slice(n * GH, GH), row);
        }
        Gemm.Sgemm(true, false, GH, inSize, table.NumEmbeddings, 1f, dp.Span, GH, table.Weight.Value.Span, inSize, 1f, W.Wih.Grad.Span, inSize);
        count = table.NumEmbeddings;
        return dp.Span;
    }

    /// <summary>∂L/∂E [V, In] = dP W_ih; the padding token's row gets nothing.</summary>
    public override void InputGradient(ReadOnlySpan<float> dG, Tensor dTable, bool accumulate)
    {
        var table = Input.Table!;
        int v = table.NumEmbeddings, e = table.EmbeddingDim;
        var dp = _tableGradient!.Span;
        if (table.PaddingIndex is { } pad) dp.Slice(pad * GH, GH).Clear();
        Gemm.Sgemm(false, false, v, e, GH, 1f, dp, GH, W.Wih.Value.Span, e, accumulate ? 1f : 0f, dTable.Span, e);
    }
}
