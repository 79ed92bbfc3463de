using Recur.Data.TimeSeries;
using Recur.Tensors;

namespace Recur.Tests.Data.TimeSeries;

public class TransformTests
{
    private static Series Make(params double[] rowsOfTwo) => new(rowsOfTwo, ["a", "b"]);

    [Fact]
    public void Min_max_scaler_fits_on_training_only_and_inverts_exactly()
    {
        var train = Make(0, 10, 5, 20, 10, 30);
        var test = Make(20, 40);
        var scaler = new MinMaxScaler();
        scaler.Fit(train);
        Assert.Equal([0, 0, 0.5, 0.5, 1, 1], scaler.Transform(train).Values);
        Assert.Equal([2, 1.5], scaler.Transform(test).Values); // beyond [0, 1]: test statistics never leak into the fit
        Assert.Equal(test.Values, scaler.InverseTransform(scaler.Transform(test)).Values);

        var ranged = new MinMaxScaler(-1, 1);
        ranged.Fit(train);
        Assert.Equal([-1, -1, 0, 0, 1, 1], ranged.Transform(train).Values);
        Assert.Equal(train.Values, ranged.InverseTransform(ranged.Transform(train)).Values);
    }

    [Fact]
    public void Standard_scaler_gives_zero_mean_unit_variance_and_constant_columns_stay_finite()
    {
        var train = Make(1, 7, 2, 7, 3, 7, 4, 7);
        var scaler = new StandardScaler();
        scaler.Fit(train);
        var y = scaler.Transform(train);
        var a = y.Column("a");
        Assert.Equal(0, a.Average(), 12);
        Assert.Equal(1, Math.Sqrt(a.Sum(v => v * v) / a.Length), 12);
        Assert.All(y.Column("b"), v => Assert.Equal(0, v));
        var back = scaler.InverseTransform(y);
        for (int i = 0; i < train.Values.Length; i++) Assert.Equal(train.Values[i], back.Values[i], 12);
    }

    [Fact]
    public void Predictions_are_inverted_in_place_for_the_target_columns()
    {
        var scaler = new MinMaxScaler();
        scaler.Fit(Make(0, 100, 10, 200));
        // Predictions [N = 2, horizon = 1, targets = 1] of column b.
        var p = Tensor.FromValues([0f, 0.5f], 2, 1, 1);
        scaler.InverseTransform(p, [1]);
        Assert.Equal(new float[] { 100, 150 }, p.ToArray());
        Assert.Throws<ShapeMismatchException>(() => scaler.InverseTransform(new Tensor(2, 2), [1]));
        Assert.Throws<InvalidOperationException>(() => new StandardScaler().Transform(Make(1, 2)));
    }

    [Fact]
    public void Differencing_and_log_round_trip()
    {
        var s = new Series([1, 2, 4, 7, 11, 16], ["x"], Enumerable.Range(0, 6).Select(d => new DateTime(2000, 1, 1).AddDays(d)).ToArray());
        var d = Differencing.Difference(s);
        Assert.Equal([1, 2, 3, 4, 5], d.Values);
        Assert.Equal(new DateTime(2000, 1, 2), d.Dates![0]);
        Assert.Equal(s.Values.Skip(1), Differencing.Integrate(d, s.Slice(0, 1)).Values);

        var seasonal = Differencing.Difference(s, lag: 2);
        Assert.Equal([3, 5, 7, 9], seasonal.Values);
        Assert.Equal(s.Values.Skip(2), Differencing.Integrate(seasonal, s.Slice(0, 2), lag: 2).Values);

        var logged = LogTransform.Apply(s);
        Assert.Equal(Math.Log(7), logged.Values[3]);
        var back = LogTransform.Invert(logged);
        for (int i = 0; i < s.Length; i++) Assert.Equal(s.Values[i], back.Values[i], 12);
        var e = Assert.Throws<ArgumentException>(() => LogTransform.Apply(new Series([1, 0], ["x"])));
        Assert.Contains("row 1, column \"x\"", e.Message);
        Assert.Equal(Math.Log(1), LogTransform.Apply(new Series([0.0], ["x"]), offset: 1).Values[0]);
    }

    [Fact]
    public void Chronological_split_keeps_time_order()
    {
        var s = new Series(Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), ["x"]);
        var split = ChronologicalSplit.Split(s, 0.6, 0.2);
        Assert.Equal([0, 1, 2, 3, 4, 5], split.Train.Values);
        Assert.Equal([6, 7], split.Validation.Values);
        Assert.Equal([8, 9], split.Test.Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChronologicalSplit.Split(s, 0.9, 0.2));
    }
}
