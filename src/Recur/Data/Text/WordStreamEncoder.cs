using Recur.Data.Files;

namespace Recur.Data.Text;

/// <summary>
/// Encodes a word-level corpus file into a <see cref="TokenStream"/> for a word language model, streaming: lines
/// are read into a reused buffer and tokens are looked up as spans, so no string of the corpus is created.
/// Optionally an EOS token marks each line end (the model then learns where sentences stop).
/// </summary>
public sealed class WordStreamEncoder
{
    private readonly ITokenizer _tokenizer;
    private readonly Vocabulary _vocabulary;
    private readonly TokenSink _add;
    private readonly int[] _chunk = new int[4096];
    private int _count;
    private TokenStream.Builder? _builder;

    /// <summary>Creates the encoder; unknown words become UNK (or throw when the vocabulary has none).</summary>
    public WordStreamEncoder(ITokenizer tokenizer, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        _tokenizer = tokenizer;
        _vocabulary = vocabulary;
        _add = Add;
    }

    /// <summary>Encodes every line of <paramref name="path"/> (gzip transparent); with <paramref name="eosAfterLine"/> each non-empty line is followed by EOS.</summary>
    /// <exception cref="DataFormatException">Invalid UTF-8, or an unknown word when there is no UNK (with file and line).</exception>
    public TokenStream EncodeFile(string path, bool eosAfterLine = true)
    {
        int? eos = eosAfterLine ? _vocabulary.EosIndex ?? throw new InvalidOperationException("eosAfterLine: the vocabulary has no EOS token") : null;
        _builder = new TokenStream.Builder(_vocabulary.Count);
        _count = 0;
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line))
        {
            long before = _builder.Length + _count;
            try { _tokenizer.Tokenize(line, _add); }
            catch (UnknownTokenException e) { throw reader.Error(e.Message); }
            if (eos is int end && _builder.Length + _count > before) Push(end);
        }
        Flush();
        var stream = _builder.Build();
        _builder = null;
        return stream;
    }

    private void Add(ReadOnlySpan<char> token) => Push(_vocabulary.Encode(token));

    private void Push(int index)
    {
        if (_count == _chunk.Length) Flush();
        _chunk[_count++] = index;
    }

    private void Flush()
    {
        _builder!.Append(_chunk.AsSpan(0, _count));
        _count = 0;
    }
}
