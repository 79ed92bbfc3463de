using CsvHelper;
using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>One record of a delimited file with the 1-based line it starts on.</summary>
/// <param name="Fields">The field values.</param>
/// <param name="Line">Line number in the file (for messages).</param>
public readonly record struct DelimitedRow(string[] Fields, long Line);

/// <summary>
/// A CSV or TSV file parsed with CsvHelper (quoting, embedded delimiters and newlines handled by the parser, not
/// a string split), decoded as strict UTF-8 (gzip transparent). Every record must have as many fields as the
/// header (or the first record): a ragged row is a <see cref="DataFormatException"/> naming file, line and counts.
/// </summary>
public sealed class DelimitedFile
{
    private DelimitedFile(string source, string[]? header, List<DelimitedRow> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
    }

    /// <summary>File name used in messages.</summary>
    public string Source { get; }

    /// <summary>Column names, or null without a header.</summary>
    public string[]? Header { get; }

    /// <summary>The records after the header.</summary>
    public IReadOnlyList<DelimitedRow> Rows { get; }

    /// <summary>Reads the whole file.</summary>
    public static DelimitedFile Read(string path, DelimitedOptions? options = null)
    {
        string[]? header = null;
        var rows = Enumerate(path, options, h => header = h).ToList();
        return new DelimitedFile(DataFile.DisplayName(path), header, rows);
    }

    /// <summary>
    /// Streams the records of <paramref name="path"/>; <paramref name="onHeader"/> receives the header first
    /// (when the options say there is one).
    /// </summary>
    public static IEnumerable<DelimitedRow> Enumerate(string path, DelimitedOptions? options = null, Action<string[]>? onHeader = null)
    {
        options ??= DelimitedOptions.Csv;
        string source = DataFile.DisplayName(path);
        var csvOptions = new CsvReaderOptions
        {
            Separator = options.Delimiter,
            HasHeader = false, // the header is checked like any record, then handed to onHeader
            Mode = options.Quoting ? CsvMode.Rfc4180 : CsvMode.NoEscape,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow, // checked below, for a message with both counts
            SkipEmptyLines = false,
            TrackLineNumbers = true,
        };
        // The strict line reader decodes UTF-8 (gzip transparent) and reports invalid bytes with their line.
        using var csv = CsvReader.Create(DataFile.OpenText(path), csvOptions, leaveOpen: false);
        int expected = -1;
        bool first = true;
        while (true)
        {
            try
            {
                if (!csv.Read()) break;
            }
            catch (CsvFormatException e)
            {
                throw new DataFormatException(source, e.LineNumber, e.Message, e);
            }
            long line = csv.LineNumber;
            int count = csv.FieldCount;
            if (count <= 1 && csv.RawRecord.Length == 0)
                throw new DataFormatException(source, line, "empty line (a record with no fields)");
            if (expected < 0) expected = count;
            else if (count != expected)
                throw new DataFormatException(source, line, $"expected {expected} fields{(options.HasHeader ? " (as in the header)" : " (as in the first record)")}, got {count}");
            var fields = new string[count];
            for (int i = 0; i < count; i++) fields[i] = csv.GetString(i);
            if (first && options.HasHeader) { onHeader?.Invoke(fields); first = false; continue; }
            first = false;
            yield return new DelimitedRow(fields, line);
        }
        if (first && options.HasHeader) throw new DataFormatException(source, 0, "the file is empty (no header)");
    }

    /// <summary>Index of the column called <paramref name="name"/> (ordinal, case-sensitive).</summary>
    /// <exception cref="DataFormatException">No such column; the message lists the columns.</exception>
    public int Column(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Header is null) throw new InvalidOperationException($"{Source} has no header: address columns by index");
        int i = Array.IndexOf(Header, name);
        if (i < 0) throw new DataFormatException(Source, 1, $"no column \"{name}\"; the columns are {string.Join(", ", Header.Select(h => $"\"{h}\""))}");
        return i;
    }
}
