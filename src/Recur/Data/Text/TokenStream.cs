using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Recur.Data.Text;

/// <summary>
/// A long sequence of token indices stored compactly: one byte per token when the vocabulary has at most 256
/// tokens, two bytes up to 65,536, else four (native byte order: little-endian on x64 and Arm64). A character corpus of 1 GB with a 100-symbol alphabet
/// takes 1 GB here (an <c>int[]</c> would take 4 GB, a string 2 GB). The storage is an array or a region of a
/// file read with positional reads (<see cref="CharTokenCache"/>): the operating system's page cache keeps the hot
/// parts in memory without counting them against the process, so a stream over a file larger than memory costs
/// nothing but the reads. A stream may translate its stored indices through a table
/// (<see cref="Translate"/>), so one cached file serves vocabularies that number its symbols differently. Read with
/// <see cref="CopyTo"/> or the indexer.
/// </summary>
public sealed class TokenStream
{
    private readonly ReadOnlyMemory<byte> _storage; // in memory: Length tokens of Width bytes each, token 0 first
    private readonly SafeFileHandle? _file;         // or in a file, token 0 at byte _fileOffset
    private readonly long _fileOffset;
    private readonly int[]? _table;                 // stored index -> index, or null for none

    private TokenStream(ReadOnlyMemory<byte> storage, SafeFileHandle? file, long fileOffset, int width, int length, int vocabularySize, int[]? table)
    {
        _storage = storage;
        _file = file;
        _fileOffset = fileOffset;
        BytesPerToken = width;
        Length = length;
        VocabularySize = vocabularySize;
        _table = table;
    }

    /// <summary>Number of tokens.</summary>
    public int Length { get; }

    /// <summary>Indices are in [0, VocabularySize).</summary>
    public int VocabularySize { get; }

    /// <summary>Bytes stored per token (1, 2 or 4).</summary>
    public int BytesPerToken { get; }

    /// <summary>The bytes per token a vocabulary of <paramref name="vocabularySize"/> needs: 1, 2 or 4.</summary>
    public static int WidthFor(int vocabularySize) => vocabularySize <= 256 ? 1 : vocabularySize <= 65536 ? 2 : 4;

    /// <summary>Token <paramref name="i"/>.</summary>
    public int this[int i]
    {
        get
        {
            if ((uint)i >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(i), $"index {i} is outside the stream [0, {Length})");
            Span<int> one = stackalloc int[1];
            CopyTo(i, one);
            return one[0];
        }
    }

    /// <summary>Copies tokens [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(int start, Span<int> destination)
    {
        if (start < 0 || start + (long)destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start + (long)destination.Length}) is outside the stream [0, {Length})");
        int count = destination.Length * BytesPerToken;
        if (_file is null) Decode(_storage.Span.Slice(start * BytesPerToken, count), destination);
        else
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                long offset = _fileOffset + (long)start * BytesPerToken;
                for (int read = 0, n; read < count; read += n)
                    if ((n = RandomAccess.Read(_file, buffer.AsSpan(read, count - read), offset + read)) == 0)
                        throw new EndOfStreamException($"the token file ends before token {start + (long)destination.Length} of {Length}");
                Decode(buffer.AsSpan(0, count), destination);
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
        if (_table is { } table)
            for (int i = 0; i < destination.Length; i++) destination[i] = table[destination[i]];
    }

    private void Decode(ReadOnlySpan<byte> bytes, Span<int> destination)
    {
        switch (BytesPerToken)
        {
            case 1: for (int i = 0; i < bytes.Length; i++) destination[i] = bytes[i]; break;
            case 2:
                var shorts = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < shorts.Length; i++) destination[i] = shorts[i];
                break;
            default: MemoryMarshal.Cast<byte, int>(bytes).CopyTo(destination); break;
        }
    }

    /// <summary>Tokens [start, start + length) as a stream sharing this one's storage (no copy), e.g. a train/validation split.</summary>
    public TokenStream Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + (long)length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start + (long)length}) is outside the stream [0, {Length})");
        return _file is null
            ? new TokenStream(_storage.Slice(start * BytesPerToken, length * BytesPerToken), null, 0, BytesPerToken, length, VocabularySize, _table)
            : new TokenStream(default, _file, _fileOffset + (long)start * BytesPerToken, BytesPerToken, length, VocabularySize, _table);
    }

    /// <summary>
    /// This stream read through <paramref name="table"/>: token i becomes <c>table[i]</c>, an index in [0,
    /// <paramref name="vocabularySize"/>). Shares the storage; the table has one entry per index of this stream.
    /// </summary>
    public TokenStream Translate(int[] table, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Length != VocabularySize)
            throw new ArgumentException($"the table has {table.Length} entries; the stream's indices need {VocabularySize}", nameof(table));
        foreach (int v in table)
            if ((uint)v >= (uint)vocabularySize) throw new ArgumentOutOfRangeException(nameof(table), $"table entry {v} is outside [0, {vocabularySize})");
        int[] composed = _table is null ? (int[])table.Clone() : [.. _table.Select(i => table[i])];
        return new TokenStream(_storage, _file, _fileOffset, BytesPerToken, Length, vocabularySize, composed);
    }

    /// <summary>All tokens as a new <c>int[]</c>.</summary>
    public int[] ToArray()
    {
        var all = new int[Length];
        CopyTo(0, all);
        return all;
    }

    /// <summary>Wraps (copies) <paramref name="indices"/>, checking each lies in [0, vocabularySize).</summary>
    public static TokenStream FromIndices(ReadOnlySpan<int> indices, int vocabularySize)
    {
        var builder = new Builder(vocabularySize, indices.Length);
        builder.Append(indices);
        return builder.Build();
    }

    /// <summary>
    /// A stream over a region of an open file: <paramref name="length"/> indices of
    /// <see cref="WidthFor"/>(<paramref name="vocabularySize"/>) bytes each (native byte order) from byte
    /// <paramref name="offset"/>, read on demand. The indices are not checked; the handle must stay open while the
    /// stream is used.
    /// </summary>
    public static TokenStream FromFile(SafeFileHandle file, long offset, int length, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        return new TokenStream(default, file, offset, WidthFor(vocabularySize), length, vocabularySize, null);
    }

    /// <summary>Accumulates indices chunk by chunk (growing by doubling) into the compact form.</summary>
    public sealed class Builder
    {
        private readonly int _vocabularySize;
        private readonly int _width;
        private byte[] _bytes;
        private int _length;

        /// <summary>Creates a builder for indices in [0, <paramref name="vocabularySize"/>).</summary>
        public Builder(int vocabularySize, int capacity = 1 << 16)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
            ArgumentOutOfRangeException.ThrowIfNegative(capacity);
            _vocabularySize = vocabularySize;
            _width = WidthFor(vocabularySize);
            _bytes = new byte[(long)Math.Max(capacity, 16) * _width > Array.MaxLength ? Array.MaxLength / _width * _width : Math.Max(capacity, 16) * _width];
        }

        /// <summary>Tokens appended so far.</summary>
        public int Length => _length;

        /// <summary>Appends <paramref name="indices"/>.</summary>
        public void Append(ReadOnlySpan<int> indices)
        {
            Reserve(indices.Length);
            for (int i = 0; i < indices.Length; i++)
            {
                int v = indices[i];
                if ((uint)v >= (uint)_vocabularySize)
                    throw new ArgumentOutOfRangeException(nameof(indices), $"index {v} at position {_length + i} is outside [0, {_vocabularySize})");
            }
            var free = _bytes.AsSpan(_length * _width, indices.Length * _width);
            switch (_width)
            {
                case 1: for (int i = 0; i < indices.Length; i++) free[i] = (byte)indices[i]; break;
                case 2:
                    var shorts = MemoryMarshal.Cast<byte, ushort>(free);
                    for (int i = 0; i < indices.Length; i++) shorts[i] = (ushort)indices[i];
                    break;
                default: indices.CopyTo(MemoryMarshal.Cast<byte, int>(free)); break;
            }
            _length += indices.Length;
        }

        /// <summary>
        /// The stream. The storage is trimmed only when more than a quarter of it is unused, so a builder presized
        /// exactly (e.g. to the byte count of an ASCII file) hands its array over without a copy. The builder must
        /// not be used afterwards.
        /// </summary>
        public TokenStream Build()
        {
            int used = _length * _width;
            if (_bytes.Length - used > _bytes.Length / 4) Array.Resize(ref _bytes, used);
            return new TokenStream(_bytes.AsMemory(0, used), null, 0, _width, _length, _vocabularySize, null);
        }

        private void Reserve(int more)
        {
            long need = ((long)_length + more) * _width;
            if (need <= _bytes.Length) return;
            if (need > Array.MaxLength) throw new InvalidOperationException($"a token stream of {_width}-byte tokens holds at most {Array.MaxLength / _width} tokens");
            long grown = Math.Min(Array.MaxLength / _width * _width, Math.Max(need, _bytes.Length * 2L));
            Array.Resize(ref _bytes, (int)grown);
        }
    }
}
