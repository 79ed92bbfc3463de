namespace Recur.Data.Text;

/// <summary>
/// A long sequence of token indices stored compactly: one byte per token when the vocabulary has at most 256
/// tokens, two bytes up to 65,536, else four. A character corpus of 1 GB with a 100-symbol alphabet takes 1 GB here
/// (an <c>int[]</c> would take 4 GB, a string 2 GB). Read with <see cref="CopyTo"/> or the indexer.
/// </summary>
public sealed class TokenStream
{
    private readonly byte[]? _bytes;
    private readonly ushort[]? _shorts;
    private readonly int[]? _ints;
    private readonly int _offset; // first token within the storage (non-zero for a slice)

    private TokenStream(byte[]? bytes, ushort[]? shorts, int[]? ints, int offset, int length, int vocabularySize)
    {
        _bytes = bytes;
        _shorts = shorts;
        _ints = ints;
        _offset = offset;
        Length = length;
        VocabularySize = vocabularySize;
    }

    /// <summary>Number of tokens.</summary>
    public int Length { get; }

    /// <summary>Indices are in [0, VocabularySize).</summary>
    public int VocabularySize { get; }

    /// <summary>Bytes used per token (1, 2 or 4).</summary>
    public int BytesPerToken => _bytes is not null ? 1 : _shorts is not null ? 2 : 4;

    /// <summary>Token <paramref name="i"/>.</summary>
    public int this[int i]
    {
        get
        {
            if ((uint)i >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(i), $"index {i} is outside the stream [0, {Length})");
            i += _offset;
            return _bytes is not null ? _bytes[i] : _shorts is not null ? _shorts[i] : _ints![i];
        }
    }

    /// <summary>Copies tokens [start, start + destination.Length) into <paramref name="destination"/>.</summary>
    public void CopyTo(int start, Span<int> destination)
    {
        if (start < 0 || start + (long)destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start + (long)destination.Length}) is outside the stream [0, {Length})");
        start += _offset;
        if (_ints is not null) { _ints.AsSpan(start, destination.Length).CopyTo(destination); return; }
        if (_bytes is not null)
        {
            var src = _bytes.AsSpan(start, destination.Length);
            for (int i = 0; i < src.Length; i++) destination[i] = src[i];
            return;
        }
        var s = _shorts.AsSpan(start, destination.Length);
        for (int i = 0; i < s.Length; i++) destination[i] = s[i];
    }

    /// <summary>Tokens [start, start + length) as a stream sharing this one's storage (no copy), e.g. a train/validation split.</summary>
    public TokenStream Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + (long)length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start + (long)length}) is outside the stream [0, {Length})");
        return new TokenStream(_bytes, _shorts, _ints, _offset + start, length, VocabularySize);
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

    /// <summary>Accumulates indices chunk by chunk (growing by doubling) into the compact form.</summary>
    public sealed class Builder
    {
        private readonly int _vocabularySize;
        private byte[]? _bytes;
        private ushort[]? _shorts;
        private int[]? _ints;
        private int _length;

        /// <summary>Creates a builder for indices in [0, <paramref name="vocabularySize"/>).</summary>
        public Builder(int vocabularySize, int capacity = 1 << 16)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
            ArgumentOutOfRangeException.ThrowIfNegative(capacity);
            _vocabularySize = vocabularySize;
            capacity = Math.Max(capacity, 16);
            if (vocabularySize <= 256) _bytes = new byte[capacity];
            else if (vocabularySize <= 65536) _shorts = new ushort[capacity];
            else _ints = new int[capacity];
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
            if (_ints is not null) indices.CopyTo(_ints.AsSpan(_length));
            else if (_bytes is not null) for (int i = 0; i < indices.Length; i++) _bytes[_length + i] = (byte)indices[i];
            else for (int i = 0; i < indices.Length; i++) _shorts![_length + i] = (ushort)indices[i];
            _length += indices.Length;
        }

        /// <summary>
        /// The stream. The storage is trimmed only when more than a quarter of it is unused, so a builder presized
        /// exactly (e.g. to the byte count of an ASCII file) hands its array over without a copy. The builder must
        /// not be used afterwards.
        /// </summary>
        public TokenStream Build()
        {
            int capacity = _bytes?.Length ?? _shorts?.Length ?? _ints!.Length;
            if (capacity - _length > capacity / 4)
            {
                if (_bytes is not null) Array.Resize(ref _bytes, _length);
                else if (_shorts is not null) Array.Resize(ref _shorts, _length);
                else Array.Resize(ref _ints, _length);
            }
            return new TokenStream(_bytes, _shorts, _ints, 0, _length, _vocabularySize);
        }

        private void Reserve(int more)
        {
            long need = (long)_length + more;
            int capacity = _bytes?.Length ?? _shorts?.Length ?? _ints!.Length;
            if (need <= capacity) return;
            if (need > Array.MaxLength) throw new InvalidOperationException($"a token stream holds at most {Array.MaxLength} tokens");
            int grown = (int)Math.Min(Array.MaxLength, Math.Max(need, capacity * 2L));
            if (_bytes is not null) Array.Resize(ref _bytes, grown);
            else if (_shorts is not null) Array.Resize(ref _shorts, grown);
            else Array.Resize(ref _ints, grown);
        }
    }
}
