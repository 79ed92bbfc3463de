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
/// a '"' followed by the delimiter or the end of the line, and <c>""</c> inside it is one quote. When the quote
/// cannot be closed that way on the line — a quote followed by other text (<c>"Great" movie</c>) — the field is read
/// literally instead, up to the next delimiter. When the line ends inside the quoted field, the field either spans
/// lines (a quoted line break) or its opening quote was just text: the line is read literally when that gives the
/// expected field count (the header's), and the quoted field goes on to the next lines otherwise. So an opening
/// quote never swallows the lines after it in a file whose lines are whole records.
/// </para>
/// Blank lines between records are skipped; a line break inside a quoted field is kept as "\n" (CRLF or LF).
/// </summary>
internal sealed class DelimitedRecordParser : IDisposable
{
    // A quoted field spanning lines stops at this many characters: a quote left open by mistake in a large file
    // must fail with its place, not buffer the rest of the file.
    internal const int MaxQuotedFieldLength = 1 << 24;

    private readonly Utf8LineReader _lines;
    private readonly char _delimiter;
    private readonly List<string> _fields = [];
    private readonly StringBuilder _quoted = new();

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
    /// header's field count (or -1 while reading the header, whose fields never span lines) and decides between the
    /// readings of a line that ends inside a quoted field (see the class summary). <paramref name="line"/> is the
    /// line the record starts on.
    /// </summary>
    /// <exception cref="DataFormatException">A quoted field spanning lines is not closed properly.</exception>
    public string[]? Next(int expectedFields, out long line)
    {
        ReadOnlySpan<char> text;
        do
        {
            if (!_lines.TryReadLine(out text)) { line = 0; return null; }
        } while (IsBlank(text));
        line = _lines.LineNumber;
        _fields.Clear();
        int open = ParseFields(text, 0);
        while (open >= 0)
        {
            int before = _fields.Count;
            ParseFields(text, open, literalFirst: true, allowOpen: false);
            if (expectedFields < 0 || _fields.Count == expectedFields) break; // the quote was text
            _fields.RemoveRange(before, _fields.Count - before);
            _quoted.Clear();
            ScanQuoted(text, open + 1); // again: the literal reading reused the buffer
            open = ContinueQuoted(line, open + 1, out text);
        }
        return [.. _fields];
    }

    /// <inheritdoc />
    public void Dispose() => _lines.Dispose();

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

    // Reads the lines that continue the quoted field opened at openColumn (1-based) of line start until its closing
    // quote, adds the field and the rest of that line's fields, and returns as ParseFields does; text is the line
    // the record now ends on.
    private int ContinueQuoted(long start, int openColumn, out ReadOnlySpan<char> text)
    {
        while (true)
        {
            if (!_lines.TryReadLine(out text))
                throw new DataFormatException(Source, start, openColumn, "the quoted field opened here is not closed by the end of the file");
            _quoted.Append('\n');
            if (_quoted.Length > MaxQuotedFieldLength)
                throw new DataFormatException(Source, start, openColumn, $"the quoted field opened here is still open after {MaxQuotedFieldLength:N0} characters (line {_lines.LineNumber}); is a closing quote missing?");
            int end = ScanQuoted(text, 0);
            if (end == text.Length + 1) continue;
            if (end < 0)
                throw new DataFormatException(Source, _lines.LineNumber, ~end + 1,
                    $"the quoted field opened at line {start} column {openColumn} has a quote followed by other text (a quote inside a quoted field is written \"\")");
            _fields.Add(_quoted.ToString());
            return end == text.Length ? -1 : ParseFields(text, end + 1);
        }
    }
}
