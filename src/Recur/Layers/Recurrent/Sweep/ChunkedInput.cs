using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Inference over a long sequence: nothing is kept for backward, so a_x is made <see cref="ChunkSteps"/> steps at a
/// time into a small buffer XW [B, ChunkSteps, G*H] (the memory of a few steps, not T): one GEMM per row over its
/// contiguous steps on the packed W_ih^T, or for token input a copy of each token's row of P = E W_ih^T + biases
/// (made by <see cref="TokenInput.ProjectTable"/>). Has no backward.
/// </summary>
internal sealed class ChunkedInput : InputSource
{
    /// <summary>Steps of input projection held at once.</summary>
    public const int ChunkSteps = 16;

    private Tensor? _table; // token input: P [V, G*H]
    private PackedMatrix? _wihT; // dense input: op(B) = W_ih^T [In, G*H]

    protected override void Project(ref Tensor? xw)
    {
        int inSize = Input.Features;
        Tensor.Ensure(ref xw, Input.Batch, ChunkSteps, GH);
        if (Input.Tokens is not null) TokenInput.ProjectTable(W, Input, GH, ref _table);
        else
        {
            if (_wihT is null || _wihT.K != inSize || _wihT.N != GH) _wihT = new PackedMatrix(inSize, GH);
            _wihT.Pack(true, W.Wih.Value.Span, inSize); // op(B) = W_ih^T [In, G*H], packed per use like W_hh
        }
    }

    public override StridedMatrix StepGates(Tensor xw, RowRange rows, int step, ref int chunk)
    {
        if (step / ChunkSteps != chunk) ProjectChunk(xw, rows, chunk = step / ChunkSteps);
        return rows.Of(xw.TimeStep(step % ChunkSteps));
    }

    // XW for steps [c*ChunkSteps, ...) of the rows in `rows`.
    private void ProjectChunk(Tensor xw, RowRange rows, int c)
    {
        int t = Input.Steps, t0 = c * ChunkSteps, len = Math.Min(ChunkSteps, t - t0), inSize = Input.Features;
        for (int i = rows.Start; i < rows.Start + rows.Count; i++)
        {
            var dst = xw.Span.Slice(i * ChunkSteps * GH, len * GH);
            if (Input.Tokens is { } tokens)
            {
                for (int k = 0; k < len; k++) _table!.Span.Slice(tokens[i * t + t0 + k] * GH, GH).CopyTo(dst.Slice(k * GH, GH));
                continue;
            }
            Gemm.Sgemm(false, len, 1f, Input.Dense!.Span.Slice((i * t + t0) * inSize, len * inSize), inSize, _wihT!, 0f, dst, GH);
            AddBiases(dst);
        }
    }

    public override ReadOnlySpan<float> AccumulateInputWeightGradient(ReadOnlySpan<float> dG, out int count) =>
        throw new InvalidOperationException("backward needs a forward run in training mode (nothing was kept)");

    public override void InputGradient(ReadOnlySpan<float> dG, Tensor grad, bool accumulate) =>
        throw new InvalidOperationException("backward needs a forward run in training mode (nothing was kept)");
}
