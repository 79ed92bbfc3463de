using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>Architecture of a <see cref="WordTagger"/> (saved with the model).</summary>
/// <param name="WordVocabSize">V_w, words.</param>
/// <param name="WordEmbeddingDim">E_w.</param>
/// <param name="CharVocabSize">V_c, characters (0 with no character network).</param>
/// <param name="CharEmbeddingDim">E_c.</param>
/// <param name="CharHiddenSize">H_c per direction of the character network; 0 = no character network.</param>
/// <param name="Rnn">The sentence-level recurrent stack (bidirectional for tagging).</param>
/// <param name="Tags">C, tags.</param>
/// <param name="Dropout">Dropout on the word vectors and on the recurrent outputs (training only).</param>
/// <param name="Crf">Whether a linear-chain CRF scores tag sequences (else one softmax per word).</param>
/// <param name="WordPaddingIndex">The padding word, whose embedding stays zero; null = none.</param>
/// <param name="CharPaddingIndex">The padding character, likewise.</param>
public sealed record WordTaggerConfig(int WordVocabSize, int WordEmbeddingDim, int CharVocabSize, int CharEmbeddingDim, int CharHiddenSize,
    RecurrentConfig Rnn, int Tags, float Dropout = 0.5f, bool Crf = false, int? WordPaddingIndex = null, int? CharPaddingIndex = null)
{
    /// <summary>Features per word entering the recurrent stack: E_w + 2·H_c.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int WordFeatures => WordEmbeddingDim + (CharHiddenSize > 0 ? 2 * CharHiddenSize : 0);
}

/// <summary>
/// Synchronized many-to-many paradigm for words: one tag per word of a sentence (part of speech, named-entity
/// BIO tags), from the word itself, its spelling, and both sides of its context (Lample et al. 2016):
/// <code>
///   words [B, T] -> Embedding(V_w, E_w) ─┐
///   chars [B·T, L] -> CharWordEncoder ───┴ concat [B, T, E_w + 2·H_c] -> dropout -> BiLSTM (L layers), lengths
///   -> dropout -> Linear(D·H, C) -> emissions [B, T, C] -> softmax per word, or a linear-chain CRF over the sentence
/// </code>
/// Parameter names: <c>words.weight</c>, <c>chars.embedding.weight</c>, <c>chars.rnn.*</c>, <c>rnn.*</c>,
/// <c>head.weight</c>, <c>head.bias</c>, <c>crf.start_transitions</c>, <c>crf.end_transitions</c>, <c>crf.transitions</c>.
/// </summary>
public sealed class WordTagger : Module
{
    private int[] _safe = [];
    private float[] _mask = [];

    /// <summary>Builds the tagger with weights drawn from <paramref name="rng"/>.</summary>
    public WordTagger(WordTaggerConfig config, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var r = rng ?? Rng.Default;
        Config = config;
        Words = RegisterModule("words", new Embedding(config.WordVocabSize, config.WordEmbeddingDim, config.WordPaddingIndex, r));
        Chars = config.CharHiddenSize > 0
            ? RegisterModule("chars", new CharWordEncoder(config.CharVocabSize, config.CharEmbeddingDim, config.CharHiddenSize, config.CharPaddingIndex, r))
            : null;
        Dropout = RegisterModule("dropout", new Dropout(config.Dropout, r));
        Rnn = RegisterModule("rnn", config.Rnn.Build(config.WordFeatures, r));
        Head = RegisterModule("head", new Linear(config.Rnn.OutputSize, config.Tags, rng: r));
        Crf = config.Crf ? RegisterModule("crf", new LinearChainCrf(config.Tags, r)) : null;
    }

    /// <summary>The architecture.</summary>
    public WordTaggerConfig Config { get; }

    /// <summary>The word table.</summary>
    public Embedding Words { get; }

    /// <summary>The spelling network, or null.</summary>
    public CharWordEncoder? Chars { get; }

    /// <summary>Dropout on the word vectors and on the recurrent outputs.</summary>
    public Dropout Dropout { get; }

    /// <summary>The sentence-level recurrent stack.</summary>
    public RecurrentLayer Rnn { get; }

    /// <summary>Emission scores per tag.</summary>
    public Linear Head { get; }

    /// <summary>The CRF, or null (softmax per word).</summary>
    public LinearChainCrf? Crf { get; }

    /// <summary>
    /// Emission scores [B, T, C] for a batch of sentences: <paramref name="words"/> [B, T] word indices (padded steps
    /// may hold anything), <paramref name="chars"/> each slot's characters (ignored without a character network),
    /// <paramref name="lengths"/> [B].
    /// </summary>
    public Var Emissions(Tape tape, ReadOnlySpan<int> words, CharBatch chars, int batch, int steps, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(lengths);
        if (words.Length != batch * steps) throw new ShapeMismatchException(nameof(words), $"[{batch}, {steps}]", $"{words.Length} indices");
        if (_safe.Length < words.Length) _safe = new int[words.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                _safe[b * steps + t] = t >= lengths[b] ? 0 : words[b * steps + t];
        var x = tape.Embedding(Words, _safe.AsSpan(0, words.Length), batch, steps);               // [B, T, E_w]
        if (Chars is not null)
        {
            var spelled = Chars.Encode(tape, chars);                                             // [B·T, 2·H_c]
            x = tape.Concat(x, tape.Reshape(spelled, batch, steps, Chars.OutputSize));           // [B, T, E_w + 2·H_c]
        }
        var r = tape.Recurrent(Rnn, tape.Dropout(Dropout, x), lengths: lengths);                 // [B, T, D·H]
        return tape.Linear(Head, tape.Dropout(Dropout, r.Output));                               // [B, T, C]
    }

    /// <summary>
    /// The training loss for <paramref name="emissions"/> [B, T, C] and gold <paramref name="tags"/> [B·T] (any value at
    /// padded steps): the CRF's negative log-likelihood, or the softmax cross-entropy; both the mean per real word.
    /// </summary>
    public Var Loss(Tape tape, Var emissions, int[] tags, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(tags);
        if (Crf is not null) return tape.CrfNegativeLogLikelihood(Crf, emissions, tags, lengths);
        int steps = emissions.Value.Dim(1);
        if (_mask.Length < tags.Length) _mask = new float[tags.Length];
        for (int i = 0; i < tags.Length; i++) _mask[i] = i % steps < lengths[i / steps] ? 1f : 0f;
        return tape.CrossEntropy(emissions, tags, mask: _mask.AsSpan(0, tags.Length));
    }

    /// <summary>
    /// The best tags [B·T] for <paramref name="emissions"/> [B, T, C] (-1 at padded steps): Viterbi with a CRF, else the
    /// highest-scoring tag of each word.
    /// </summary>
    public void Decode(Tensor emissions, int[] lengths, Span<int> tags)
    {
        ArgumentNullException.ThrowIfNull(emissions);
        ArgumentNullException.ThrowIfNull(lengths);
        if (Crf is not null) { Crf.Decode(emissions, lengths, tags); return; }
        int b = emissions.Dim(0), t = emissions.Dim(1), c = emissions.Dim(2);
        var e = emissions.Span;
        for (int i = 0; i < b * t; i++)
        {
            if (i % t >= lengths[i / t]) { tags[i] = -1; continue; }
            var row = e.Slice(i * c, c);
            int best = 0;
            for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
            tags[i] = best;
        }
    }
}
