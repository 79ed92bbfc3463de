namespace Recur.Cli.Output;

/// <summary>How a piece of output is coloured when colours are available (plain output ignores it).</summary>
internal enum Tone
{
    Normal,
    Dim,
    Accent,
    Good,
    Bad,
}

/// <summary>A table cell: text and its tone.</summary>
internal readonly record struct Cell(string Text, Tone Tone = Tone.Normal)
{
    public static implicit operator Cell(string text) => new(text);
}

/// <summary>A table column: header and alignment.</summary>
internal readonly record struct Column(string Header, bool RightAligned = false);

/// <summary>
/// Structured command output (headings, lines, key/value facts, tables) written either with Spectre.Console
/// (colours and boxed tables on a terminal) or as plain aligned text (redirected output, CI logs, tests), so each
/// command describes its output once.
/// </summary>
internal abstract class Report
{
    /// <summary>Creates the report for <paramref name="output"/>: rich only on an ANSI-capable terminal that is stdout itself.</summary>
    public static Report For(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Capabilities.Ansi
            ? new RichReport()
            : new PlainReport(output);

    /// <summary>The character that fills bars of text plots.</summary>
    public abstract char BarChar { get; }

    /// <summary>A section title.</summary>
    public abstract void Heading(string title);

    /// <summary>One line of text.</summary>
    public abstract void Line(string text = "", Tone tone = Tone.Normal);

    /// <summary>Aligned "key: value" lines.</summary>
    public abstract void Facts(IEnumerable<(string Key, Cell Value)> facts);

    /// <summary>A table; every row has one cell per column.</summary>
    public abstract void Table(IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows);

    /// <summary>Characters needed by each column: its widest cell or header.</summary>
    protected static int[] ColumnWidths(IReadOnlyList<Column> columns, IReadOnlyList<Cell[]> rows) =>
        columns.Select((c, i) => Math.Max(c.Header.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Text.Length))).ToArray();
}
