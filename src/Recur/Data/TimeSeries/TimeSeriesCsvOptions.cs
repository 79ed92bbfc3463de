using Recur.Data.Formats;

namespace Recur.Data.TimeSeries;

/// <summary>How <see cref="TimeSeriesCsv"/> reads a file.</summary>
public sealed record TimeSeriesCsvOptions
{
    /// <summary>Column holding the date of each row, or null when there is none.</summary>
    public string? DateColumn { get; init; }

    /// <summary>
    /// Exact date format(s) (e.g. "yyyyMMdd", "yyyy-MM-dd", "yyyy" for years), tried in order; null parses any
    /// invariant-culture date.
    /// </summary>
    public string[]? DateFormats { get; init; }

    /// <summary>The value columns to read, in order; null = every column but the date column.</summary>
    public string[]? Columns { get; init; }

    /// <summary>Policy for missing values.</summary>
    public MissingValues Missing { get; init; } = MissingValues.Error;

    /// <summary>Delimiter, quoting and header (a header is required: columns are addressed by name).</summary>
    public DelimitedOptions Format { get; init; } = DelimitedOptions.Csv;
}
