namespace Recur.Data.TimeSeries;

/// <summary>
/// Differencing removes trend (lag 1) or seasonality (lag = period) from a non-stationary series:
/// d[t] = x[t + lag] - x[t], so the result is <c>lag</c> rows shorter. Its inverse rebuilds the levels from the
/// <c>lag</c> values before the first difference: x[t] = d[t - lag] + x[t - lag], which is how differenced
/// forecasts are turned back into levels.
/// </summary>
public static class Differencing
{
    /// <summary>Differences every column with lag <paramref name="lag"/>; dates are those of the later row.</summary>
    public static Series Difference(Series series, int lag = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, 1);
        if (series.Length <= lag) throw new ArgumentException($"a series of {series.Length} rows is too short for lag {lag}", nameof(series));
        int f = series.Features, n = series.Length - lag;
        var d = new double[n * f];
        for (int i = 0; i < d.Length; i++) d[i] = series.Values[i + lag * f] - series.Values[i];
        return new Series(d, series.Names, series.Dates?.AsSpan(lag).ToArray());
    }

    /// <summary>
    /// Inverts <see cref="Difference"/>: <paramref name="seed"/> holds the <paramref name="lag"/> rows just before
    /// the first difference (e.g. the last observed rows before a forecast), same columns.
    /// </summary>
    public static Series Integrate(Series differences, Series seed, int lag = 1)
    {
        ArgumentNullException.ThrowIfNull(differences);
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, 1);
        if (seed.Length != lag) throw new ArgumentException($"the seed must hold exactly the {lag} rows before the first difference, it has {seed.Length}", nameof(seed));
        if (seed.Features != differences.Features) throw new ArgumentException($"seed has {seed.Features} columns, differences {differences.Features}", nameof(seed));
        int f = differences.Features;
        var x = new double[differences.Values.Length];
        for (int i = 0; i < x.Length; i++)
            x[i] = differences.Values[i] + (i < lag * f ? seed.Values[i] : x[i - lag * f]);
        return differences.WithValues(x);
    }
}
