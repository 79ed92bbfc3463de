namespace Recur.Data.Files;

/// <summary>
/// The input of the streaming UTF-8 readers (<see cref="Utf8LineReader"/>, <see cref="CodePointReader"/>): a stream
/// (a file opened with <see cref="DataFile.OpenRead"/>, gzip transparent), the name its messages give, and the bytes
/// read but not yet decoded, <see cref="Bytes"/>[<see cref="Start"/>..<see cref="End"/>), in one buffer reused for the
/// whole input and grown only when the unread bytes fill it (a line longer than the buffer).
/// </summary>
internal sealed class Utf8Input : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _bytes = new byte[1 << 16];

    /// <summary>Opens <paramref name="path"/> (gzip transparent); messages name the file.</summary>
    public Utf8Input(string path) : this(DataFile.OpenRead(path), DataFile.DisplayName(path), leaveOpen: false) { }

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    public Utf8Input(Stream stream, string source, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        _stream = stream;
        Source = source;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The UTF-8 byte-order mark, EF BB BF, which the readers skip at the start of the input.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Name of the input in messages (the file name).</summary>
    public string Source { get; }

    /// <summary>The buffer; the unread bytes are [<see cref="Start"/>, <see cref="End"/>). Replaced when it grows.</summary>
    public byte[] Bytes => _bytes;

    /// <summary>The first unread byte; the reader advances it as it decodes.</summary>
    public int Start { get; set; }

    /// <summary>One past the last byte read.</summary>
    public int End { get; private set; }

    /// <summary>Whether the stream has no more bytes (what is unread is all there is).</summary>
    public bool Ended { get; private set; }

    /// <summary>The bytes read and not yet decoded.</summary>
    public ReadOnlySpan<byte> Unread => _bytes.AsSpan(Start, End - Start);

    /// <summary>Skips a byte-order mark at the start of the input; call before reading anything.</summary>
    public void SkipByteOrderMark()
    {
        Fill(ByteOrderMark.Length);
        if (Unread.StartsWith(ByteOrderMark)) Start += ByteOrderMark.Length;
    }

    /// <summary>
    /// Moves the unread bytes to the front of the buffer (doubling the buffer when they fill it) and reads until at
    /// least <paramref name="minimum"/> bytes are unread or the stream ends.
    /// </summary>
    public void Fill(int minimum = 1)
    {
        int pending = End - Start;
        if (pending == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
        else if (Start > 0) Buffer.BlockCopy(_bytes, Start, _bytes, 0, pending);
        Start = 0;
        End = pending;
        while (!Ended && End < _bytes.Length)
        {
            int n = _stream.Read(_bytes, End, _bytes.Length - End);
            if (n == 0) Ended = true;
            End += n;
            if (End >= minimum) break;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
