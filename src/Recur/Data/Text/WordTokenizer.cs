using System.Globalization;
using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Unicode-aware word tokens. A word is a maximal run of letters, combining marks, digits and connector
/// punctuation ('_'); an apostrophe (' or ’) or hyphen between two word characters stays inside the word
/// ("don't", "people’s", "slow-moving") unless disabled. Every other punctuation mark or symbol is a token of its
/// own ("end." gives "end", "."), and white space separates tokens without producing any. Categories come from
/// <see cref="Rune.GetUnicodeCategory"/>, so accented, Cyrillic, Greek or CJK letters are word characters too.
/// </summary>
public sealed class WordTokenizer : ITokenizer
{
    private char[] _scratch = new char[64];

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="lowercase">Lowercase every token (culture-invariant case mapping).</param>
    /// <param name="joinApostrophes">Keep an apostrophe between word characters inside the word.</param>
    /// <param name="joinHyphens">Keep a hyphen between word characters inside the word.</param>
    public WordTokenizer(bool lowercase = false, bool joinApostrophes = true, bool joinHyphens = true)
    {
        Lowercase = lowercase;
        JoinApostrophes = joinApostrophes;
        JoinHyphens = joinHyphens;
    }

    /// <summary>Whether tokens are lowercased.</summary>
    public bool Lowercase { get; }

    /// <summary>Whether inner apostrophes join word parts.</summary>
    public bool JoinApostrophes { get; }

    /// <summary>Whether inner hyphens join word parts.</summary>
    public bool JoinHyphens { get; }

    /// <inheritdoc />
    public void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out var rune, out int used);
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune)) { i += used; continue; }
            if (!IsWordRune(rune))
            {
                Emit(text.Slice(i, used), sink);
                i += used;
                continue;
            }
            int start = i;
            i += used;
            while (i < text.Length)
            {
                Rune.DecodeFromUtf16(text[i..], out rune, out used);
                if (IsWordRune(rune)) { i += used; continue; }
                if (IsJoiner(rune) && i + used < text.Length)
                {
                    Rune.DecodeFromUtf16(text[(i + used)..], out var next, out int nextUsed);
                    if (IsWordRune(next)) { i += used + nextUsed; continue; }
                }
                break;
            }
            Emit(text[start..i], sink);
        }
    }

    private void Emit(ReadOnlySpan<char> token, TokenSink sink)
    {
        if (!Lowercase) { sink(token); return; }
        if (_scratch.Length < token.Length) _scratch = new char[token.Length * 2];
        int n = token.ToLowerInvariant(_scratch);
        sink(_scratch.AsSpan(0, n));
    }

    private bool IsJoiner(Rune r) =>
        (JoinApostrophes && (r.Value == '\'' || r.Value == '\u2019')) || (JoinHyphens && r.Value == '-');

    private static bool IsWordRune(Rune r) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };
}
