using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Character tokens: one token per Unicode code point (a surrogate pair is one token, not two), white space and
/// line ends included — the segmentation of a character language model. Optional lowercasing (invariant).
/// </summary>
public sealed class CharTokenizer(bool lowercase = false) : ITokenizer
{
    private readonly char[] _scratch = new char[2];

    /// <summary>Whether tokens are lowercased (culture-invariant).</summary>
    public bool Lowercase { get; } = lowercase;

    /// <inheritdoc />
    public void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        int i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out var rune, out int used);
            if (Lowercase)
            {
                int n = Rune.ToLowerInvariant(rune).EncodeToUtf16(_scratch);
                sink(_scratch.AsSpan(0, n));
            }
            else sink(text.Slice(i, used));
            i += used;
        }
    }
}
