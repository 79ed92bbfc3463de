using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// The reading half shared by the paradigms: tokens [B, T] through an embedding (or feature vectors [B, T, F] as they
/// are) into a recurrent stack, giving output [B, T, D*H] and the final states. Padded steps (t &gt;= length) may hold
/// any index (the notes pad with -1): they are read as index 0 and never influence results.
/// </summary>
public sealed class SequenceEncoder : Module
{
    private int[] _safe = [];

    /// <summary>Token input: Embedding(<paramref name="vocabSize"/>, <paramref name="embeddingDim"/>) then the recurrent stack.</summary>
    /// <param name="vocabSize">V.</param>
    /// <param name="embeddingDim">E.</param>
    /// <param name="rnn">The recurrent stack.</param>
    /// <param name="rng">Initialises the weights.</param>
    /// <param name="paddingIndex">A token whose embedding stays zero (PyTorch's padding_idx), or null.</param>
    /// <param name="extraFeatures">Features the caller concatenates to each embedded token before the recurrent stack
    /// (which then reads E + extra; use <see cref="Embed"/> and the feature overload of Encode).</param>
    public SequenceEncoder(int vocabSize, int embeddingDim, RecurrentConfig rnn, Rng rng, int? paddingIndex = null, int extraFeatures = 0)
    {
        ArgumentNullException.ThrowIfNull(rnn);
        Embedding = RegisterModule("embedding", new Embedding(vocabSize, embeddingDim, paddingIndex, rng));
        Rnn = RegisterModule("rnn", rnn.Build(embeddingDim + extraFeatures, rng));
        Config = rnn;
    }

    /// <summary>Feature input: [B, T, <paramref name="features"/>] straight into the recurrent stack.</summary>
    public SequenceEncoder(int features, RecurrentConfig rnn, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rnn);
        Rnn = RegisterModule("rnn", rnn.Build(features, rng));
        Config = rnn;
    }

    /// <summary>The embedding (token input) or null (feature input).</summary>
    public Embedding? Embedding { get; }

    /// <summary>The recurrent stack.</summary>
    public RecurrentLayer Rnn { get; }

    /// <summary>Its configuration.</summary>
    public RecurrentConfig Config { get; }

    /// <summary>Features per output step, D*H.</summary>
    public int OutputSize => Config.OutputSize;

    /// <summary>Reads tokens [B, T] (row-major) with optional lengths.</summary>
    public RecurrentVars Encode(Tape tape, ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths, Var? h0 = null, Var? c0 = null) =>
        tape.Recurrent(Rnn, Embedding!, Safe(tokens, batch, steps, lengths), batch, steps, h0, c0, lengths);

    /// <summary>The embedded tokens [B, T, E] alone (to transform them before <see cref="Encode(Tape, Var, int[], Var, Var)"/>).</summary>
    public Var Embed(Tape tape, ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths) =>
        tape.Embedding(Embedding!, Safe(tokens, batch, steps, lengths), batch, steps);

    // The tokens with padded steps read as index 0 (the notes pad with -1, which is no row of the table).
    private ReadOnlySpan<int> Safe(ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths)
    {
        if (Embedding is null) throw new InvalidOperationException("this encoder reads feature vectors; call Encode with a Var [B, T, F]");
        if (tokens.Length != batch * steps) throw new ShapeMismatchException(nameof(tokens), $"[{batch}, {steps}]", $"{tokens.Length} indices");
        if (_safe.Length < tokens.Length) _safe = new int[tokens.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                _safe[b * steps + t] = lengths is not null && t >= lengths[b] ? 0 : tokens[b * steps + t];
        return _safe.AsSpan(0, tokens.Length);
    }

    /// <summary>Reads feature vectors [B, T, F] with optional lengths.</summary>
    public RecurrentVars Encode(Tape tape, Var features, int[]? lengths, Var? h0 = null, Var? c0 = null) => tape.Recurrent(Rnn, features, h0, c0, lengths);
}
