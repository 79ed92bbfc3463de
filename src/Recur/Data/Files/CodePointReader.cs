using System.Buffers;
using System.Text;

namespace Recur.Data.Files;

/// <summary>
/// Streams the Unicode code points of a UTF-8 file (gzip transparent) into caller buffers, for corpora too large
/// to hold as strings: reading a 1 GB file needs a 64 KB byte buffer, not 2 GB of UTF-16. Every code point is
/// returned verbatim, line ends included (a character language model predicts "\n" too); a leading byte-order
/// mark is skipped. Malformed UTF-8 raises a <see cref="DataFormatException"/> with the line.
/// </summary>
public sealed class CodePointReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _bytes = new byte[1 << 16];
    private int _start, _end;
    private bool _eof, _started;

    /// <summary>Opens <paramref name="path"/> (gzip transparent); messages name the file.</summary>
    public CodePointReader(string path) : this(DataFile.OpenRead(path), DataFile.DisplayName(path)) { }

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    public CodePointReader(Stream stream, string source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        _stream = stream;
        Source = source;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Name of the input used in messages.</summary>
    public string Source { get; }

    /// <summary>1-based line of the next code point to be read.</summary>
    public long Line { get; private set; } = 1;

    /// <summary>Code points read so far.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next code points (Unicode scalar values) and returns how many
    /// were written; 0 only at the end of the input.
    /// </summary>
    /// <exception cref="DataFormatException">The input is not valid UTF-8 (message gives the line).</exception>
    public int Read(Span<int> destination)
    {
        if (destination.IsEmpty) throw new ArgumentException("destination is empty", nameof(destination));
        int count = 0;
        while (count < destination.Length)
        {
            if (_end - _start < 4 && !_eof) Fill();
            if (_start == _end) break;
            byte b = _bytes[_start];
            if (b < 0x80)
            {
                // ASCII fast path: copy a run of single-byte code points.
                int i = _start, stop = Math.Min(_end, _start + destination.Length - count);
                while (i < stop && _bytes[i] < 0x80)
                {
                    destination[count++] = _bytes[i];
                    if (_bytes[i] == (byte)'\n') Line++;
                    i++;
                }
                _start = i;
                continue;
            }
            var status = Rune.DecodeFromUtf8(_bytes.AsSpan(_start, _end - _start), out var rune, out int consumed);
            if (status != OperationStatus.Done)
                throw new DataFormatException(Source, Line, status == OperationStatus.NeedMoreData
                    ? "the file ends inside a UTF-8 sequence"
                    : $"invalid UTF-8 byte 0x{b:X2} after {Position} code points");
            destination[count++] = rune.Value;
            _start += consumed;
        }
        Position += count;
        return count;
    }

    /// <summary>Enumerates every code point of <paramref name="path"/> as a string-free stream of ints (for counting or encoding).</summary>
    public static IEnumerable<int> ReadAll(string path)
    {
        using var reader = new CodePointReader(path);
        var buffer = new int[1 << 14];
        int n;
        while ((n = reader.Read(buffer)) > 0)
            for (int i = 0; i < n; i++) yield return buffer[i];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private void Fill()
    {
        int pending = _end - _start;
        if (_start > 0) Buffer.BlockCopy(_bytes, _start, _bytes, 0, pending);
        _start = 0;
        _end = pending;
        while (_end < _bytes.Length && !_eof)
        {
            int n = _stream.Read(_bytes, _end, _bytes.Length - _end);
            if (n == 0) _eof = true;
            _end += n;
            if (_end >= 4) break;
        }
        if (!_started && _end - _start >= 3 && _bytes.AsSpan(0, 3).SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) _start = 3;
        if (_end - _start >= 3 || _eof) _started = true;
    }
}
