using Recur.Training.Metrics.Text;

namespace Recur.Tasks.Seq2Seq;

/// <summary>
/// The scores of sequence-to-sequence outputs against their references (JSON keys of <c>recur eval</c>):
/// <list type="bullet">
/// <item><c>exact_match</c>: share of sources whose output equals one of its references.</item>
/// <item><c>cer</c>: character edit distance to the closest reference / its characters (summed over the corpus).</item>
/// <item><c>wer</c>: for character targets, word edit distance (white-space separated) / reference words; for word
/// targets (each output a sequence of units such as phonemes, one "word" of a dictionary) the share of outputs with any
/// error, 1 - exact_match, as grapheme-to-phoneme work counts word errors.</item>
/// <item><c>per</c> (word targets only): token edit distance to the closest reference / its tokens.</item>
/// <item><c>bleu</c>, <c>chrf</c>: sacreBLEU's corpus BLEU-4 and chrF2 (<see cref="CorpusBleu"/>, <see cref="CorpusChrF"/>), all references used.</item>
/// </list>
/// Outputs and references are compared as written with tokens joined (word targets: by one space).
/// </summary>
public sealed class SequenceScores(TokenUnit targetTokens)
{
    private readonly CorpusBleu _bleu = new();
    private readonly CorpusChrF _chrf = new();
    private long _sources, _exact, _charErrors, _chars, _wordErrors, _words, _tokenErrors, _tokens;

    /// <summary>What a target token is.</summary>
    public TokenUnit TargetTokens => targetTokens;

    /// <summary>Adds one output with the references of its source (at least one).</summary>
    public void Add(string output, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("a source needs at least one reference", nameof(references));
        _sources++;
        bool exact = references.Any(r => r == output);
        if (exact) _exact++;
        _bleu.Add(output, references);
        _chrf.Add(output, references);
        var (charError, charLength) = Closest(output.EnumerateRunes().ToArray(), references.Select(r => r.EnumerateRunes().ToArray()));
        _charErrors += charError;
        _chars += charLength;
        var outTokens = Words(output);
        var (tokenError, tokenLength) = Closest(outTokens, references.Select(Words));
        if (targetTokens == TokenUnit.Word)
        {
            _tokenErrors += tokenError;
            _tokens += tokenLength;
            _wordErrors += exact ? 0 : 1;
            _words++;
        }
        else
        {
            _wordErrors += tokenError;
            _words += tokenLength;
        }
    }

    /// <summary>Sources scored.</summary>
    public long Count => _sources;

    /// <summary>exact_match in [0, 1].</summary>
    public double ExactMatch => Ratio(_exact, _sources);

    /// <summary>cer (0 = perfect; may exceed 1).</summary>
    public double Cer => Ratio(_charErrors, _chars);

    /// <summary>wer (see the class summary).</summary>
    public double Wer => Ratio(_wordErrors, _words);

    /// <summary>per for word targets; NaN for character targets.</summary>
    public double Per => targetTokens == TokenUnit.Word ? Ratio(_tokenErrors, _tokens) : double.NaN;

    /// <summary>Corpus BLEU-4 in [0, 100].</summary>
    public BleuScore Bleu => _bleu.Score();

    /// <summary>Corpus chrF2 in [0, 100].</summary>
    public double ChrF => _chrf.Score();

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;

    private static string[] Words(string s) => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    // The edit distance to the closest reference and that reference's length.
    private static (int Errors, int Length) Closest<T>(T[] output, IEnumerable<T[]> references) where T : IEquatable<T>
    {
        (int Errors, int Length) best = (int.MaxValue, 0);
        foreach (var r in references)
        {
            int d = EditDistance.Between<T>(output, r);
            if (d < best.Errors || (d == best.Errors && r.Length > best.Length)) best = (d, r.Length);
        }
        return best;
    }
}
