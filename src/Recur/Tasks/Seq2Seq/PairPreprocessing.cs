using Recur.Data.Text;

namespace Recur.Tasks.Seq2Seq;

/// <summary>
/// How the two sides of a pair become tokens, saved with the model so that evaluation and prediction read input as
/// training did. A token is a character (code point, white space included) or a white-space separated word, so that
/// pre-segmented phonemes or subwords are read as written.
/// </summary>
/// <param name="SourceTokens">The source side's unit.</param>
/// <param name="TargetTokens">The target side's unit.</param>
/// <param name="Lowercase">Lowercase both sides first (culture-invariant).</param>
/// <param name="Normalization">Unicode normalisation applied first.</param>
/// <param name="MaxSourceLength">The longest source the model was trained on, in tokens (longer sources at prediction are cut or refused).</param>
/// <param name="MaxTargetLength">The longest target the model was trained on, in tokens.</param>
public sealed record PairPreprocessing(TokenUnit SourceTokens = TokenUnit.Char, TokenUnit TargetTokens = TokenUnit.Char, bool Lowercase = false,
    TextNormalization Normalization = TextNormalization.Nfc, int MaxSourceLength = 0, int MaxTargetLength = 0)
{
    /// <summary>The source tokens of <paramref name="text"/>.</summary>
    public List<string> Source(string text) => Split(text, SourceTokens);

    /// <summary>The target tokens of <paramref name="text"/>.</summary>
    public List<string> Target(string text) => Split(text, TargetTokens);

    /// <summary>Target tokens as text: characters concatenated, words joined by one space.</summary>
    public string JoinTarget(IEnumerable<string> tokens) => string.Join(TargetTokens == TokenUnit.Char ? "" : " ", tokens);

    /// <summary>A reference as outputs are written (normalised, lowercased as set, words joined by one space), for comparison.</summary>
    public string CanonicalTarget(string text) => JoinTarget(Target(text));

    private List<string> Split(string text, TokenUnit unit)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = UnicodeNormalization.Apply(text, Normalization);
        if (Lowercase) text = text.ToLowerInvariant();
        if (unit == TokenUnit.Word) return [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
        var result = new List<string>(text.Length);
        foreach (var r in text.EnumerateRunes()) result.Add(r.ToString());
        return result;
    }
}
