using Recur.Data.Text;
using Recur.Layers;
using Recur.Models;

namespace Recur.Tasks.LanguageModel;

/// <summary>
/// How a character language model reads text, saved with it: Unicode normalisation, and whether Windows line ends
/// (\r\n, and a lone \r) become \n so that "\r" never enters the vocabulary.
/// </summary>
/// <param name="Normalization">Unicode normalisation.</param>
/// <param name="NormalizeLineEndings">Read \r\n and \r as \n.</param>
public sealed record CharTextPreprocessing(TextNormalization Normalization = TextNormalization.Nfc, bool NormalizeLineEndings = true)
{
    /// <summary>How folders written before the model-folder format read text: as it is.</summary>
    public static CharTextPreprocessing Legacy { get; } = new(TextNormalization.None, NormalizeLineEndings: false);

    /// <summary><paramref name="text"/> as the model reads it.</summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NormalizeLineEndings && text.Contains('\r')) text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        return UnicodeNormalization.Apply(text, Normalization);
    }
}

/// <summary>Everything <c>recur train charlm</c> is told.</summary>
public sealed record CharLmSettings
{
    /// <summary>The default training budget when neither epochs nor minutes are given.</summary>
    public const double DefaultMinutes = 4.5;

    /// <summary>The training loop; the held-out part is the end of the text (the last ValidFraction), not a random sample.</summary>
    public TrainingSettings Training { get; init; } = new() { Patience = 0, BatchSize = 32, LearningRate = 2e-3, Clip = 5 };

    /// <summary>How text is read.</summary>
    public CharTextPreprocessing Preprocessing { get; init; } = new();

    /// <summary>E, features per character.</summary>
    public int EmbeddingDim { get; init; } = 64;

    /// <summary>The recurrent stack (unidirectional).</summary>
    public RecurrentConfig Rnn { get; init; } = new(CellKind.Lstm, 256, 1);

    /// <summary>Truncation length: characters per chunk of truncated BPTT.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Stateful truncated BPTT: each chunk starts from the state the previous chunk of its lane ended with.</summary>
    public bool Stateful { get; init; } = true;

    /// <summary>Checks the values; messages name the command-line option.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        Training.Validate();
        if (EmbeddingDim < 1) throw new ArgumentException($"--embed must be at least 1, got {EmbeddingDim}");
        if (Rnn.HiddenSize < 1) throw new ArgumentException($"--hidden must be at least 1, got {Rnn.HiddenSize}");
        if (Rnn.NumLayers < 1) throw new ArgumentException($"--layers must be at least 1, got {Rnn.NumLayers}");
        if (Rnn.Bidirectional) throw new ArgumentException("a language model cannot be bidirectional (it would read the character it predicts)");
        if (!(Rnn.Dropout >= 0 && Rnn.Dropout < 1)) throw new ArgumentException($"--dropout must be in [0, 1), got {Rnn.Dropout}");
        if (Steps < 1) throw new ArgumentException($"--seq must be at least 1, got {Steps}");
    }
}
