using System.Text.Json;
using Recur.Data.Files;
using Recur.Data.Text;

namespace Recur.Data.Formats;

/// <summary>
/// A table of records in a user's file — CSV, TSV or JSON lines, any of them gzip-compressed (recognised by its
/// magic bytes), UTF-8 with or without a byte-order mark, CRLF or LF line ends — read as a stream:
/// <see cref="Read"/> holds one record at a time, so a file of any size reads in bounded memory, and can be called
/// again (each call reopens the file).
/// <para>
/// CSV and TSV files need a header line, which names the <see cref="Columns"/>. Fields may be quoted as RFC 4180
/// says (delimiters, <c>""</c> and line breaks inside quotes, as spreadsheets and pandas write them), and quotes that
/// are just text (<c>5" screen</c>, <c>"Great" movie</c>, an opening quote never closed) are read as text: a field is
/// quoted only when it starts with a quote that closes properly, and a line whose fields come out right when read
/// literally is never merged with the next. Blank lines are skipped wherever they are. A record with another number
/// of fields than the header is a <see cref="DataFormatException"/>
/// (<c>file:line: expected 3 fields (as in the header), got 2</c>).
/// </para>
/// <para>
/// In JSON lines, the columns are the keys of the first object, in order; a later object may leave keys out (their
/// values are missing: null) or have others (ignored). Pretty-printed objects and one top-level array of objects
/// (the ".json" that pandas and many tools write) read the same way.
/// </para>
/// <para>
/// An empty file, or one with a header but no records, opens without error: <see cref="HasRecords"/> tells, and the
/// caller decides whether that is an error (it is for training, perhaps not for a listing).
/// </para>
/// </summary>
public sealed class RecordFile
{
    private readonly Dictionary<string, int>? _jsonKeys;

    private RecordFile(string path, RecordFormat format, string[] columns, long headerLine, bool hasRecords, bool normalize)
    {
        Path = path;
        Source = DataFile.DisplayName(path);
        Format = format;
        Columns = columns;
        HeaderLine = headerLine;
        HasRecords = hasRecords;
        Normalize = normalize;
        if (format == RecordFormat.JsonLines)
        {
            _jsonKeys = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < columns.Length; i++) _jsonKeys[columns[i]] = i;
        }
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The file's name, as messages give it.</summary>
    public string Source { get; }

    /// <summary>The layout the file is read as.</summary>
    public RecordFormat Format { get; }

    /// <summary>The column names: the header's fields (CSV, TSV) or the first object's keys (JSON lines); empty for an empty file.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Whether at least one record follows the header (CSV, TSV) or there is at least one object (JSON lines).</summary>
    public bool HasRecords { get; }

    /// <summary>Whether values (and column names) are normalised to NFC (<see cref="UnicodeNormalization.ToNfc"/>).</summary>
    public bool Normalize { get; }

    // Line of the header (or first object), for messages about columns; 0 when the file is empty.
    private long HeaderLine { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header (CSV, TSV) or first object (JSON lines).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its layout, or null to detect it (<see cref="DetectFormat"/>).</param>
    /// <param name="normalize">Normalise every value and column name to NFC, so that precomposed and decomposed
    /// spellings of a character ("é" as one code point or as "e" and a combining accent) read the same.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The header or the first record is malformed.</exception>
    public static RecordFile Open(string path, RecordFormat? format = null, bool normalize = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = format ?? DetectFormat(path);
        if (layout == RecordFormat.JsonLines)
        {
            using var json = new JsonRecordParser(path);
            using var first = json.Next(out long line);
            string[] keys = first is null ? [] : Keys(first, normalize);
            return new RecordFile(path, layout, keys, first is null ? 0 : line, first is not null, normalize);
        }
        using var parser = OpenDelimited(path, layout);
        var header = parser.Next(-1, out long headerLine);
        if (header is null) return new RecordFile(path, layout, [], 0, false, normalize);
        if (normalize) NormalizeAll(header);
        bool hasRecords = parser.Next(header.Length, out _) is not null;
        return new RecordFile(path, layout, header, headerLine, hasRecords, normalize);
    }

    /// <summary>
    /// The layout of <paramref name="path"/>: by extension, ignoring a trailing ".gz" (".csv"; ".tsv" or ".tab";
    /// ".jsonl", ".ndjson" or ".json"), otherwise by the first non-blank line: JSON lines when it starts with '{' or
    /// '[', TSV when it has a tab and no more commas than tabs, CSV otherwise (also for an empty file).
    /// </summary>
    public static RecordFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        switch (System.IO.Path.GetExtension(name).ToLowerInvariant())
        {
            case ".csv": return RecordFormat.Csv;
            case ".tsv" or ".tab": return RecordFormat.Tsv;
            case ".jsonl" or ".ndjson" or ".json": return RecordFormat.JsonLines;
        }
        using var lines = new Utf8LineReader(path);
        while (lines.TryReadLine(out var line))
        {
            var text = line.Trim();
            if (text.IsEmpty) continue;
            if (text[0] is '{' or '[') return RecordFormat.JsonLines;
            int tabs = line.Count('\t'); // untrimmed: an empty first or last field is still a field
            return tabs > 0 && tabs >= line.Count(',') ? RecordFormat.Tsv : RecordFormat.Csv;
        }
        return RecordFormat.Csv;
    }

    /// <summary>
    /// Streams the records after the header, each with the line it starts on. Each enumeration reopens the file;
    /// stopping early (e.g. <c>Take(200)</c>) closes it.
    /// </summary>
    /// <exception cref="DataFormatException">A malformed record (message: <c>file:line: ...</c>), invalid UTF-8, or a damaged gzip file.</exception>
    public IEnumerable<Record> Read() => Format == RecordFormat.JsonLines ? ReadJson() : ReadDelimited();

    /// <summary>
    /// Index of the column called <paramref name="name"/>: the exact name first, otherwise the one name that
    /// matches ignoring case and surrounding white space ("Text " for "text").
    /// </summary>
    /// <exception cref="DataFormatException">No column, or several, match; the message lists the columns.</exception>
    public int Column(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryColumn(name, out int index)) return index;
        var similar = Columns.Where(c => Same(c, name)).ToList();
        if (similar.Count > 1)
            throw new DataFormatException(Source, HeaderLine, $"column \"{name}\" is ambiguous: {ListColumns(similar)} differ only in case or spaces");
        throw new DataFormatException(Source, HeaderLine, Columns.Count == 0
            ? $"no column \"{name}\": the file is empty"
            : $"no column \"{name}\"; the columns are {ListColumns(Columns)}");
    }

    /// <summary>Like <see cref="Column"/>, without throwing: false when no column or several match.</summary>
    public bool TryColumn(string name, out int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (index = 0; index < Columns.Count; index++)
            if (Columns[index] == name) return true;
        index = -1;
        for (int i = 0; i < Columns.Count; i++)
        {
            if (!Same(Columns[i], name)) continue;
            if (index >= 0) { index = -1; return false; }
            index = i;
        }
        return index >= 0;
    }

    /// <summary>The names quoted and separated by commas, for messages: <c>"text", "label"</c>.</summary>
    internal static string ListColumns(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    /// <summary>Whether a column is called <paramref name="name"/> ignoring case and surrounding white space.</summary>
    internal static bool Same(string column, string name) => column.AsSpan().Trim().Equals(name.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

    private static DelimitedRecordParser OpenDelimited(string path, RecordFormat format)
        => new(new Utf8LineReader(path), format == RecordFormat.Tsv ? '\t' : ',');

    private IEnumerable<Record> ReadDelimited()
    {
        using var parser = OpenDelimited(Path, Format);
        if (parser.Next(-1, out _) is null) yield break;
        int expected = Columns.Count;
        while (parser.Next(expected, out long line) is { } fields)
        {
            if (fields.Length != expected)
                throw new DataFormatException(Source, line, $"expected {expected} fields (as in the header), got {fields.Length}");
            if (Normalize) NormalizeAll(fields);
            yield return new Record(this, fields, line);
        }
    }

    private IEnumerable<Record> ReadJson()
    {
        using var parser = new JsonRecordParser(Path);
        while (true)
        {
            using var document = parser.Next(out long line);
            if (document is null) yield break;
            yield return ToRecord(document.RootElement, line);
        }
    }

    private Record ToRecord(JsonElement root, long line)
    {
        var values = new string?[Columns.Count];
        string?[]? nested = null;
        foreach (var property in root.EnumerateObject())
        {
            string key = Normalize ? UnicodeNormalization.ToNfc(property.Name) : property.Name;
            if (!_jsonKeys!.TryGetValue(key, out int column)) continue; // a key the first object lacks
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    values[column] = Normalize ? UnicodeNormalization.ToNfc(value.GetString()!) : value.GetString();
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    values[column] = value.GetRawText();
                    break;
                case JsonValueKind.Null:
                    values[column] = null;
                    break;
                default:
                    (nested ??= new string?[values.Length])[column] = value.ValueKind == JsonValueKind.Array ? "an array" : "an object";
                    break;
            }
        }
        return new Record(this, values, line, nested);
    }

    // The first object's keys in order, each once (a repeated key is one column).
    private static string[] Keys(JsonDocument first, bool normalize)
    {
        var keys = new List<string>();
        foreach (var property in first.RootElement.EnumerateObject())
        {
            string key = normalize ? UnicodeNormalization.ToNfc(property.Name) : property.Name;
            if (!keys.Contains(key)) keys.Add(key);
        }
        return [.. keys];
    }

    private static void NormalizeAll(string[] values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = UnicodeNormalization.ToNfc(values[i]);
    }
}
