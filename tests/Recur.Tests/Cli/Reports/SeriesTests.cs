using Recur.Cli.Reports;

namespace Recur.Tests.Cli.Reports;

/// <summary>How chart lines break at non-finite values and are thinned for drawing.</summary>
public sealed class SeriesTests
{
    [Fact]
    public void Thinning_keeps_the_ends_and_every_spike_within_the_budget()
    {
        int n = 100_000;
        double[] x = [.. Enumerable.Range(1, n).Select(i => (double)i)];
        double[] y = [.. x.Select(v => 1 / Math.Sqrt(v))];
        y[54_321] = 7;   // a spike
        y[77_777] = -3;  // a dip
        var (xs, ys) = Series.Downsample(x, y, 1000);
        Assert.InRange(xs.Length, 500, 1002);
        Assert.Equal(1, xs[0]);
        Assert.Equal(n, xs[^1]);
        Assert.Contains(7, ys);
        Assert.Contains(-3, ys);
        Assert.Equal(xs.Order(), xs); // still in order
    }

    [Fact]
    public void Short_series_are_drawn_whole()
    {
        var (xs, ys) = Series.Downsample([1, 2, 3], [3, 2, 1], 1000);
        Assert.Equal([1, 2, 3], xs);
        Assert.Equal([3, 2, 1], ys);
    }

    [Fact]
    public void Non_finite_values_break_the_line_and_are_named()
    {
        var s = new Series("validation loss", [1, 2, 3, 4, 5, 6], [1, double.NaN, 0.8, double.PositiveInfinity, double.NegativeInfinity, 0.5]);
        Assert.Equal([(2.0, "NaN"), (4.0, "+Inf"), (5.0, "-Inf")], s.Gaps);
        var runs = s.FiniteRuns(1500).ToList();
        Assert.Equal([[1.0], [3.0], [6.0]], runs.Select(r => r.X));
        Assert.False(new Series("x", [1], [double.NaN]).HasFinite);
    }
}
