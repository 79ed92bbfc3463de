using System.Text.Json;
using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>
/// Reads the objects of a JSON lines file one at a time for <see cref="RecordFile"/>, in bounded memory: the bytes
/// of one object at a time are parsed (<see cref="JsonDocument.TryParseValue"/> on a buffer that grows only for an
/// object larger than it). Beyond strict JSON lines it takes what users' ".json" files hold: objects spread over
/// several lines (pretty-printed), blank lines, and one top-level array of objects (pandas' <c>to_json(orient=
/// "records")</c>). Anything else — a value that is not an object, invalid JSON — is a
/// <see cref="DataFormatException"/> with the line.
/// </summary>
internal sealed class JsonRecordParser : IDisposable
{
    private readonly Utf8Input _input;
    private long _line = 1;        // line of the first unread byte
    private bool _markSkipped;     // the byte-order mark check, done before the first value
    private bool _started, _inArray, _arrayClosed, _needComma;

    /// <summary>Opens <paramref name="path"/> (gzip transparent).</summary>
    public JsonRecordParser(string path) => _input = new Utf8Input(path);

    /// <summary>Name of the input in messages.</summary>
    public string Source => _input.Source;

    /// <summary>The next object (the caller disposes it), or null at the end; <paramref name="line"/> is where it starts.</summary>
    /// <exception cref="DataFormatException">Invalid JSON or a value that is not an object.</exception>
    public JsonDocument? Next(out long line)
    {
        var input = _input;
        if (!_markSkipped)
        {
            _markSkipped = true;
            input.SkipByteOrderMark();
        }
        while (true)
        {
            SkipWhiteSpace();
            line = _line;
            if (input.Start == input.End)
            {
                if (_inArray && !_arrayClosed) throw new DataFormatException(Source, _line, "the file ends inside the top-level array (no closing ']')");
                return null;
            }
            byte b = input.Bytes[input.Start];
            if (_arrayClosed) throw new DataFormatException(Source, _line, $"{Describe(b)} after the closing ']' of the top-level array");
            if (!_started && b == '[')
            {
                _started = _inArray = true;
                input.Start++;
                continue;
            }
            _started = true;
            if (_inArray && b == ']') { _arrayClosed = true; input.Start++; continue; }
            if (_needComma)
            {
                if (b != ',') throw new DataFormatException(Source, _line, $"expected ',' or ']' after an object of the top-level array, got {Describe(b)}");
                _needComma = false;
                input.Start++;
                continue;
            }
            if (b != '{') throw new DataFormatException(Source, _line, $"expected a JSON object ('{{'), got {Describe(b)}");
            var document = ParseObject();
            _needComma = _inArray;
            return document;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _input.Dispose();

    private JsonDocument ParseObject()
    {
        var input = _input;
        while (true)
        {
            var reader = new Utf8JsonReader(input.Unread, isFinalBlock: input.Ended, state: default);
            JsonDocument? document;
            try
            {
                if (!JsonDocument.TryParseValue(ref reader, out document)) document = null;
            }
            catch (JsonException e)
            {
                throw Invalid(e);
            }
            if (document is not null)
            {
                int consumed = (int)reader.BytesConsumed;
                _line += input.Bytes.AsSpan(input.Start, consumed).Count((byte)'\n');
                input.Start += consumed;
                return document;
            }
            // The object goes on past the bytes read so far: read more (the buffer grows when they fill it).
            input.Fill(input.End - input.Start + 1);
        }
    }

    // The reader counts lines from the object's start and ends its message with that relative place, which would
    // mislead: the message gets the file's line instead, or the object's line when the file ends inside it.
    private DataFormatException Invalid(JsonException e)
    {
        var unread = _input.Unread;
        long line = e.LineNumber ?? 0;
        int lastLine = unread.LastIndexOf((byte)'\n') + 1;
        if (_input.Ended && line == unread.Count((byte)'\n') && e.BytePositionInLine >= unread.Length - lastLine)
            return new DataFormatException(Source, _line, "the file ends inside this JSON object", e);
        string message = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal) is int cut and >= 0 ? e.Message[..cut] : e.Message;
        return new DataFormatException(Source, _line + line, $"invalid JSON: {message}", e);
    }

    private void SkipWhiteSpace()
    {
        var input = _input;
        while (true)
        {
            if (input.Start == input.End)
            {
                if (input.Ended) return;
                input.Fill();
                continue;
            }
            byte b = input.Bytes[input.Start];
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return;
            if (b == '\n') _line++;
            input.Start++;
        }
    }

    private static string Describe(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";
}
