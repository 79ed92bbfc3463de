using System.Text.Json.Serialization;
using Recur.Data.Formats;
using Recur.Layers;
using Recur.Models;

namespace Recur.Tasks.Classification;

/// <summary>
/// Everything <c>recur train classify</c> is told: the data and its columns, how text becomes tokens, the network's
/// shape and the training loop. The defaults train well without tuning on sentence- to paragraph-sized texts.
/// </summary>
public sealed record ClassifierSettings
{
    /// <summary>The training loop and the data files.</summary>
    public TrainingSettings Training { get; init; } = new() { Epochs = 30, Patience = 6, LrPatience = 2, BatchSize = 16 };

    /// <summary>The file format; null = from the extension or the content.</summary>
    public RecordFormat? Format { get; init; }

    /// <summary>The text column (CSV/TSV header name or JSON key); null = chosen (see <c>TextColumns</c>).</summary>
    public string? TextColumn { get; init; }

    /// <summary>The label column; null = chosen.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Tokenizer settings. Its MaxLength 0 means the unit's default (<see cref="DefaultMaxLength"/>).</summary>
    public TextPreprocessing Preprocessing { get; init; } = new();

    /// <summary>Tokens seen fewer times than this in training become &lt;unk&gt; (so that &lt;unk&gt; is learned too).</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>Largest vocabulary, special tokens included; the most frequent tokens are kept.</summary>
    public int MaxVocabulary { get; init; } = 50_000;

    /// <summary>E, features per token.</summary>
    public int EmbeddingDim { get; init; } = 128;

    /// <summary>The recurrent encoder.</summary>
    public RecurrentConfig Rnn { get; init; } = new(CellKind.Lstm, 128, 1, Bidirectional: true);

    /// <summary>
    /// H_c per direction of a spelling network whose output joins each word's embedding (word tokens only), so that a
    /// word unseen in training, or misspelt, still says something; 0 = none.
    /// </summary>
    public int CharHiddenSize { get; init; } = 25;

    /// <summary>E_c, features per character of the spelling network.</summary>
    public int CharEmbeddingDim { get; init; } = 24;

    /// <summary>Characters per word read by the spelling network (<see cref="Spelling.Characters"/>).</summary>
    public int MaxWordLength { get; init; } = 20;

    /// <summary>Whether the spelling network is used: asked for, and the tokens are words.</summary>
    [JsonIgnore]
    public bool UsesChars => CharHiddenSize > 0 && Preprocessing.Tokens == TokenUnit.Word;

    /// <summary>
    /// Probability of reading a token as &lt;unk&gt; during training (word dropout, Iyyer et al. 2015), so that the model
    /// does not lean on single words and learns what unknown words (read by their spelling) mean.
    /// </summary>
    public float WordDropout { get; init; }

    /// <summary>How the encoder's outputs become one vector.</summary>
    public SequencePooling Pooling { get; init; } = SequencePooling.Max;

    /// <summary>A, the attention scorer's width (attention pooling).</summary>
    public int AttentionDim { get; init; } = 64;

    /// <summary>Dropout on the embedded tokens.</summary>
    public float EmbeddingDropout { get; init; } = 0.25f;

    /// <summary>Dropout on the pooled vector.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>Weight each class by N / (C · n_c) in the loss (scikit-learn's "balanced"), for skewed labels.</summary>
    public bool Balance { get; init; }

    /// <summary>The default token limit: 400 words, or 2,000 characters.</summary>
    public int DefaultMaxLength => Preprocessing.Tokens == TokenUnit.Char ? 2000 : 400;

    /// <summary>Checks the values; messages name the command-line option.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        Training.Validate();
        if (Preprocessing.MaxLength < 0) throw new ArgumentException($"--max-length must be >= 0, got {Preprocessing.MaxLength}");
        if (MinFrequency < 1) throw new ArgumentException($"--min-frequency must be at least 1, got {MinFrequency}");
        if (MaxVocabulary < 3) throw new ArgumentException($"--max-vocab must be at least 3, got {MaxVocabulary}");
        if (EmbeddingDim < 1) throw new ArgumentException($"--embed must be at least 1, got {EmbeddingDim}");
        if (Rnn.HiddenSize < 1) throw new ArgumentException($"--hidden must be at least 1, got {Rnn.HiddenSize}");
        if (Rnn.NumLayers is < 1 or > 8) throw new ArgumentException($"--layers must be in [1, 8], got {Rnn.NumLayers}");
        if (CharHiddenSize < 0) throw new ArgumentException($"--char-hidden must be >= 0, got {CharHiddenSize}");
        if (UsesChars && CharEmbeddingDim < 1) throw new ArgumentException($"--char-embed must be at least 1, got {CharEmbeddingDim}");
        if (MaxWordLength < 1) throw new ArgumentException($"--max-word-length must be at least 1, got {MaxWordLength}");
        if (!(WordDropout >= 0 && WordDropout < 1)) throw new ArgumentException($"--word-dropout must be in [0, 1), got {WordDropout}");
        if (AttentionDim < 1) throw new ArgumentException($"--attention-dim must be at least 1, got {AttentionDim}");
        foreach (var (name, p) in new[] { ("--dropout", Dropout), ("--embed-dropout", EmbeddingDropout), ("--rnn-dropout", Rnn.Dropout) })
            if (!(p >= 0 && p < 1)) throw new ArgumentException($"{name} must be in [0, 1), got {p}");
    }
}
