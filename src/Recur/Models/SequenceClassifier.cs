using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>How a many-to-one model summarises a sequence.</summary>
public enum SequencePooling
{
    /// <summary>The final states of the last layer (each direction's, at each sequence's own last valid step).</summary>
    Last,

    /// <summary>Mean of the outputs over valid steps.</summary>
    Mean,

    /// <summary>Max of the outputs over valid steps, per feature.</summary>
    Max,

    /// <summary>A learned weighted mean of the outputs over valid steps (<see cref="AttentionPooling"/>).</summary>
    Attention,
}

/// <summary>Architecture of a token-input <see cref="SequenceClassifier"/> (saved with the model).</summary>
/// <param name="VocabSize">V, tokens in the vocabulary.</param>
/// <param name="EmbeddingDim">E, features per token.</param>
/// <param name="Rnn">The recurrent encoder.</param>
/// <param name="Classes">C, classes (logits per sequence).</param>
/// <param name="Pooling">How the encoder's outputs are summarised.</param>
/// <param name="AttentionDim">A, the width of the attention scorer (with <see cref="SequencePooling.Attention"/>).</param>
/// <param name="EmbeddingDropout">Dropout on the embedded tokens (training only).</param>
/// <param name="Dropout">Dropout on the pooled summary (training only).</param>
/// <param name="PaddingIndex">The padding token, whose embedding stays zero; null = none.</param>
/// <param name="CharVocabSize">V_c, characters of the spelling network (word tokens only).</param>
/// <param name="CharEmbeddingDim">E_c.</param>
/// <param name="CharHiddenSize">H_c per direction of a <see cref="CharWordEncoder"/> whose output joins each token's
/// embedding (so unseen and misspelt words are read from their spelling); 0 = none.</param>
/// <param name="CharPaddingIndex">The padding character.</param>
public sealed record SequenceClassifierConfig(int VocabSize, int EmbeddingDim, RecurrentConfig Rnn, int Classes,
    SequencePooling Pooling = SequencePooling.Last, int AttentionDim = 64, float EmbeddingDropout = 0f, float Dropout = 0f, int? PaddingIndex = null,
    int CharVocabSize = 0, int CharEmbeddingDim = 0, int CharHiddenSize = 0, int? CharPaddingIndex = null);

/// <summary>
/// Many-to-one paradigm (e.g. sentiment): a sequence in, one vector of class logits out.
/// <code>
///   tokens [B, T] -> Embedding(V, E) [; CharWordEncoder(token's characters) 2·H_c] -> dropout -> RNN/LSTM/GRU -> output [B, T, D*H], h_n
///                 (or features [B, T, F] straight into the RNN)
///   pool over valid steps (last | mean | max | attention) -> [B, D*H] -> dropout -> Linear(D*H, C) -> logits [B, C]
/// </code>
/// Parameter names as in the equivalent PyTorch module: <c>encoder.embedding.weight</c>, <c>encoder.rnn.*</c>,
/// <c>chars.embedding.weight</c>, <c>chars.rnn.*</c> (with a spelling network), <c>attention.proj.*</c>,
/// <c>attention.score.weight</c> (attention pooling only), <c>head.weight</c>, <c>head.bias</c>.
/// </summary>
public sealed class SequenceClassifier : Module
{
    /// <summary>Token classifier from its configuration.</summary>
    public SequenceClassifier(SequenceClassifierConfig config, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var r = rng ?? Rng.Default;
        Config = config;
        int spelling = config.CharHiddenSize > 0 ? 2 * config.CharHiddenSize : 0;
        Encoder = RegisterModule("encoder", new SequenceEncoder(config.VocabSize, config.EmbeddingDim, config.Rnn, r, config.PaddingIndex, spelling));
        Chars = spelling > 0 ? RegisterModule("chars", new CharWordEncoder(config.CharVocabSize, config.CharEmbeddingDim, config.CharHiddenSize, config.CharPaddingIndex, r)) : null;
        EmbeddingDropout = config.EmbeddingDropout > 0 ? RegisterModule("embedding_dropout", new Dropout(config.EmbeddingDropout, r)) : null;
        (Pooling, Attention) = (config.Pooling, AttentionFor(config.Pooling, config.Rnn, config.AttentionDim, r));
        (Dropout, Head) = (RegisterModule("dropout", new Dropout(config.Dropout, r)), RegisterModule("head", new Linear(config.Rnn.OutputSize, config.Classes, rng: r)));
    }

    /// <summary>Token classifier.</summary>
    public SequenceClassifier(int vocabSize, int embeddingDim, RecurrentConfig rnn, int classes, SequencePooling pooling = SequencePooling.Last, float dropout = 0f, Rng? rng = null)
        : this(new SequenceClassifierConfig(vocabSize, embeddingDim, rnn, classes, pooling, Dropout: dropout), rng)
    {
    }

    /// <summary>Feature-sequence classifier (e.g. spectral frames, sensor readings).</summary>
    public SequenceClassifier(int features, RecurrentConfig rnn, int classes, SequencePooling pooling = SequencePooling.Last, float dropout = 0f, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(features, rnn, r));
        (Pooling, Attention) = (pooling, AttentionFor(pooling, rnn, 64, r));
        (Dropout, Head) = (RegisterModule("dropout", new Dropout(dropout, r)), RegisterModule("head", new Linear(rnn.OutputSize, classes, rng: r)));
    }

    /// <summary>The configuration of a token classifier; null for a feature classifier.</summary>
    public SequenceClassifierConfig? Config { get; }

    /// <summary>The reading half.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>The spelling network, or null.</summary>
    public CharWordEncoder? Chars { get; }

    /// <summary>Dropout on the embedded tokens, or null.</summary>
    public Dropout? EmbeddingDropout { get; }

    /// <summary>The attention scorer (attention pooling), or null.</summary>
    public AttentionPooling? Attention { get; }

    /// <summary>Dropout on the pooled summary.</summary>
    public Dropout Dropout { get; }

    /// <summary>The classifier.</summary>
    public Linear Head { get; }

    /// <summary>How the sequence is summarised.</summary>
    public SequencePooling Pooling { get; }

    /// <summary>
    /// Logits [B, C] for tokens [B, T] (padded steps, t &gt;= lengths[b], may hold any index) and, with a spelling
    /// network, the tokens' characters.
    /// </summary>
    public Var Logits(Tape tape, ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths, CharBatch? chars = null)
    {
        if (EmbeddingDropout is null && Chars is null) return Classify(tape, Encoder.Encode(tape, tokens, batch, steps, lengths), lengths);
        var x = Encoder.Embed(tape, tokens, batch, steps, lengths);                                          // [B, T, E]
        if (Chars is not null)
        {
            if (chars is not { } c) throw new ArgumentNullException(nameof(chars), "this classifier reads each token's characters too");
            x = tape.Concat(x, tape.Reshape(Chars.Encode(tape, c), batch, steps, Chars.OutputSize));      // [B, T, E + 2·H_c]
        }
        if (EmbeddingDropout is not null) x = tape.Dropout(EmbeddingDropout, x);
        return Classify(tape, Encoder.Encode(tape, x, lengths), lengths);
    }

    /// <summary>Logits [B, C] for features [B, T, F].</summary>
    public Var Logits(Tape tape, Var features, int[]? lengths) => Classify(tape, Encoder.Encode(tape, features, lengths), lengths);

    private Var Classify(Tape tape, RecurrentVars r, int[]? lengths)
    {
        var summary = Pooling switch
        {
            SequencePooling.Mean => tape.MeanOverTime(r.Output, lengths),
            SequencePooling.Max => tape.MaxOverTime(r.Output, lengths),
            SequencePooling.Attention => Attention!.Pool(tape, r.Output, lengths).Pooled,
            _ => tape.FinalStates(r.Hn, Encoder.Rnn.Directions),
        };
        return tape.Linear(Head, tape.Dropout(Dropout, summary));
    }

    private AttentionPooling? AttentionFor(SequencePooling pooling, RecurrentConfig rnn, int dim, Rng rng) =>
        pooling == SequencePooling.Attention ? RegisterModule("attention", new AttentionPooling(rnn.OutputSize, dim, rng)) : null;
}
