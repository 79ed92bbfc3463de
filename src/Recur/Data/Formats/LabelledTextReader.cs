using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>
/// Reads labelled texts from CSV/TSV (text and label columns), JSON lines (text and label fields) or any
/// <see cref="RecordFile"/>. Empty texts or labels are errors with file and line.
/// </summary>
public static class LabelledTextReader
{
    /// <summary>Reads a delimited file with a header, taking the text and label from the named columns.</summary>
    public static List<LabelledText> ReadDelimited(string path, string textColumn, string labelColumn, DelimitedOptions? options = null)
    {
        options ??= DelimitedOptions.Csv;
        if (!options.HasHeader) throw new ArgumentException("columns are named, so the file needs a header (HasHeader = true); use the index overload otherwise", nameof(options));
        var file = DelimitedFile.Read(path, options);
        return Collect(file, file.Column(textColumn), file.Column(labelColumn));
    }

    /// <summary>Reads a delimited file, taking the text and label from columns by index.</summary>
    public static List<LabelledText> ReadDelimited(string path, int textColumn, int labelColumn, DelimitedOptions? options = null)
    {
        var file = DelimitedFile.Read(path, options);
        return Collect(file, textColumn, labelColumn);
    }

    /// <summary>
    /// Reads JSON lines (<see cref="RecordFile"/>: also pretty-printed objects or a top-level array, gzip, blank
    /// lines) with a text field <paramref name="textField"/> and a label field (string, number or boolean; numbers
    /// keep their JSON spelling, e.g. "1"), found as <see cref="RecordFile.Column"/> finds names.
    /// </summary>
    /// <exception cref="DataFormatException">A field is not among the first object's keys, or a text or label is empty, missing or nested (file and line).</exception>
    public static List<LabelledText> ReadJsonLines(string path, string textField = "text", string labelField = "label")
    {
        var file = RecordFile.Open(path, RecordFormat.JsonLines);
        return [.. Read(file, file.Column(textField), file.Column(labelField))];
    }

    /// <summary>
    /// Streams the labelled texts of <paramref name="file"/> from the given columns (see <see cref="TextColumns"/>
    /// to choose them), each with its record's line. A text that is empty or only white space, or a label that is
    /// empty or missing, is an error naming the file, line and column.
    /// </summary>
    public static IEnumerable<LabelledText> Read(RecordFile file, int textColumn, int labelColumn)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(textColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(textColumn, file.Columns.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(labelColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(labelColumn, file.Columns.Count);
        return ReadRecords(file, textColumn, labelColumn);
    }

    private static IEnumerable<LabelledText> ReadRecords(RecordFile file, int textColumn, int labelColumn)
    {
        foreach (var record in file.Read())
        {
            string? text = record[textColumn], label = record[labelColumn];
            if (string.IsNullOrWhiteSpace(text))
                throw new DataFormatException(file.Source, record.Line, $"the text (column \"{file.Columns[textColumn]}\") is {(text is null ? "missing" : "empty")}");
            if (string.IsNullOrEmpty(label))
                throw new DataFormatException(file.Source, record.Line, $"the label (column \"{file.Columns[labelColumn]}\") is {(label is null ? "missing" : "empty (a missing value)")}");
            yield return new LabelledText(text, label, record.Line);
        }
    }

    private static List<LabelledText> Collect(DelimitedFile file, int textColumn, int labelColumn)
    {
        var result = new List<LabelledText>(file.Rows.Count);
        foreach (var row in file.Rows)
        {
            if ((uint)textColumn >= (uint)row.Fields.Length || (uint)labelColumn >= (uint)row.Fields.Length)
                throw new DataFormatException(file.Source, row.Line, $"columns {textColumn} and {labelColumn} requested, the record has {row.Fields.Length} fields");
            string text = row.Fields[textColumn], label = row.Fields[labelColumn];
            if (text.Length == 0) throw new DataFormatException(file.Source, row.Line, $"the text (column {Name(file, textColumn)}) is empty");
            if (label.Length == 0) throw new DataFormatException(file.Source, row.Line, $"the label (column {Name(file, labelColumn)}) is empty (a missing value)");
            result.Add(new LabelledText(text, label, row.Line));
        }
        return result;
    }

    private static string Name(DelimitedFile file, int column) => file.Header is { } h ? $"\"{h[column]}\"" : column.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
