using System.Text.Unicode;

namespace Recur.Data.Files;

/// <summary>
/// Reads a UTF-8 file line by line in bounded memory, decoding strictly: a malformed byte sequence raises a
/// <see cref="DataFormatException"/> with the exact line and byte column (a UTF-16 <see cref="StreamReader"/> would
/// replace it with U+FFFD silently or fail a whole buffer away from the line). Gzip input is decompressed
/// transparently, a leading byte-order mark is skipped, and line ends ("\n" or "\r\n") are removed.
/// <see cref="TryReadLine(out ReadOnlySpan{char})"/> returns a span into a reused buffer, so reading allocates nothing
/// per line; the buffers grow only to the longest line.
/// </summary>
public sealed class Utf8LineReader : IDisposable
{
    private readonly Utf8Input _input;
    private char[] _chars = new char[1 << 12];
    private bool _started;

    /// <summary>Opens <paramref name="path"/> (gzip transparent); messages name the file.</summary>
    public Utf8LineReader(string path) => _input = new Utf8Input(path);

    /// <summary>Reads from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    public Utf8LineReader(Stream stream, string source, bool leaveOpen = false) => _input = new Utf8Input(stream, source, leaveOpen);

    /// <summary>Name of the input used in messages (the file name).</summary>
    public string Source => _input.Source;

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Reads the next line without its line end. The span points into a buffer reused by the next call.
    /// Returns false at the end of the input.
    /// </summary>
    /// <exception cref="DataFormatException">The line is not valid UTF-8.</exception>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        var input = _input;
        if (!_started)
        {
            // Before looking for lines: a file that is only a byte-order mark has none, as an empty file.
            _started = true;
            input.SkipByteOrderMark();
        }
        int scanFrom = input.Start;
        int newline;
        while ((newline = input.Bytes.AsSpan(scanFrom, input.End - scanFrom).IndexOf((byte)'\n')) < 0)
        {
            if (input.Ended)
            {
                if (input.Start == input.End) { line = default; return false; }
                line = Decode(input.Start, input.End - input.Start);
                input.Start = input.End;
                return true;
            }
            int scanned = input.End - input.Start;
            input.Fill();
            scanFrom = input.Start + scanned;
        }
        newline += scanFrom;
        int length = newline - input.Start;
        if (length > 0 && input.Bytes[newline - 1] == (byte)'\r') length--;
        line = Decode(input.Start, length);
        input.Start = newline + 1;
        return true;
    }

    /// <summary>The next line as a new string, or null at the end of the input.</summary>
    public string? ReadLine() => TryReadLine(out var line) ? new string(line) : null;

    /// <summary>Enumerates the lines of <paramref name="path"/> as strings, streaming (gzip transparent, strict UTF-8).</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line)) yield return new string(line);
    }

    /// <summary>An exception for the line last returned: <c>file:line: message</c>.</summary>
    public DataFormatException Error(string message) => new(Source, LineNumber, message);

    /// <inheritdoc />
    public void Dispose() => _input.Dispose();

    private ReadOnlySpan<char> Decode(int offset, int count)
    {
        LineNumber++;
        var bytes = _input.Bytes.AsSpan(offset, count);
        if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        // UTF-16 never needs more code units than the UTF-8 bytes it came from.
        var status = Utf8.ToUtf16(bytes, _chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
            throw Error($"invalid UTF-8 at byte {read + 1} of the line (0x{bytes[read]:X2})");
        return _chars.AsSpan(0, written);
    }
}
