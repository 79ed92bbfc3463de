namespace Recur.Data.TimeSeries;

/// <summary>
/// y = ln(x + offset) turns multiplicative growth and variance that grows with the level into additive,
/// steadier changes (often followed by differencing: log returns). Inverse: x = exp(y) - offset.
/// </summary>
public static class LogTransform
{
    /// <summary>Applies y = ln(x + offset) to every value; a value with x + offset ≤ 0 is an error naming its row and column.</summary>
    public static Series Apply(Series series, double offset = 0)
    {
        ArgumentNullException.ThrowIfNull(series);
        var y = new double[series.Values.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double v = series.Values[i] + offset;
            if (!(v > 0))
            {
                int t = i / series.Features, f = i % series.Features;
                string when = series.Dates is { } d ? $" ({d[t]:yyyy-MM-dd})" : "";
                throw new ArgumentException($"row {t}{when}, column \"{series.Names[f]}\": {series.Values[i]} + offset {offset} is not positive, so its logarithm is undefined (raise the offset)", nameof(series));
            }
            y[i] = Math.Log(v);
        }
        return series.WithValues(y);
    }

    /// <summary>The inverse x = exp(y) - offset.</summary>
    public static Series Invert(Series logged, double offset = 0)
    {
        ArgumentNullException.ThrowIfNull(logged);
        var x = new double[logged.Values.Length];
        for (int i = 0; i < x.Length; i++) x[i] = Math.Exp(logged.Values[i]) - offset;
        return logged.WithValues(x);
    }
}
