using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>
/// One record of a <see cref="RecordFile"/>: its values by column index (as in <see cref="RecordFile.Columns"/>)
/// and the line it starts on. A CSV/TSV value is the field's text ("" when empty); a JSON value is a string as is,
/// a number or boolean as its JSON text ("1", "2.5", "true"), and null when the key is missing or null.
/// </summary>
public sealed class Record
{
    private readonly RecordFile _file;
    private readonly string?[] _values;
    private readonly string?[]? _nested;

    /// <param name="file">The file, for the names in messages.</param>
    /// <param name="values">One value per column.</param>
    /// <param name="line">1-based line where the record starts.</param>
    /// <param name="nested">For JSON, what a nested value is ("an array", "an object") per column, else null.</param>
    internal Record(RecordFile file, string?[] values, long line, string?[]? nested = null)
    {
        _file = file;
        _values = values;
        Line = line;
        _nested = nested;
    }

    /// <summary>1-based line where the record starts in its file (for messages).</summary>
    public long Line { get; }

    /// <summary>Number of values: the number of columns.</summary>
    public int Count => _values.Length;

    /// <summary>The value of column <paramref name="column"/>: text, or null when missing (JSON only).</summary>
    /// <exception cref="DataFormatException">
    /// The JSON value is an array or object (a nested value has no text to train on); the message names the line
    /// and key. Other columns of the record stay readable, so nested values in unused keys do no harm.
    /// </exception>
    public string? this[int column]
    {
        get
        {
            if (_nested?[column] is { } kind)
                throw new DataFormatException(_file.Source, Line, $"\"{_file.Columns[column]}\" is {kind}, expected a string, number, boolean or null");
            return _values[column];
        }
    }

    /// <summary>Whether column <paramref name="column"/> holds a JSON array or object (which the indexer refuses).</summary>
    public bool IsNested(int column) => _nested?[column] is not null;
}
