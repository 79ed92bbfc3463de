using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Attention of a decoder over the encoded source, masked to each source's length:
/// <code>
///   keys   = U m          [B, S, A]  (additive; computed once per source by <see cref="Keys"/>), else m itself
///   s_t    = score(h, keys_t)        (<see cref="AttentionKind"/>)                 [B, S]
///   a      = softmax over t &lt; len of s   (0 at padded steps)                      [B, S]
///   ctx    = Σ_t a_t m_t                                                         [B, H]
/// </code>
/// The memory m is the encoder output projected to the decoder's width H.
/// </summary>
public sealed class SourceAttention : Module
{
    /// <summary>Builds the scorer for memories and queries of <paramref name="hidden"/> features.</summary>
    /// <param name="kind">The score function.</param>
    /// <param name="hidden">H, features of the query and of each memory step.</param>
    /// <param name="attentionDim">A, hidden units of the additive scorer (unused otherwise).</param>
    /// <param name="rng">Initialises the weights.</param>
    public SourceAttention(AttentionKind kind, int hidden, int attentionDim, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        Kind = kind;
        Hidden = hidden;
        switch (kind)
        {
            case AttentionKind.General:
                Query = RegisterModule("query", new Linear(hidden, hidden, bias: false, rng: rng));
                break;
            case AttentionKind.Additive:
                ArgumentOutOfRangeException.ThrowIfLessThan(attentionDim, 1);
                Query = RegisterModule("query", new Linear(hidden, attentionDim, rng: rng));
                Key = RegisterModule("key", new Linear(hidden, attentionDim, bias: false, rng: rng));
                Score = RegisterModule("score", new Linear(attentionDim, 1, bias: false, rng: rng));
                break;
        }
    }

    /// <summary>The score function.</summary>
    public AttentionKind Kind { get; }

    /// <summary>H.</summary>
    public int Hidden { get; }

    /// <summary>W_q (additive, general), or null.</summary>
    public Linear? Query { get; }

    /// <summary>U (additive), or null.</summary>
    public Linear? Key { get; }

    /// <summary>v as a [1, A] weight (additive), or null.</summary>
    public Linear? Score { get; }

    /// <summary>The keys of a memory [B, S, H]: U m [B, S, A] for additive attention, else the memory itself.</summary>
    public Var Keys(Tape tape, Var memory) => Key is null ? memory : tape.Linear(Key, memory);

    /// <summary>
    /// The context [B, H] and the weights [B, S] of queries <paramref name="query"/> [B, H] over
    /// <paramref name="memory"/> [B, S, H] with <paramref name="keys"/> from <see cref="Keys"/>; steps at or past
    /// <paramref name="lengths"/>[b] get weight 0.
    /// </summary>
    public (Var Context, Var Weights) Attend(Tape tape, Var query, Var memory, Var keys, int[]? lengths)
    {
        var scores = Kind switch
        {
            AttentionKind.Dot => tape.DotScores(query, keys),
            AttentionKind.ScaledDot => tape.DotScores(query, keys, 1f / MathF.Sqrt(Hidden)),
            AttentionKind.General => tape.DotScores(tape.Linear(Query!, query), keys),
            AttentionKind.Additive => tape.AdditiveScores(tape.Linear(Query!, query), keys, tape.Param(Score!.Weight)),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "not an attention kind"),
        };
        return tape.AttentionPooling(scores, memory, lengths);
    }
}
