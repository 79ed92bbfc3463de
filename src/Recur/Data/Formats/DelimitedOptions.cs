namespace Recur.Data.Formats;

/// <summary>How a delimited text file (CSV, TSV) is laid out.</summary>
public sealed record DelimitedOptions
{
    /// <summary>Field separator: ',' for CSV, '\t' for TSV.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Whether the first record names the columns.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// Whether fields may be quoted as in RFC 4180 (<c>"a, b"</c>, <c>""</c> for a quote). Off for plain TSV files
    /// whose texts contain bare quotes (like the bundled sentiment sentences).
    /// </summary>
    public bool Quoting { get; init; } = true;

    /// <summary>Comma-separated with a header and RFC 4180 quoting.</summary>
    public static DelimitedOptions Csv { get; } = new();

    /// <summary>Tab-separated with a header, no quoting (tabs and newlines cannot occur inside fields).</summary>
    public static DelimitedOptions Tsv { get; } = new() { Delimiter = '\t', Quoting = false };
}
