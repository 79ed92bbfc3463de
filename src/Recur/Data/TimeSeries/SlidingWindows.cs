using Recur.Tensors;

namespace Recur.Data.TimeSeries;

/// <summary>Windows cut from a series: inputs [N, lookback, F_in], targets [N, horizon, F_out], and where each window starts.</summary>
/// <param name="Inputs">Window inputs [N, lookback, F_in].</param>
/// <param name="Targets">The following values [N, horizon, F_out].</param>
/// <param name="Starts">Row of the series where window i's inputs start.</param>
public sealed record WindowedData(Tensor Inputs, Tensor Targets, int[] Starts)
{
    /// <summary>Number of windows N.</summary>
    public int Count => Starts.Length;
}

/// <summary>
/// Sliding windows for many-to-one / many-to-many forecasting. Window i starts at s = i·stride: its inputs are
/// rows [s, s + lookback) of the input columns and its targets rows [s + lookback, s + lookback + horizon) of the
/// target columns. So there are N = floor((L - lookback - horizon) / stride) + 1 windows (0 when L &lt; lookback +
/// horizon), the last target row of the last window is at most L - 1, and no window reaches past the series.
/// </summary>
public static class SlidingWindows
{
    /// <summary>Number of windows N of a series of <paramref name="length"/> rows.</summary>
    public static int Count(int length, int lookback, int horizon = 1, int stride = 1)
    {
        Validate(lookback, horizon, stride);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int span = lookback + horizon;
        return length < span ? 0 : (length - span) / stride + 1;
    }

    /// <summary>Cuts windows (float32 tensors) from <paramref name="series"/>.</summary>
    /// <param name="series">The (already scaled) series.</param>
    /// <param name="lookback">Input steps per window.</param>
    /// <param name="horizon">Target steps per window (1 = next step only).</param>
    /// <param name="stride">Rows between window starts.</param>
    /// <param name="inputColumns">Input columns (null = all).</param>
    /// <param name="targetColumns">Target columns (null = all).</param>
    public static WindowedData Create(Series series, int lookback, int horizon = 1, int stride = 1,
        string[]? inputColumns = null, string[]? targetColumns = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = Count(series.Length, lookback, horizon, stride);
        if (n == 0)
            throw new ArgumentException($"a series of {series.Length} rows has no window of lookback {lookback} + horizon {horizon}", nameof(series));
        int[] inCols = inputColumns?.Select(series.IndexOf).ToArray() ?? Enumerable.Range(0, series.Features).ToArray();
        int[] outCols = targetColumns?.Select(series.IndexOf).ToArray() ?? Enumerable.Range(0, series.Features).ToArray();
        var inputs = new Tensor(n, lookback, inCols.Length);
        var targets = new Tensor(n, horizon, outCols.Length);
        var starts = new int[n];
        var x = inputs.Span;
        var y = targets.Span;
        int F = series.Features;
        var v = series.Values;
        for (int i = 0; i < n; i++)
        {
            int s = starts[i] = i * stride;
            int xi = i * lookback * inCols.Length;
            for (int t = 0; t < lookback; t++)
                foreach (int c in inCols) x[xi++] = (float)v[(s + t) * F + c];
            int yi = i * horizon * outCols.Length;
            for (int t = 0; t < horizon; t++)
                foreach (int c in outCols) y[yi++] = (float)v[(s + lookback + t) * F + c];
        }
        return new WindowedData(inputs, targets, starts);
    }

    private static void Validate(int lookback, int horizon, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
    }
}
