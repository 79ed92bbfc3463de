using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// What a recurrent layer reads: a dense sequence x [B, T, I], or (first layer only) token ids [B*T] looked up in an
/// embedding table E [V, I]. With tokens, x W_ih^T for all steps is a lookup in E W_ih^T [V, G*H], which costs V rows
/// of projection instead of B*T, and the gradients of W_ih and E come from ∂L/∂gates summed per token ([V, G*H]).
/// </summary>
internal readonly record struct SweepInput(Tensor? Dense, Embedding? Table, int[]? Tokens, int Batch, int Steps)
{
    /// <summary>I, features per step.</summary>
    public int Features => Dense?.Dim(2) ?? Table!.EmbeddingDim;

    public static SweepInput Of(Tensor x) => new(x, null, null, x.Dim(0), x.Dim(1));
}
