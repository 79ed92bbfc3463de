namespace Recur.Data.TimeSeries;

/// <summary>What a time-series reader does with a missing value (an empty field, NA, NaN or null).</summary>
public enum MissingValues
{
    /// <summary>Throw a <see cref="Files.DataFormatException"/> naming the file, line and column (the default).</summary>
    Error,

    /// <summary>Drop every row that has a missing value in a selected column (the gap in time remains visible in the dates).</summary>
    DropRows,

    /// <summary>
    /// Fill each gap linearly between its neighbours in the same column (by row position, not by date). A gap at
    /// the start or end of the series has only one neighbour and is an error.
    /// </summary>
    Interpolate,
}
