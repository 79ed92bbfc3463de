using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.Layers;
using Recur.Models;

namespace Recur.Tasks.Tagging;

/// <summary>
/// How a tagger reads a word: the key of its embedding (normalised, lowercased, digits folded to 0, so that "1984" and
/// "2001" share one vector) and the characters its spelling network sees (as written, cut to
/// <see cref="MaxWordLength"/>: the first and last halves are kept, so a long word keeps its suffix).
/// </summary>
/// <param name="Normalization">Unicode normalisation of every word.</param>
/// <param name="Lowercase">Lowercase the embedding key.</param>
/// <param name="FoldDigits">Replace each decimal digit by 0 in the embedding key.</param>
/// <param name="MaxWordLength">Characters per word for the spelling network.</param>
public sealed record WordPreprocessing(TextNormalization Normalization = TextNormalization.Nfc, bool Lowercase = true, bool FoldDigits = true, int MaxWordLength = 20)
{
    /// <summary>The word as read (normalised).</summary>
    public string Normalize(string word) => UnicodeNormalization.Apply(word, Normalization);

    /// <summary>The embedding key of a normalised word.</summary>
    public string Key(string word)
    {
        string key = Lowercase ? word.ToLowerInvariant() : word;
        if (!FoldDigits || !key.Any(char.IsAsciiDigit)) return key;
        return string.Create(key.Length, key, (span, k) =>
        {
            for (int i = 0; i < k.Length; i++) span[i] = char.IsAsciiDigit(k[i]) ? '0' : k[i];
        });
    }

    /// <summary>The characters (code points) the spelling network reads (<see cref="Spelling.Characters"/>).</summary>
    public List<string> Characters(string word) => Spelling.Characters(word, MaxWordLength);
}

/// <summary>Everything <c>recur train tag</c> is told. The defaults are a BiLSTM tagger with a character network (Lample et al. 2016).</summary>
public sealed record TaggerSettings
{
    /// <summary>The training loop and the data files.</summary>
    public TrainingSettings Training { get; init; } = new() { Epochs = 20, Patience = 4, LrPatience = 2, BatchSize = 32, LearningRate = 2e-3 };

    /// <summary>The corpus format; null = detected.</summary>
    public TaggedFormat? Format { get; init; }

    /// <summary>The CoNLL-U column holding the tag.</summary>
    public ConlluTagColumn Column { get; init; } = ConlluTagColumn.Upos;

    /// <summary>How words are read.</summary>
    public WordPreprocessing Words { get; init; } = new();

    /// <summary>Largest word vocabulary (specials included); the most frequent words are kept.</summary>
    public int MaxVocabulary { get; init; } = 100_000;

    /// <summary>
    /// Probability of reading a word seen once in training as &lt;unk&gt; during training (Lample et al.), so that the
    /// unknown-word vector is learned from the contexts rare words appear in.
    /// </summary>
    public float WordDropout { get; init; } = 0.5f;

    /// <summary>E_w.</summary>
    public int WordEmbeddingDim { get; init; } = 100;

    /// <summary>E_c.</summary>
    public int CharEmbeddingDim { get; init; } = 25;

    /// <summary>H_c per direction; 0 = no character network.</summary>
    public int CharHiddenSize { get; init; } = 25;

    /// <summary>The sentence-level recurrent stack.</summary>
    public RecurrentConfig Rnn { get; init; } = new(CellKind.Lstm, 128, 1, Bidirectional: true);

    /// <summary>Dropout on word vectors and recurrent outputs.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>A linear-chain CRF output layer instead of a softmax per word.</summary>
    public bool Crf { get; init; }

    /// <summary>Checks the values; messages name the command-line option.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        Training.Validate();
        if (Words.MaxWordLength < 1) throw new ArgumentException($"--max-word-length must be at least 1, got {Words.MaxWordLength}");
        if (MaxVocabulary < 3) throw new ArgumentException($"--max-vocab must be at least 3, got {MaxVocabulary}");
        if (!(WordDropout >= 0 && WordDropout < 1)) throw new ArgumentException($"--word-dropout must be in [0, 1), got {WordDropout}");
        if (WordEmbeddingDim < 1) throw new ArgumentException($"--embed must be at least 1, got {WordEmbeddingDim}");
        if (CharHiddenSize < 0) throw new ArgumentException($"--char-hidden must be >= 0, got {CharHiddenSize}");
        if (CharHiddenSize > 0 && CharEmbeddingDim < 1) throw new ArgumentException($"--char-embed must be at least 1, got {CharEmbeddingDim}");
        if (Rnn.HiddenSize < 1) throw new ArgumentException($"--hidden must be at least 1, got {Rnn.HiddenSize}");
        if (Rnn.NumLayers is < 1 or > 8) throw new ArgumentException($"--layers must be in [1, 8], got {Rnn.NumLayers}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"--dropout must be in [0, 1), got {Dropout}");
    }
}
