using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Attention pooling of a sequence's outputs into one vector (Yang et al. 2016, "Hierarchical attention networks"):
/// <code>
///   u_t = tanh(W o_t + b)                 o [B, T, F] -> u [B, T, A]      proj  = Linear(F, A)
///   s_t = v · u_t                         [B, T]                         score = Linear(A, 1, bias: false)
///   a   = softmax over t &lt; len of s      [B, T], exactly 0 at padding
///   pooled = Σ_t a_t o_t                  [B, F]
/// </code>
/// The learned v is the "what matters" query; a_t shows which steps the summary used.
/// </summary>
public sealed class AttentionPooling : Module
{
    /// <summary>Scorer for outputs of <paramref name="features"/> features through a hidden layer of <paramref name="dim"/>.</summary>
    public AttentionPooling(int features, int dim, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Projection = RegisterModule("proj", new Linear(features, dim, rng: r));
        Score = RegisterModule("score", new Linear(dim, 1, bias: false, rng: r));
    }

    /// <summary>W, b: [A, F], [A].</summary>
    public Linear Projection { get; }

    /// <summary>v: [1, A].</summary>
    public Linear Score { get; }

    /// <summary>The pooled summary [B, F] of <paramref name="outputs"/> [B, T, F], and the weights [B, T] (no gradient).</summary>
    public (Var Pooled, Var Weights) Pool(Tape tape, Var outputs, int[]? lengths)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var scores = tape.Linear(Score, tape.Tanh(tape.Linear(Projection, outputs)));   // [B, T, 1]
        return tape.AttentionPooling(scores, outputs, lengths);
    }
}
