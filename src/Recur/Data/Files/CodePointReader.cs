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
    private readonly Utf8Input _input;
    private bool _started;

    /// <summary>Opens <paramref name="path"/> (gzip transparent); messages name the file.</summary>
    public CodePointReader(string path) => _input = new Utf8Input(path);

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    public CodePointReader(Stream stream, string source, bool leaveOpen = false) => _input = new Utf8Input(stream, source, leaveOpen);

    /// <summary>Name of the input used in messages.</summary>
    public string Source => _input.Source;

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
        var input = _input;
        if (!_started)
        {
            _started = true;
            input.SkipByteOrderMark();
        }
        int count = 0;
        while (count < destination.Length)
        {
            if (input.End - input.Start < 4 && !input.Ended) input.Fill(4);
            if (input.Start == input.End) break;
            byte[] bytes = input.Bytes;
            byte b = bytes[input.Start];
            if (b < 0x80)
            {
                // ASCII fast path: copy a run of single-byte code points.
                int i = input.Start, stop = Math.Min(input.End, input.Start + destination.Length - count);
                while (i < stop && bytes[i] < 0x80)
                {
                    destination[count++] = bytes[i];
                    if (bytes[i] == (byte)'\n') Line++;
                    i++;
                }
                input.Start = i;
                continue;
            }
            var status = Rune.DecodeFromUtf8(input.Unread, out var rune, out int consumed);
            if (status != OperationStatus.Done)
                throw new DataFormatException(Source, Line, status == OperationStatus.NeedMoreData
                    ? "the file ends inside a UTF-8 sequence"
                    : $"invalid UTF-8 byte 0x{b:X2} after {Position} code points");
            destination[count++] = rune.Value;
            input.Start += consumed;
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
    public void Dispose() => _input.Dispose();
}
