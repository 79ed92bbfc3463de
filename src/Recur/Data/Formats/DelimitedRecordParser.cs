using System.Text;
using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>
/// Splits CSV or TSV lines into fields for <see cref="RecordFile"/>, reading users' files as they come: RFC 4180
/// files written by spreadsheets and pandas (quoted fields holding delimiters, doubled quotes and line breaks) and
/// plain exports whose texts hold bare quotes (<c>5" screen</c>, <c>"Great" movie</c>, or a text opening with a
/// quote that never closes, as in the bundled sentiment sentences).
/// <para>
/// The rule: a field is quoted only when it starts with '"'; a '"' anywhere else is literal. A quoted field ends at
/// a '"' followed by the delimiter or the end of the line, and <c>""</c> inside it is one quote. A field whose quote
/// is followed by other text (<c>"Great" movie</c>) is read literally, up to the next delimiter.
/// </para>
/// <para>
/// When a line ends inside a quoted field, the field either holds a line break or its opening quote was only text.
/// If the line read literally has the header's field count, the quoted reading must prove itself: it is taken only
/// when the field closes properly within <see cref="LookaheadLines"/> lines and the record then has the header's
/// count; otherwise the line is read literally and the lines looked at are read again as records of their own.
/// If the literal reading does not fit, the field goes on until it closes, and a bad close or the end of the file is
/// a <see cref="DataFormatException"/> pointing at the quote. The header's fields never span lines.
/// </para>
/// Blank lines between records are skipped; a line break inside a quoted field is kept as "\n" (CRLF or LF).
/// </summary>
internal sealed class DelimitedRecordParser : IDisposable
{
    // How far a quoted reading may look ahead when the literal reading of its first line also fits.
    internal const int LookaheadLines = 1000, LookaheadChars = 1 << 20;

    // A quoted field spanning lines stops at this many characters: a quote left open by mistake in a large file
    // must fail with its place, not buffer the rest of the file.
    internal const int MaxQuotedFieldLength = 1 << 24;

    private readonly Utf8LineReader _lines;
    private readonly char _delimiter;
    private readonly List<string> _fields = [];
    private readonly StringBuilder _quoted = new();
    private readonly List<(string Text, long Number)> _pushedBack = []; // lines to read again, the next one last

    /// <summary>Reads lines from <paramref name="lines"/> (which it disposes), fields separated by <paramref name="delimiter"/>.</summary>
    public DelimitedRecordParser(Utf8LineReader lines, char delimiter)
    {
        _lines = lines;
        _delimiter = delimiter;
    }

    /// <summary>Name of the input in messages.</summary>
    public string Source => _lines.Source;

    /// <summary>
    /// The fields of the next record, or null at the end of the input. <paramref name="expectedFields"/> is the
    /// header's field count (or -1 while reading the header) and decides between the readings of a line that ends
    /// inside a quoted field (see the class summary). <paramref name="line"/> is the line the record starts on.
    /// </summary>
    /// <exception cref="DataFormatException">A quoted field spanning lines is not closed properly.</exception>
    public string[]? Next(int expectedFields, out long line)
    {
        ReadOnlySpan<char> text;
        do
        {
            if (!NextLine(out text, out line)) return null;
        } while (IsBlank(text));
        _fields.Clear();
        int open = ParseFields(text, 0);
        if (open < 0) return [.. _fields];

        string first = new(text); // the span is overwritten by the next line read
        int before = _fields.Count;
        ParseFields(first, open, literalFirst: true, allowOpen: false);
        if (expectedFields < 0) return [.. _fields];
        string[]? literal = _fields.Count == expectedFields ? [.. _fields] : null;
        _fields.RemoveRange(before, _fields.Count - before);
        _quoted.Clear();
        ScanQuoted(first, open + 1); // again: the literal reading reused the buffer
        if (literal is null)
        {
            ContinueQuoted(line, open + 1, consumed: null);
            return [.. _fields];
        }
        var consumed = new List<(string, long)>();
        if (ContinueQuoted(line, open + 1, consumed) && _fields.Count == expectedFields) return [.. _fields];
        for (int i = consumed.Count - 1; i >= 0; i--) _pushedBack.Add(consumed[i]);
        return literal;
    }

    /// <inheritdoc />
    public void Dispose() => _lines.Dispose();

    private bool NextLine(out ReadOnlySpan<char> text, out long number)
    {
        if (_pushedBack.Count > 0)
        {
            (string pushed, number) = _pushedBack[^1];
            _pushedBack.RemoveAt(_pushedBack.Count - 1);
            text = pushed;
            return true;
        }
        bool read = _lines.TryReadLine(out text);
        number = _lines.LineNumber;
        return read;
    }

    private bool IsBlank(ReadOnlySpan<char> text) => text.IsWhiteSpace() && !text.Contains(_delimiter);

    // Adds the fields of text[start..] to _fields. Returns -1 when all of them end on this line, or the position of
    // the opening quote of a field still open at the line's end (its content so far in _quoted; with allowOpen
    // false such a field is read literally instead). With literalFirst the first field is literal even if quoted.
    private int ParseFields(ReadOnlySpan<char> text, int start, bool literalFirst = false, bool allowOpen = true)
    {
        int pos = start;
        while (true)
        {
            bool quoted = pos < text.Length && text[pos] == '"' && !(literalFirst && pos == start);
            if (quoted)
            {
                _quoted.Clear();
                int end = ScanQuoted(text, pos + 1);
                if (end == text.Length + 1 && allowOpen) return pos;
                if (end >= 0 && end <= text.Length)
                {
                    _fields.Add(_quoted.ToString());
                    pos = end;
                    if (pos == text.Length) return -1;
                    pos++; // the delimiter
                    continue;
                }
            }
            int stop = text[pos..].IndexOf(_delimiter);
            if (stop < 0)
            {
                _fields.Add(new string(text[pos..]));
                return -1;
            }
            _fields.Add(new string(text.Slice(pos, stop)));
            pos += stop + 1;
        }
    }

    // Scans a quoted field's content from text[from], appending it unescaped to _quoted. Returns the position after
    // the closing quote (the delimiter or text.Length), text.Length + 1 when the line ends inside the field, or the
    // complement (~position, negative) of a quote followed by other text.
    private int ScanQuoted(ReadOnlySpan<char> text, int from)
    {
        int pos = from;
        while (true)
        {
            int quote = text[pos..].IndexOf('"');
            if (quote < 0)
            {
                _quoted.Append(text[pos..]);
                return text.Length + 1;
            }
            _quoted.Append(text.Slice(pos, quote));
            pos += quote + 1;
            if (pos < text.Length && text[pos] == '"')
            {
                _quoted.Append('"');
                pos++;
                continue;
            }
            if (pos == text.Length || text[pos] == _delimiter) return pos;
            return ~(pos - 1);
        }
    }

    // Reads the lines that continue the quoted field opened at openColumn (1-based) of line start, whose content so
    // far is in _quoted, until its closing quote, and adds the field and the rest of that line's fields (a field
    // opened again at its end goes on the same way). A tentative reading passes `consumed`, which gets the lines
    // read, and returns false where it gives up (a bad close, the end of the file, past the lookahead); otherwise
    // those are errors.
    private bool ContinueQuoted(long start, int openColumn, List<(string, long)>? consumed)
    {
        while (true)
        {
            if (!NextLine(out var text, out long number))
            {
                if (consumed is not null) return false;
                throw new DataFormatException(Source, start, openColumn, "the quoted field opened here is not closed by the end of the file");
            }
            if (consumed is not null)
            {
                consumed.Add((new string(text), number));
                if (consumed.Count > LookaheadLines || _quoted.Length > LookaheadChars) return false;
            }
            _quoted.Append('\n');
            if (_quoted.Length > MaxQuotedFieldLength)
                throw new DataFormatException(Source, start, openColumn, $"the quoted field opened here is still open after {MaxQuotedFieldLength:N0} characters (line {number}); is a closing quote missing?");
            int end = ScanQuoted(text, 0);
            if (end == text.Length + 1) continue;
            if (end < 0)
            {
                if (consumed is not null) return false;
                throw new DataFormatException(Source, number, ~end + 1,
                    $"the quoted field opened at line {start} column {openColumn} has a quote followed by other text (a quote inside a quoted field is written \"\")");
            }
            _fields.Add(_quoted.ToString());
            int open = end == text.Length ? -1 : ParseFields(text, end + 1);
            if (open < 0) return true;
            start = number;
            openColumn = open + 1;
        }
    }
}
