using Spectre.Console;

namespace Recur.Cli.Output;

/// <summary>A <see cref="Report"/> on an ANSI terminal through Spectre.Console: coloured text and rounded tables.</summary>
internal sealed class RichReport : Report
{
    private readonly IAnsiConsole _console = AnsiConsole.Console;

    public override char BarChar => '█';

    public override void Heading(string title)
    {
        _console.WriteLine();
        _console.MarkupLine($"[bold underline]{Markup.Escape(title)}[/]");
    }

    public override void Line(string text = "", Tone tone = Tone.Normal) => _console.MarkupLine(Styled(new Cell(text, tone)));

    public override void Facts(IEnumerable<(string Key, Cell Value)> facts)
    {
        var grid = new Grid().AddColumn(new GridColumn().PadLeft(2).PadRight(1)).AddColumn();
        foreach (var (key, value) in facts) grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}:[/]"), new Markup(Styled(value)));
        _console.Write(grid);
    }

    public override void Table(IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows)
    {
        var cells = rows.ToList();
        // A boxed table wider than the terminal would wrap every cell; aligned plain columns stay readable.
        int width = 1 + ColumnWidths(columns, cells).Sum(w => w + 3); // "│ " before each cell, " " after, a closing "│"
        if (width > _console.Profile.Width)
        {
            new PlainReport(Console.Out).Table(columns, cells);
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var c in columns)
        {
            var column = new TableColumn($"[bold]{Markup.Escape(c.Header)}[/]");
            table.AddColumn(c.RightAligned ? column.RightAligned() : column);
        }
        foreach (var row in cells) table.AddRow(row.Select(c => new Markup(Styled(c))).ToArray<Spectre.Console.Rendering.IRenderable>());
        _console.Write(table);
    }

    private static string Styled(Cell cell)
    {
        string text = Markup.Escape(cell.Text);
        return cell.Tone switch
        {
            Tone.Dim => $"[grey]{text}[/]",
            Tone.Accent => $"[bold cyan]{text}[/]",
            Tone.Good => $"[green]{text}[/]",
            Tone.Bad => $"[red]{text}[/]",
            _ => text,
        };
    }
}
