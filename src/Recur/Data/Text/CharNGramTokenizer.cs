using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Character n-grams: every run of <see cref="N"/> consecutive code points, sliding by one ("hello", n = 3 gives
/// "hel", "ell", "llo"). A text shorter than n gives no token. Tokens are slices of the input: no allocation.
/// </summary>
public sealed class CharNGramTokenizer : ITokenizer
{
    private readonly int[] _starts;

    /// <summary>Creates an n-gram tokenizer; <paramref name="n"/> must be at least 1.</summary>
    public CharNGramTokenizer(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        N = n;
        _starts = new int[n + 1];
    }

    /// <summary>Code points per n-gram.</summary>
    public int N { get; }

    /// <inheritdoc />
    public void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        // _starts is a ring of the UTF-16 offsets of the last N + 1 code point boundaries.
        int seen = 0, i = 0;
        _starts[0] = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text[i..], out _, out int used);
            i += used;
            seen++;
            _starts[seen % (N + 1)] = i;
            if (seen >= N)
            {
                int from = _starts[(seen - N) % (N + 1)];
                sink(text[from..i]);
            }
        }
    }
}
