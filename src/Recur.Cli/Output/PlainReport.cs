namespace Recur.Cli.Output;

/// <summary>A <see cref="Report"/> as plain text: no escape codes, tables as padded columns under a dashed rule.</summary>
internal sealed class PlainReport(TextWriter output) : Report
{
    public override char BarChar => '#';

    public override void Heading(string title)
    {
        output.WriteLine();
        output.WriteLine(title);
    }

    public override void Line(string text = "", Tone tone = Tone.Normal) => output.WriteLine(text);

    public override void Facts(IEnumerable<(string Key, Cell Value)> facts)
    {
        var list = facts.ToList();
        if (list.Count == 0) return;
        int width = list.Max(f => f.Key.Length) + 1;
        foreach (var (key, value) in list) output.WriteLine($"  {(key + ":").PadRight(width)} {value.Text}");
    }

    public override void Table(IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows)
    {
        var cells = rows.ToList();
        var widths = ColumnWidths(columns, cells);
        string Format(Func<int, string> text) =>
            "  " + string.Join("  ", columns.Select((c, i) => c.RightAligned ? text(i).PadLeft(widths[i]) : text(i).PadRight(widths[i]))).TrimEnd();
        output.WriteLine(Format(i => columns[i].Header));
        output.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells) output.WriteLine(Format(i => row[i].Text));
    }
}
