using Recur.Data.Files;
using System.Text.Json;

namespace Recur.Data.Formats;

/// <summary>Reads labelled texts from CSV/TSV (text and label columns) and JSON lines (text and label fields). Empty texts or labels are errors with file and line.</summary>
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
    /// Reads JSON lines: one object per line, with a string field <paramref name="textField"/> and a label field
    /// (string, number or boolean; numbers keep their JSON spelling, e.g. "1").
    /// </summary>
    public static List<LabelledText> ReadJsonLines(string path, string textField = "text", string labelField = "label")
    {
        var result = new List<LabelledText>();
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace()) throw reader.Error("empty line (JSON lines need one object per line)");
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line.ToString()); }
            catch (JsonException e) { throw reader.Error($"invalid JSON: {e.Message}"); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw reader.Error($"expected a JSON object, got {doc.RootElement.ValueKind}");
                string text = Field(doc.RootElement, textField, reader, allowScalar: false);
                string label = Field(doc.RootElement, labelField, reader, allowScalar: true);
                if (text.Length == 0) throw reader.Error($"\"{textField}\" is empty");
                result.Add(new LabelledText(text, label, reader.LineNumber));
            }
        }
        return result;
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

    private static string Field(JsonElement root, string name, Utf8LineReader reader, bool allowScalar)
    {
        if (!root.TryGetProperty(name, out var value)) throw reader.Error($"missing field \"{name}\"");
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False when allowScalar => value.GetRawText(),
            _ => throw reader.Error($"field \"{name}\" is {value.ValueKind}, expected {(allowScalar ? "a string, number or boolean" : "a string")}"),
        };
    }
}
