namespace Recur.Data.TimeSeries;

/// <summary>
/// A multivariate series: <see cref="Length"/> time steps x <see cref="Features"/> named columns of doubles,
/// row-major (<c>Values[t·F + f]</c>), with optional dates. Rows are in time order; operations that split or
/// window it keep that order. Immutable by convention: transforms return new series.
/// </summary>
public sealed class Series
{
    /// <summary>Creates a series; <paramref name="values"/> is [length, names.Length] row-major (not copied).</summary>
    public Series(double[] values, string[] names, DateTime[]? dates = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0) throw new ArgumentException("a series needs at least one column", nameof(names));
        if (values.Length % names.Length != 0)
            throw new ArgumentException($"{values.Length} values do not fill rows of {names.Length} columns", nameof(values));
        int length = values.Length / names.Length;
        if (dates is not null && dates.Length != length)
            throw new ArgumentException($"{dates.Length} dates for {length} rows", nameof(dates));
        Values = values;
        Names = names;
        Dates = dates;
        Length = length;
    }

    /// <summary>Values [Length, Features] row-major.</summary>
    public double[] Values { get; }

    /// <summary>Column names.</summary>
    public string[] Names { get; }

    /// <summary>Date of each row, or null.</summary>
    public DateTime[]? Dates { get; }

    /// <summary>Number of time steps.</summary>
    public int Length { get; }

    /// <summary>Number of columns F.</summary>
    public int Features => Names.Length;

    /// <summary>Value of column <paramref name="f"/> at step <paramref name="t"/>.</summary>
    public double this[int t, int f]
    {
        get
        {
            if ((uint)t >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(t), $"step {t} is outside [0, {Length})");
            if ((uint)f >= (uint)Features) throw new ArgumentOutOfRangeException(nameof(f), $"column {f} is outside [0, {Features})");
            return Values[t * Features + f];
        }
    }

    /// <summary>Index of the column called <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        int i = Array.IndexOf(Names, name);
        if (i < 0) throw new ArgumentException($"no column \"{name}\"; the columns are {string.Join(", ", Names)}", nameof(name));
        return i;
    }

    /// <summary>Column <paramref name="f"/> as a new array.</summary>
    public double[] Column(int f)
    {
        if ((uint)f >= (uint)Features) throw new ArgumentOutOfRangeException(nameof(f), $"column {f} is outside [0, {Features})");
        var c = new double[Length];
        for (int t = 0; t < Length; t++) c[t] = Values[t * Features + f];
        return c;
    }

    /// <summary>Column <paramref name="name"/> as a new array.</summary>
    public double[] Column(string name) => Column(IndexOf(name));

    /// <summary>Rows [start, start + length) as a new series (contiguous in time).</summary>
    public Series Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + (long)length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + (long)length}) are outside [0, {Length})");
        return new Series(Values.AsSpan(start * Features, length * Features).ToArray(), Names, Dates?.AsSpan(start, length).ToArray());
    }

    /// <summary>The named columns, in the given order, as a new series.</summary>
    public Series Select(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var idx = names.Select(IndexOf).ToArray();
        var v = new double[Length * idx.Length];
        for (int t = 0; t < Length; t++)
            for (int k = 0; k < idx.Length; k++) v[t * idx.Length + k] = Values[t * Features + idx[k]];
        return new Series(v, [.. names], Dates);
    }

    /// <summary>A series with the same names and dates and other values (same shape).</summary>
    public Series WithValues(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Values.Length) throw new ArgumentException($"expected {Values.Length} values, got {values.Length}", nameof(values));
        return new Series(values, Names, Dates);
    }
}
