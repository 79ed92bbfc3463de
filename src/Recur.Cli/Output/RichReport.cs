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
        var grid = new Grid().AddColumn(new GridColumn().PadLeft(2)).AddColumn();
        foreach (var (key, value) in facts) grid.AddRow(new Markup($"[grey]{Markup.Escape(key)}:[/]"), new Markup(Styled(value)));
        _console.Write(grid);
    }

    public override void Table(IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var c in columns)
        {
            var column = new TableColumn($"[bold]{Markup.Escape(c.Header)}[/]");
            table.AddColumn(c.RightAligned ? column.RightAligned() : column);
        }
        foreach (var row in rows) table.AddRow(row.Select(c => new Markup(Styled(c))).ToArray<Spectre.Console.Rendering.IRenderable>());
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
