namespace Recur.Data.Text;

/// <summary>
/// Word n-grams: the tokens of an inner tokenizer (usually <see cref="WordTokenizer"/>) taken <see cref="N"/> at a
/// time, sliding by one, joined by <see cref="Separator"/> ("the cat sat", n = 2 gives "the cat", "cat sat").
/// </summary>
public sealed class WordNGramTokenizer : ITokenizer
{
    private readonly ITokenizer _words;
    private readonly char[][] _ring;
    private readonly int[] _lengths;
    private char[] _joined = new char[128];
    private int _seen;

    /// <summary>Creates an n-gram tokenizer over <paramref name="words"/>.</summary>
    public WordNGramTokenizer(ITokenizer words, int n, string separator = " ")
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(separator);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        _words = words;
        N = n;
        Separator = separator;
        _ring = new char[n][];
        for (int k = 0; k < n; k++) _ring[k] = new char[32];
        _lengths = new int[n];
    }

    /// <summary>Words per n-gram.</summary>
    public int N { get; }

    /// <summary>Text placed between the words of an n-gram.</summary>
    public string Separator { get; }

    /// <inheritdoc />
    public void Tokenize(ReadOnlySpan<char> text, TokenSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _seen = 0;
        _words.Tokenize(text, word =>
        {
            int slot = _seen % N;
            if (_ring[slot].Length < word.Length) _ring[slot] = new char[word.Length * 2];
            word.CopyTo(_ring[slot]);
            _lengths[slot] = word.Length;
            _seen++;
            if (_seen >= N) sink(Join());
        });
    }

    // Joins the last N words, oldest first.
    private ReadOnlySpan<char> Join()
    {
        int total = (N - 1) * Separator.Length;
        for (int k = 0; k < N; k++) total += _lengths[k];
        if (_joined.Length < total) _joined = new char[total * 2];
        int at = 0;
        for (int k = 0; k < N; k++)
        {
            int slot = (_seen + k) % N;
            if (k > 0) { Separator.CopyTo(_joined.AsSpan(at)); at += Separator.Length; }
            _ring[slot].AsSpan(0, _lengths[slot]).CopyTo(_joined.AsSpan(at));
            at += _lengths[slot];
        }
        return _joined.AsSpan(0, at);
    }
}
