using Recur.Data.Files;
using Recur.Data.Formats;
using System.Globalization;

namespace Recur.Data.TimeSeries;

/// <summary>
/// Reads a time series from a CSV (parsed by CsvHelper, gzip transparent): optional date column, numeric value
/// columns, missing values handled by <see cref="MissingValues"/>. A value that is neither a number nor missing,
/// an unparsable date, or dates that go backwards are errors with file, line and column.
/// </summary>
public static class TimeSeriesCsv
{
    private static readonly string[] MissingMarkers = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "."];

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static Series Read(string path, TimeSeriesCsvOptions? options = null)
    {
        options ??= new TimeSeriesCsvOptions();
        if (!options.Format.HasHeader) throw new ArgumentException("time-series columns are named: the file needs a header", nameof(options));
        var file = DelimitedFile.Read(path, options.Format);
        var header = file.Header!;
        int dateColumn = options.DateColumn is null ? -1 : file.Column(options.DateColumn);
        var names = options.Columns ?? header.Where((_, i) => i != dateColumn).ToArray();
        if (names.Length == 0) throw new ArgumentException($"{file.Source} has no value columns", nameof(options));
        var columns = names.Select(file.Column).ToArray();
        int features = columns.Length;

        var values = new List<double>(file.Rows.Count * features);
        var dates = dateColumn >= 0 ? new List<DateTime>(file.Rows.Count) : null;
        var lines = new List<long>(file.Rows.Count);
        foreach (var row in file.Rows)
        {
            bool missingInRow = false;
            int rowStart = values.Count;
            for (int k = 0; k < features; k++)
            {
                string field = row.Fields[columns[k]].Trim();
                if (MissingMarkers.Contains(field))
                {
                    if (options.Missing == MissingValues.Error)
                        throw new DataFormatException(file.Source, row.Line, $"column \"{names[k]}\" is missing (\"{field}\"); choose MissingValues.DropRows or Interpolate to accept gaps");
                    missingInRow = true;
                    values.Add(double.NaN);
                    continue;
                }
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new DataFormatException(file.Source, row.Line, $"column \"{names[k]}\": \"{field}\" is not a number");
                values.Add(v);
            }
            if (missingInRow && options.Missing == MissingValues.DropRows)
            {
                values.RemoveRange(rowStart, features);
                continue;
            }
            lines.Add(row.Line);
            if (dates is not null)
            {
                var date = ParseDate(row.Fields[dateColumn].Trim(), options.DateFormats)
                    ?? throw new DataFormatException(file.Source, row.Line, $"column \"{options.DateColumn}\": \"{row.Fields[dateColumn]}\" is not a date{(options.DateFormats is { } f ? $" in the format {string.Join(" or ", f)}" : "")}");
                if (dates.Count > 0 && date < dates[^1])
                    throw new DataFormatException(file.Source, row.Line, $"date {date:yyyy-MM-dd} comes before the previous row's {dates[^1]:yyyy-MM-dd}: rows must be in time order");
                dates.Add(date);
            }
        }
        var array = values.ToArray();
        if (options.Missing == MissingValues.Interpolate) Interpolate(array, features, names, file.Source, lines);
        return new Series(array, names, dates?.ToArray());
    }

    /// <summary>
    /// Fills NaN gaps of each column linearly: a gap between rows a and b (both known) gets
    /// x[t] = x[a] + (x[b] - x[a]) · (t - a) / (b - a). A gap touching either end is an error naming its line.
    /// </summary>
    internal static void Interpolate(double[] values, int features, string[] names, string source, IReadOnlyList<long> lines)
    {
        int length = values.Length / features;
        for (int f = 0; f < features; f++)
        {
            int last = -1;
            for (int t = 0; t < length; t++)
            {
                if (double.IsNaN(values[t * features + f])) continue;
                if (t - last > 1)
                {
                    if (last < 0) throw new DataFormatException(source, lines[0], $"column \"{names[f]}\" starts with a missing value, which cannot be interpolated (no earlier value)");
                    double a = values[last * features + f], b = values[t * features + f];
                    for (int k = last + 1; k < t; k++) values[k * features + f] = a + (b - a) * (k - last) / (t - last);
                }
                last = t;
            }
            if (last < length - 1)
                throw new DataFormatException(source, lines[last + 1], $"column \"{names[f]}\" ends with a missing value, which cannot be interpolated (no later value)");
        }
    }

    private static DateTime? ParseDate(string text, string[]? formats)
    {
        if (formats is not null)
            return DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact) ? exact : null;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var any) ? any : null;
    }
}
