using Recur.Data.Files;
using System.Text;

namespace Recur.Data.Text;

/// <summary>
/// Fast code point -> index encoding for a character vocabulary (every ordinary token one code point, as made by
/// <see cref="Vocabulary.ForCharacters(string, SpecialTokens?)"/>): a flat table instead of a string look-up per
/// character, used to encode whole files in a streaming way. Unknown characters become UNK, or raise an
/// <see cref="UnknownTokenException"/> (with file and line for files) when the vocabulary has no UNK.
/// </summary>
public sealed class CharEncoder
{
    private readonly int[] _table; // code point -> index, -1 when absent

    /// <summary>Creates the encoder; special tokens are skipped, every other token must be a single code point.</summary>
    public CharEncoder(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Vocabulary = vocabulary;
        var specials = new HashSet<string>(vocabulary.Specials.Present(), StringComparer.Ordinal);
        int max = -1;
        var entries = new List<(int CodePoint, int Index)>();
        for (int i = 0; i < vocabulary.Count; i++)
        {
            string t = vocabulary[i];
            if (specials.Contains(t)) continue;
            if (Rune.DecodeFromUtf16(t, out var rune, out int used) != System.Buffers.OperationStatus.Done || used != t.Length)
                throw new ArgumentException($"token {i} {UnknownTokenException.Describe(t)} is not a single character", nameof(vocabulary));
            entries.Add((rune.Value, i));
            max = Math.Max(max, rune.Value);
        }
        _table = new int[max + 1];
        Array.Fill(_table, -1);
        foreach (var (c, i) in entries) _table[c] = i;
    }

    /// <summary>The vocabulary the indices refer to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Index of code point <paramref name="codePoint"/> (UNK when absent).</summary>
    /// <exception cref="UnknownTokenException">Absent and the vocabulary has no UNK.</exception>
    public int Encode(int codePoint)
    {
        int i = (uint)codePoint < (uint)_table.Length ? _table[codePoint] : -1;
        if (i >= 0) return i;
        return Vocabulary.UnkIndex ?? throw new UnknownTokenException(new Rune(codePoint).ToString(), $"the character vocabulary of {Vocabulary.Count} tokens (it has no UNK token)");
    }

    /// <summary>Indices of the code points of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        var ids = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) ids.Add(Encode(rune.Value));
        return [.. ids];
    }

    /// <summary>
    /// Encodes every code point of a UTF-8 file (gzip transparent, line ends included) into a compact
    /// <see cref="TokenStream"/>, reading 16K code points at a time: no string of the file ever exists. An
    /// uncompressed file presizes the stream to its byte count (an upper bound on its code points), so an ASCII
    /// corpus with up to 256 symbols costs exactly its file size.
    /// </summary>
    public TokenStream EncodeFile(string path)
    {
        long bytes = new FileInfo(path).Length;
        bool compressed;
        using (var probe = File.OpenRead(path)) compressed = probe.ReadByte() == 0x1F && probe.ReadByte() == 0x8B;
        int capacity = compressed ? Math.Max(1 << 16, (int)Math.Min(bytes * 3, Array.MaxLength)) : (int)Math.Min(bytes, Array.MaxLength);
        var builder = new TokenStream.Builder(Vocabulary.Count, capacity);
        foreach (var chunk in EncodeFileChunks(path)) builder.Append(chunk.Span);
        return builder.Build();
    }

    /// <summary>
    /// Streams the indices of a file's code points in chunks of up to <paramref name="chunkSize"/>; each chunk is
    /// a reused buffer valid until the next one is requested.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<int>> EncodeFileChunks(string path, int chunkSize = 1 << 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        using var reader = new CodePointReader(path);
        var buffer = new int[chunkSize];
        while (true)
        {
            long line = reader.Line;
            int n = reader.Read(buffer);
            if (n == 0) yield break;
            EncodeInPlace(buffer.AsSpan(0, n), reader.Source, line);
            yield return buffer.AsMemory(0, n);
        }
    }

    private void EncodeInPlace(Span<int> codePoints, string source, long line)
    {
        int? unk = Vocabulary.UnkIndex;
        for (int k = 0; k < codePoints.Length; k++)
        {
            int c = codePoints[k];
            int i = (uint)c < (uint)_table.Length ? _table[c] : -1;
            if (i < 0)
            {
                if (unk is null)
                    throw new DataFormatException(source, line, new UnknownTokenException(new Rune(c).ToString(), "the character vocabulary (it has no UNK token)").Message);
                i = unk.Value;
            }
            if (c == '\n') line++;
            codePoints[k] = i;
        }
    }
}
