namespace Recur.Data.Files;

/// <summary>
/// Bad content in a data file: the message starts with <c>file:line:</c> (or <c>file:line:column:</c>) so the
/// offending place can be opened directly, e.g. <c>co2.csv:8: column "co2" is empty (a missing value)</c> or
/// <c>train.txt:12:17: token "foo" is not word/TAG</c>.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for line <paramref name="line"/> (1-based; 0 when no line applies) of <paramref name="source"/>.</summary>
    public DataFormatException(string source, long line, string message, Exception? inner = null)
        : this(source, line, 0, message, inner) { }

    /// <summary>
    /// Creates the exception for character <paramref name="column"/> (1-based; 0 when no column applies) of line
    /// <paramref name="line"/> of <paramref name="source"/>.
    /// </summary>
    public DataFormatException(string source, long line, int column, string message, Exception? inner = null)
        : base(Where(source, line, column) + message, inner)
    {
        Source = source;
        Line = line;
        Column = column;
        Reason = message;
    }

    /// <summary>The file (or other named source) that holds the bad content.</summary>
    public new string Source { get; }

    /// <summary>1-based line number, or 0 when the problem is not tied to one line.</summary>
    public long Line { get; }

    /// <summary>1-based character position in the line (UTF-16 code units, as editors count), or 0 when none applies.</summary>
    public int Column { get; }

    /// <summary>The message without the <c>file:line:</c> prefix.</summary>
    public string Reason { get; }

    // A column means nothing without a line, so it is shown only with one.
    private static string Where(string source, long line, int column) => line <= 0 ? $"{source}: "
        : column > 0 ? $"{source}:{line}:{column}: " : $"{source}:{line}: ";
}
