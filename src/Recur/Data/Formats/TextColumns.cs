using System.Globalization;
using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>
/// Which columns of a user's file hold the text and the label of a text classification task, when the user does not
/// say: the names people give them first, then what the values look like in the first records (never the whole
/// file).
/// </summary>
public static class TextColumns
{
    /// <summary>Column names taken for the label, in order of preference (compared ignoring case and spaces).</summary>
    public static IReadOnlyList<string> LabelNames { get; } = ["label", "labels", "class", "category", "target", "sentiment", "y"];

    /// <summary>Column names taken for the text, in order of preference (compared ignoring case and spaces).</summary>
    public static IReadOnlyList<string> TextNames { get; } = ["text", "sentence", "review", "document", "content", "body", "comment", "message", "tweet", "title"];

    /// <summary>
    /// Chooses the text and label columns of <paramref name="file"/>.
    /// <list type="bullet">
    /// <item>Label: the column named <paramref name="label"/>; else one named like a label (<see cref="LabelNames"/>);
    /// else, when <paramref name="labelRequired"/>, the last column that is not the text. Without
    /// <paramref name="labelRequired"/> (input to predict) only a given or label-named column is taken, so that it
    /// is not mistaken for the text.</item>
    /// <item>Text: the column named <paramref name="text"/>; else one named like a text (<see cref="TextNames"/>);
    /// else the column other than the label whose values are longest on average over the first
    /// <paramref name="sampleRecords"/> records, leaving out columns whose values are all numbers (ids, scores). A
    /// file with a single column (and no label wanted) has it as the text.</item>
    /// </list>
    /// The text is chosen before a label taken by position, so that a file whose last column is the text (a label
    /// then the text) gets its first column as the label.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="text">The text column's name as the user gave it, or null to choose.</param>
    /// <param name="label">The label column's name as the user gave it, or null to choose.</param>
    /// <param name="labelRequired">Whether a label column is needed (training, evaluation).</param>
    /// <param name="sampleRecords">How many records at most to look at for the text column.</param>
    /// <exception cref="DataFormatException">A given name matches no column, or no suitable columns exist (an empty file, one column when a label is required, the same column for both).</exception>
    public static TextColumnChoice Choose(RecordFile file, string? text = null, string? label = null, bool labelRequired = true, int sampleRecords = 200)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRecords, 1);
        var columns = file.Columns;
        if (columns.Count == 0) throw new DataFormatException(file.Source, 0, "the file is empty: it has no columns");

        int? textIndex = text is null ? null : file.Column(text);
        int? labelIndex = label is null ? null : file.Column(label);
        string? textReason = text is null ? null : "given";
        string? labelReason = label is null ? null : "given";
        if (textIndex is { } t && t == labelIndex)
            throw new DataFormatException(file.Source, 0, $"the text and the label are the same column, \"{columns[t]}\"");

        if (labelIndex is null && ByName(file, LabelNames, exclude: textIndex) is { } named)
            (labelIndex, labelReason) = (named, "named like a label");

        if (labelIndex is null && labelRequired && columns.Count == 1) throw OneColumn(file);
        if (textIndex is null)
        {
            if (columns.Count == 1 && labelIndex is null)
                (textIndex, textReason) = (0, "the only column");
            else if (ByName(file, TextNames, exclude: labelIndex) is { } byName)
                (textIndex, textReason) = (byName, "named like a text");
            else
                (textIndex, textReason) = Longest(file, labelIndex, sampleRecords);
        }

        if (labelIndex is null && labelRequired)
        {
            int last = columns.Count - 1;
            if (last == textIndex) last--;
            (labelIndex, labelReason) = (last, "the last column other than the text");
        }
        return new TextColumnChoice(textIndex.Value, labelIndex, textReason!, labelReason);
    }

    // The column matching the first name of `names` that any column matches (ignoring case and surrounding spaces).
    private static int? ByName(RecordFile file, IReadOnlyList<string> names, int? exclude)
    {
        foreach (string name in names)
            for (int i = 0; i < file.Columns.Count; i++)
                if (i != exclude && RecordFile.Same(file.Columns[i], name)) return i;
        return null;
    }

    // The text by the values: the longest on average over the first records among the columns that are not the
    // label and not all numbers. (A label still to be chosen is then the last other column, whatever its place.)
    private static (int, string) Longest(RecordFile file, int? label, int sampleRecords)
    {
        int n = file.Columns.Count;
        var candidates = new bool[n];
        for (int i = 0; i < n; i++) candidates[i] = i != label;
        var length = new long[n];
        var numeric = new bool[n];
        Array.Fill(numeric, true);
        int records = 0;
        foreach (var record in file.Read().Take(sampleRecords))
        {
            records++;
            for (int i = 0; i < n; i++)
            {
                if (!candidates[i]) continue;
                if (record.IsNested(i)) { candidates[i] = false; continue; }
                string? value = record[i];
                if (string.IsNullOrWhiteSpace(value)) continue;
                length[i] += value.Length;
                numeric[i] &= double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            }
        }
        int best = -1;
        for (int i = 0; i < n; i++)
            if (candidates[i] && !(numeric[i] && length[i] > 0) && (best < 0 || length[i] > length[best])) best = i;
        if (best < 0)
            throw new DataFormatException(file.Source, 0, $"no column looks like text (all are numbers or used for the label); the columns are {RecordFile.ListColumns(file.Columns)}");
        if (records == 0) return (best, "the first column other than the label (there are no records to look at)");
        double mean = (double)length[best] / records;
        return (best, string.Create(CultureInfo.InvariantCulture, $"the longest values (mean {mean:0.#} characters over the first {records} records)"));
    }

    private static DataFormatException OneColumn(RecordFile file)
    {
        string only = file.Columns[0];
        string hint = file.Format != RecordFormat.JsonLines && only.IndexOfAny([',', ';', '\t', '|']) >= 0
            ? $" (is it separated by something other than {(file.Format == RecordFormat.Tsv ? "tabs" : "commas")}? its header reads \"{only}\")"
            : "";
        return new DataFormatException(file.Source, 0, $"the file has a single column, \"{only}\", so there is no label column{hint}");
    }
}
