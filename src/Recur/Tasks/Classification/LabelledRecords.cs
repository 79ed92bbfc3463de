using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tasks.Classification;

/// <summary>Reads the labelled texts of a classification file (CSV, TSV or JSON lines, gzip or not).</summary>
public static class LabelledRecords
{
    /// <summary>
    /// Every record of <paramref name="path"/> as (text, label, line), the text and label taken from the named columns
    /// or, when a name is null, from the columns chosen as <see cref="TextColumns"/> describes. Returns the columns used.
    /// </summary>
    /// <exception cref="DataFormatException">An unknown column, a ragged row, an empty text or label, or no records; with file and line.</exception>
    public static (List<LabelledText> Records, ClassifierColumns Columns) Read(string path, RecordFormat? format, string? textColumn, string? labelColumn)
    {
        var file = RecordFile.Open(path, format);
        var (text, label) = ChooseColumns(file, textColumn, labelColumn);
        var records = new List<LabelledText>();
        foreach (var r in file.Read())
        {
            string? t = r[text], l = r[label];
            if (string.IsNullOrWhiteSpace(t)) throw new DataFormatException(file.Source, r.Line, $"the text (column \"{file.Columns[text]}\") is empty");
            if (string.IsNullOrWhiteSpace(l)) throw new DataFormatException(file.Source, r.Line, $"the label (column \"{file.Columns[label]}\") is empty (a missing value)");
            records.Add(new LabelledText(t, l.Trim(), r.Line));
        }
        if (records.Count == 0) throw new DataFormatException(file.Source, 0, "the file holds no records");
        return (records, new ClassifierColumns(file.Columns[text], file.Columns[label]));
    }

    /// <summary>The text and label columns: as named, else as <see cref="TextColumns"/> chooses them.</summary>
    internal static (int Text, int Label) ChooseColumns(RecordFile file, string? text, string? label)
    {
        var choice = TextColumns.Choose(file, text, label);
        return (choice.Text, choice.Label ?? throw new DataFormatException(file.Source, 1, $"no label column among {string.Join(", ", file.Columns.Select(c => $"\"{c}\""))}"));
    }
}
