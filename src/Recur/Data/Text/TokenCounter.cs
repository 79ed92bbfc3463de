using Recur.Data.Files;
using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Counts tokens for building a <see cref="Vocabulary"/>, streaming: text is fed span by span and a token already
/// seen costs a hash look-up but no allocation (the dictionary is probed with the span itself), so memory grows
/// with the number of distinct tokens, not with the corpus.
/// </summary>
public sealed class TokenCounter
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TokenSink _add;

    /// <summary>Creates an empty counter.</summary>
    public TokenCounter()
    {
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
        _add = Add;
    }

    /// <summary>Distinct tokens counted.</summary>
    public int Distinct => _counts.Count;

    /// <summary>Tokens counted, with repetitions.</summary>
    public long Total { get; private set; }

    /// <summary>The counts by token.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Counts one occurrence of <paramref name="token"/>.</summary>
    public void Add(ReadOnlySpan<char> token) => Add(token, 1);

    /// <summary>Counts <paramref name="count"/> occurrences of <paramref name="token"/>.</summary>
    public void Add(ReadOnlySpan<char> token, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lookup, token, out _) += count;
        Total += count;
    }

    /// <summary>Counts every token of <paramref name="text"/>.</summary>
    public void AddText(ITokenizer tokenizer, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        tokenizer.Tokenize(text, _add);
    }

    /// <summary>
    /// Counts the tokens of every line of a UTF-8 file (gzip transparent), streaming. Line ends are not tokens here;
    /// for a character model that predicts "\n" use <see cref="CountCodePoints(string)"/>.
    /// </summary>
    public void AddFile(ITokenizer tokenizer, string path)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line)) tokenizer.Tokenize(line, _add);
    }

    /// <summary>
    /// Counts every code point of a UTF-8 file (gzip transparent), line ends included, in bounded memory: the
    /// counts are kept by code point and turned into one-character tokens only at the end.
    /// </summary>
    public static TokenCounter CountCodePoints(string path)
    {
        var ascii = new long[128];
        var other = new Dictionary<int, long>();
        using (var reader = new CodePointReader(path))
        {
            var buffer = new int[1 << 14];
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                foreach (int c in buffer.AsSpan(0, n))
                {
                    if (c < 128) ascii[c]++;
                    else System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(other, c, out _)++;
                }
            }
        }
        var counter = new TokenCounter();
        Span<char> utf16 = stackalloc char[2];
        for (int c = 0; c < 128; c++)
            if (ascii[c] > 0) counter.Add(utf16[..new Rune(c).EncodeToUtf16(utf16)], ascii[c]);
        foreach (var (c, count) in other) counter.Add(utf16[..new Rune(c).EncodeToUtf16(utf16)], count);
        return counter;
    }
}
