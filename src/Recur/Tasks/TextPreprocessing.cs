using Recur.Data.Text;

namespace Recur.Tasks;

/// <summary>What a token is for a text task: one character (code point) or one word.</summary>
public enum TokenUnit
{
    /// <summary>Characters (code points), white space included.</summary>
    Char,

    /// <summary>Words and punctuation marks (<see cref="WordTokenizer"/>).</summary>
    Word,
}

/// <summary>
/// How a text task turns a raw string into tokens, saved with the model so that evaluation and prediction read input
/// exactly as training did: Unicode normalisation, lowercasing, the token unit, and the longest sequence kept.
/// </summary>
/// <param name="Tokens">Characters or words.</param>
/// <param name="Lowercase">Lowercase before tokenising (culture-invariant).</param>
/// <param name="Normalization">Unicode normalisation applied first.</param>
/// <param name="MaxLength">Tokens kept per text (longer texts keep their first MaxLength, and the run says how many
/// were cut); 0 = no limit.</param>
public sealed record TextPreprocessing(TokenUnit Tokens = TokenUnit.Word, bool Lowercase = true,
    TextNormalization Normalization = TextNormalization.Nfc, int MaxLength = 0)
{
    /// <summary>A new tokenizer for this unit (tokenizers keep scratch buffers: one per thread).</summary>
    public ITokenizer CreateTokenizer() => Tokens == TokenUnit.Char ? new CharTokenizer(Lowercase) : new WordTokenizer(Lowercase);

    /// <summary>The tokens of <paramref name="text"/> (normalised, lowercased as set; not cut at <see cref="MaxLength"/>).</summary>
    public List<string> Tokenize(ITokenizer tokenizer, string text) => tokenizer.Tokenize(UnicodeNormalization.Apply(text, Normalization));
}
