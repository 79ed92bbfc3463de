namespace Recur.Data.TimeSeries;

/// <summary>The three contiguous parts of a series, in time order.</summary>
/// <param name="Train">The earliest rows.</param>
/// <param name="Validation">The rows after training.</param>
/// <param name="Test">The latest rows.</param>
public sealed record SeriesSplit(Series Train, Series Validation, Series Test);

/// <summary>
/// Splits a series by time, never by shuffling: train = the first rows, validation = the next, test = the last,
/// so a model is always evaluated on a period after the one it learned from. Shuffle windows only within the
/// training part, if at all.
/// </summary>
public static class ChronologicalSplit
{
    /// <summary>
    /// Train gets floor(N·trainFraction) rows, validation floor(N·validationFraction), test the rest.
    /// Each part must be non-empty when its fraction is positive.
    /// </summary>
    public static SeriesSplit Split(Series series, double trainFraction, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (!(trainFraction > 0) || validationFraction < 0 || trainFraction + validationFraction > 1)
            throw new ArgumentOutOfRangeException(nameof(trainFraction), $"fractions train {trainFraction}, validation {validationFraction} must be > 0, ≥ 0 and sum to at most 1");
        int train = (int)Math.Floor(series.Length * trainFraction);
        int validation = (int)Math.Floor(series.Length * validationFraction);
        return Split(series, train, validation);
    }

    /// <summary>Train gets the first <paramref name="trainRows"/>, validation the next <paramref name="validationRows"/>, test the rest.</summary>
    public static SeriesSplit Split(Series series, int trainRows, int validationRows)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (trainRows < 1 || validationRows < 0 || trainRows + (long)validationRows > series.Length)
            throw new ArgumentOutOfRangeException(nameof(trainRows), $"train {trainRows} + validation {validationRows} rows do not fit a series of {series.Length} (train needs at least 1)");
        int test = series.Length - trainRows - validationRows;
        return new SeriesSplit(series.Slice(0, trainRows), series.Slice(trainRows, validationRows), series.Slice(trainRows + validationRows, test));
    }
}
