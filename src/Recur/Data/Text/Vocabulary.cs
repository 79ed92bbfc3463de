using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recur.Data.Text;

/// <summary>
/// A bijection between tokens and indices 0..Count-1: special tokens first (PAD, UNK, BOS, EOS, those present),
/// then the ordinary tokens in a deterministic order (<see cref="VocabularyOrder"/>), so the same counts always give
/// the same indices. Encoding a token that is absent gives UNK, or throws <see cref="UnknownTokenException"/> when
/// the vocabulary has no UNK — never a silent guess. Immutable; saved and loaded as JSON (<see cref="VocabularyDocument"/>).
/// </summary>
public sealed class Vocabulary
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private Vocabulary(string[] tokens, SpecialTokens specials)
    {
        _tokens = tokens;
        _index = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is null) throw new ArgumentException($"token {i} is null", nameof(tokens));
            if (!_index.TryAdd(tokens[i], i))
                throw new ArgumentException($"token {UnknownTokenException.Describe(tokens[i])} appears twice (indices {_index[tokens[i]]} and {i})", nameof(tokens));
        }
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        Specials = specials;
        PadIndex = Role(specials.Pad, "PAD");
        UnkIndex = Role(specials.Unk, "UNK");
        BosIndex = Role(specials.Bos, "BOS");
        EosIndex = Role(specials.Eos, "EOS");
    }

    /// <summary>Number of tokens, specials included (the size of a one-hot vector or an embedding table).</summary>
    public int Count => _tokens.Length;

    /// <summary>The special tokens of this vocabulary.</summary>
    public SpecialTokens Specials { get; }

    /// <summary>Index of PAD, or null when absent.</summary>
    public int? PadIndex { get; }

    /// <summary>Index of UNK, or null when absent (then unknown tokens throw).</summary>
    public int? UnkIndex { get; }

    /// <summary>Index of BOS, or null when absent.</summary>
    public int? BosIndex { get; }

    /// <summary>Index of EOS, or null when absent.</summary>
    public int? EosIndex { get; }

    /// <summary>All tokens in index order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The token with index <paramref name="index"/>.</summary>
    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside the vocabulary [0, {_tokens.Length})");
            return _tokens[index];
        }
    }

    /// <summary>Builds a vocabulary from counts (see <see cref="VocabularyOptions"/> for frequency, size and order).</summary>
    public static Vocabulary FromCounts(IReadOnlyDictionary<string, long> counts, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        options ??= new VocabularyOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinFrequency, 1L, nameof(options.MinFrequency));
        var specials = options.Specials.Present().ToList();
        if (options.MaxSize is int max && max < specials.Count)
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxSize {max} is smaller than the {specials.Count} special tokens");
        var reserved = new HashSet<string>(specials, StringComparer.Ordinal);
        var ordinary = counts.Where(kv => kv.Value >= options.MinFrequency && !reserved.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key);
        if (options.MaxSize is int limit) ordinary = ordinary.Take(limit - specials.Count);
        var kept = ordinary.ToList();
        if (options.Order == VocabularyOrder.Ordinal) kept.Sort(StringComparer.Ordinal);
        return new Vocabulary([.. specials, .. kept], options.Specials);
    }

    /// <summary>Counts <paramref name="tokens"/> and builds a vocabulary from the counts.</summary>
    public static Vocabulary Build(IEnumerable<string> tokens, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var counter = new TokenCounter();
        foreach (var t in tokens) counter.Add(t);
        return FromCounts(counter.Counts, options);
    }

    /// <summary>
    /// A character vocabulary for a character language model: every code point of <paramref name="text"/>, in code
    /// point (ordinal) order, after the given specials (default: only UNK, so unseen characters map explicitly to UNK;
    /// pass <see cref="SpecialTokens.None"/> to make them errors instead).
    /// </summary>
    public static Vocabulary ForCharacters(string text, SpecialTokens? specials = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counter = new TokenCounter();
        counter.AddText(new CharTokenizer(), text);
        return ForCharacters(counter, specials);
    }

    /// <summary>Character vocabulary from code point counts, e.g. <see cref="TokenCounter.CountCodePoints(string)"/> of a file.</summary>
    public static Vocabulary ForCharacters(TokenCounter counts, SpecialTokens? specials = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return FromCounts(counts.Counts, new VocabularyOptions
        {
            Specials = specials ?? new SpecialTokens(null, "<unk>", null, null),
            Order = VocabularyOrder.Ordinal,
        });
    }

    /// <summary>A vocabulary holding exactly <paramref name="tokens"/> in this order; the special tokens must be among them.</summary>
    public static Vocabulary FromTokens(IEnumerable<string> tokens, SpecialTokens specials)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(specials);
        return new Vocabulary(tokens.ToArray(), specials);
    }

    /// <summary>True when <paramref name="token"/> is in the vocabulary.</summary>
    public bool Contains(ReadOnlySpan<char> token) => _lookup.ContainsKey(token);

    /// <summary>Index of <paramref name="token"/>, or false when absent (UNK is not substituted).</summary>
    public bool TryGetIndex(ReadOnlySpan<char> token, out int index) => _lookup.TryGetValue(token, out index);

    /// <summary>Index of <paramref name="token"/>; UNK when absent.</summary>
    /// <exception cref="UnknownTokenException">The token is absent and there is no UNK token.</exception>
    public int Encode(ReadOnlySpan<char> token)
    {
        if (_lookup.TryGetValue(token, out int index)) return index;
        if (UnkIndex is int unk) return unk;
        throw new UnknownTokenException(new string(token), $"the vocabulary of {Count} tokens (it has no UNK token)");
    }

    /// <summary>Indices of <paramref name="tokens"/>, optionally framed by BOS and EOS (which must then exist).</summary>
    public int[] Encode(IEnumerable<string> tokens, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new List<int>();
        if (addBos) ids.Add(BosIndex ?? throw new InvalidOperationException("addBos: the vocabulary has no BOS token"));
        foreach (var t in tokens) ids.Add(Encode(t));
        if (addEos) ids.Add(EosIndex ?? throw new InvalidOperationException("addEos: the vocabulary has no EOS token"));
        return [.. ids];
    }

    /// <summary>Tokenizes <paramref name="text"/> and encodes the tokens (no per-token allocation).</summary>
    public int[] Encode(ITokenizer tokenizer, ReadOnlySpan<char> text, bool addBos = false, bool addEos = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var ids = new List<int>();
        if (addBos) ids.Add(BosIndex ?? throw new InvalidOperationException("addBos: the vocabulary has no BOS token"));
        tokenizer.Tokenize(text, t => ids.Add(Encode(t)));
        if (addEos) ids.Add(EosIndex ?? throw new InvalidOperationException("addEos: the vocabulary has no EOS token"));
        return [.. ids];
    }

    /// <summary>The tokens of <paramref name="indices"/>; with <paramref name="skipSpecials"/> PAD, BOS and EOS are left out (UNK is kept: it stands for a real token).</summary>
    public string[] Decode(ReadOnlySpan<int> indices, bool skipSpecials = false)
    {
        var tokens = new List<string>(indices.Length);
        foreach (int i in indices)
        {
            if (skipSpecials && (i == PadIndex || i == BosIndex || i == EosIndex)) continue;
            tokens.Add(this[i]);
        }
        return [.. tokens];
    }

    /// <summary>The tokens of <paramref name="indices"/> concatenated with <paramref name="separator"/> (use "" for characters).</summary>
    public string DecodeToString(ReadOnlySpan<int> indices, string separator = "", bool skipSpecials = false)
        => string.Join(separator, Decode(indices, skipSpecials));

    /// <summary>The serialisable form.</summary>
    public VocabularyDocument ToDocument() => new()
    {
        Specials = new SpecialTokensDocument { Pad = Specials.Pad, Unk = Specials.Unk, Bos = Specials.Bos, Eos = Specials.Eos },
        Tokens = [.. _tokens],
    };

    /// <summary>Rebuilds a vocabulary from its stored form; checks format, version, unique tokens and special roles.</summary>
    /// <exception cref="FormatException">The document is not a valid version-1 vocabulary.</exception>
    public static Vocabulary FromDocument(VocabularyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Format != VocabularyDocument.FormatName)
            throw new FormatException($"vocabulary: expected format \"{VocabularyDocument.FormatName}\", got \"{document.Format}\"");
        if (document.Version != 1)
            throw new FormatException($"vocabulary: expected version 1, got {document.Version}");
        if (document.Tokens is null || document.Specials is null)
            throw new FormatException("vocabulary: \"tokens\" and \"specials\" are required");
        var s = document.Specials;
        try
        {
            return new Vocabulary([.. document.Tokens], new SpecialTokens(s.Pad, s.Unk, s.Bos, s.Eos));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"vocabulary: {e.Message}", e);
        }
    }

    /// <summary>The vocabulary as a JSON string (UTF-8 friendly: non-ASCII tokens are not escaped).</summary>
    public string ToJson() => JsonSerializer.Serialize(ToDocument(), JsonOptions);

    /// <summary>Parses the JSON written by <see cref="ToJson"/>.</summary>
    public static Vocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        VocabularyDocument? document;
        try { document = JsonSerializer.Deserialize<VocabularyDocument>(json, JsonOptions); }
        catch (JsonException e) { throw new FormatException($"vocabulary: invalid JSON: {e.Message}", e); }
        return FromDocument(document ?? throw new FormatException("vocabulary: the JSON is null"));
    }

    /// <summary>Writes the JSON form to <paramref name="path"/> (UTF-8, no byte-order mark).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson(), new UTF8Encoding(false));

    /// <summary>Reads a vocabulary saved with <see cref="Save"/>.</summary>
    public static Vocabulary Load(string path)
    {
        try { return FromJson(File.ReadAllText(path, new UTF8Encoding(false, true))); }
        catch (FormatException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    private int? Role(string? token, string role)
    {
        if (token is null) return null;
        if (!_index.TryGetValue(token, out int i))
            throw new ArgumentException($"the {role} token {UnknownTokenException.Describe(token)} is not among the tokens", nameof(Specials));
        return i;
    }
}
