using System.Globalization;

namespace Recur.Cli.Inputs;

/// <summary>
/// The history.csv of a model folder: a header (e.g. <c>epoch,seconds,loss,accuracy,...,val_accuracy</c>) and one row
/// of numbers per epoch. Read generically, so new
/// columns show up without changes here.
/// </summary>
/// <param name="Columns">Column names from the header.</param>
/// <param name="Rows">One cell per column per epoch, as written.</param>
internal sealed record TrainingHistory(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows)
{
    /// <summary>The file name beside the checkpoints.</summary>
    public const string FileName = "history.csv";

    /// <summary>The history of a model folder, or beside a checkpoint file; null when there is none.</summary>
    /// <exception cref="FormatException">The file exists but is not a table of numbers.</exception>
    public static TrainingHistory? Beside(string folderOrCheckpoint)
    {
        string full = Path.GetFullPath(folderOrCheckpoint);
        string path = Path.Combine(Directory.Exists(full) ? full : Path.GetDirectoryName(full)!, FileName);
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) return null;
        var columns = lines[0].Split(',').Select(c => c.Trim()).ToArray();
        var rows = new List<string[]>();
        for (int i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != columns.Length)
                throw new FormatException($"{path}:{i + 1}: {cells.Length} values, expected {columns.Length} ({lines[0]})");
            rows.Add(cells.Select(c => c.Trim()).ToArray());
        }
        return new TrainingHistory(columns, rows);
    }

    /// <summary>The number in row <paramref name="row"/>, column <paramref name="column"/>, reading <c>nan</c>, <c>inf</c>
    /// and <c>-inf</c> as the history writes them (NaN when the cell is not a number).</summary>
    public double Value(int row, int column) => Rows[row][column] switch
    {
        "inf" => double.PositiveInfinity, // .NET parses "Infinity" and "nan" (any case) but not Python's "inf"
        "-inf" => double.NegativeInfinity,
        var cell => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN,
    };

    /// <summary>
    /// The cell for people: a number to 5 significant digits (whole above 100,000, with separators), the file keeps
    /// round-trip precision; text and non-finite values as written.
    /// </summary>
    public string Display(int row, int column)
    {
        double v = Value(row, column);
        if (!double.IsFinite(v)) return Rows[row][column];
        return Math.Abs(v) >= 1e5 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("G5", CultureInfo.InvariantCulture);
    }

    /// <summary>Index of the column named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => Columns.ToList().IndexOf(name);
}
