using Recur.Data.TimeSeries;

namespace Recur.Tests.Data.TimeSeries;

public class SlidingWindowTests
{
    [Theory]
    [InlineData(10, 3, 1, 1, 7)]
    [InlineData(10, 3, 2, 1, 6)]
    [InlineData(10, 3, 2, 2, 3)]
    [InlineData(10, 3, 2, 3, 2)]
    [InlineData(5, 3, 2, 1, 1)]
    [InlineData(4, 3, 2, 1, 0)]
    public void Window_count_is_floor_of_remaining_over_stride_plus_one(int length, int lookback, int horizon, int stride, int expected)
    {
        Assert.Equal(expected, SlidingWindows.Count(length, lookback, horizon, stride));
        // Brute force: every start s = i·stride with s + lookback + horizon ≤ length.
        Assert.Equal(Enumerable.Range(0, length).Count(s => s % stride == 0 && s + lookback + horizon <= length), expected);
    }

    [Fact]
    public void Windows_align_inputs_and_targets_up_to_the_last_row()
    {
        // Column a = t, b = 100 + t, c = 200 + t for t = 0..9.
        var values = Enumerable.Range(0, 10).SelectMany(t => new double[] { t, 100 + t, 200 + t }).ToArray();
        var s = new Series(values, ["a", "b", "c"]);
        var w = SlidingWindows.Create(s, lookback: 3, horizon: 2, stride: 2, inputColumns: ["a", "b"], targetColumns: ["c"]);
        Assert.Equal(3, w.Count);
        Assert.Equal([3, 3, 2], w.Inputs.Shape.ToArray());
        Assert.Equal([3, 2, 1], w.Targets.Shape.ToArray());
        Assert.Equal([0, 2, 4], w.Starts);
        Assert.Equal(new float[] { 0, 100, 1, 101, 2, 102 }, w.Inputs.Row(0).ToArray());
        Assert.Equal(new float[] { 203, 204 }, w.Targets.Row(0).ToArray());
        // Last window: inputs rows 4..6, targets rows 7..8; row 9 is not reachable with stride 2.
        Assert.Equal(new float[] { 4, 104, 5, 105, 6, 106 }, w.Inputs.Row(2).ToArray());
        Assert.Equal(new float[] { 207, 208 }, w.Targets.Row(2).ToArray());

        var full = SlidingWindows.Create(s, lookback: 3, horizon: 2);
        Assert.Equal(6, full.Count);
        Assert.Equal(new float[] { 9, 109, 209 }, full.Targets.Row(5).Row(1).ToArray()); // the very last row
        Assert.Throws<ArgumentException>(() => SlidingWindows.Create(s, lookback: 9, horizon: 2));
    }
}
