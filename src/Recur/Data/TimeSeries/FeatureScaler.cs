using Recur.Tensors;

namespace Recur.Data.TimeSeries;

/// <summary>
/// A per-column affine scaling y = (x - shift[f]) / scale[f], fitted on the training part of a series only (so no
/// statistic of the validation or test period leaks into training), applied to every part, and inverted on model
/// predictions: x = y · scale[f] + shift[f]. The fitted parameters are public so a checkpoint can store them.
/// </summary>
public abstract class FeatureScaler
{
    private double[]? _shift, _scale;

    /// <summary>Per-column shift (fitted).</summary>
    public IReadOnlyList<double> Shift => _shift ?? throw NotFitted();

    /// <summary>Per-column scale, never zero (fitted).</summary>
    public IReadOnlyList<double> Scale => _scale ?? throw NotFitted();

    /// <summary>Whether <see cref="Fit"/> has been called.</summary>
    public bool IsFitted => _shift is not null;

    /// <summary>Fits shift and scale of every column on <paramref name="training"/> (the training part only).</summary>
    public void Fit(Series training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Length == 0) throw new ArgumentException("cannot fit a scaler on an empty series", nameof(training));
        _shift = new double[training.Features];
        _scale = new double[training.Features];
        for (int f = 0; f < training.Features; f++)
        {
            var (shift, scale) = FitColumn(training.Column(f));
            _shift[f] = shift;
            _scale[f] = scale == 0 || !double.IsFinite(scale) ? 1 : scale; // a constant column maps to 0, not NaN
        }
    }

    /// <summary>Sets fitted parameters directly (e.g. from a checkpoint).</summary>
    public void SetParameters(double[] shift, double[] scale)
    {
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentNullException.ThrowIfNull(scale);
        if (shift.Length != scale.Length) throw new ArgumentException($"{shift.Length} shifts but {scale.Length} scales", nameof(scale));
        if (scale.Any(s => s == 0 || !double.IsFinite(s))) throw new ArgumentException("scales must be finite and non-zero", nameof(scale));
        _shift = [.. shift];
        _scale = [.. scale];
    }

    /// <summary>The scaled series y = (x - shift) / scale.</summary>
    public Series Transform(Series series)
    {
        var (shift, scale) = Check(series);
        var y = new double[series.Values.Length];
        for (int i = 0; i < y.Length; i++) { int f = i % series.Features; y[i] = (series.Values[i] - shift[f]) / scale[f]; }
        return series.WithValues(y);
    }

    /// <summary>The original units x = y · scale + shift of a scaled series.</summary>
    public Series InverseTransform(Series scaled)
    {
        var (shift, scale) = Check(scaled);
        var x = new double[scaled.Values.Length];
        for (int i = 0; i < x.Length; i++) { int f = i % scaled.Features; x[i] = scaled.Values[i] * scale[f] + shift[f]; }
        return scaled.WithValues(x);
    }

    /// <summary>
    /// Inverts predictions in place: <paramref name="predictions"/> has last dimension
    /// <c>columns.Length</c> (e.g. [N, horizon, targets]) and position k of it holds fitted column columns[k].
    /// </summary>
    public void InverseTransform(Tensor predictions, ReadOnlySpan<int> columns)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var shift = _shift ?? throw NotFitted();
        var scale = _scale!;
        if (predictions.Rank == 0 || predictions.Dim(-1) != columns.Length)
            throw new ShapeMismatchException(nameof(predictions), $"[..., {columns.Length}] (one entry per column)", Shape.Format(predictions.Shape));
        foreach (int c in columns)
            if ((uint)c >= (uint)shift.Length) throw new ArgumentOutOfRangeException(nameof(columns), $"column {c} is outside the {shift.Length} fitted columns");
        var span = predictions.Span;
        for (int i = 0; i < span.Length; i++)
        {
            int c = columns[i % columns.Length];
            span[i] = (float)(span[i] * scale[c] + shift[c]);
        }
    }

    /// <summary>The shift and scale for one training column.</summary>
    protected abstract (double Shift, double Scale) FitColumn(double[] column);

    private (double[] Shift, double[] Scale) Check(Series series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var shift = _shift ?? throw NotFitted();
        if (series.Features != shift.Length)
            throw new ArgumentException($"the scaler was fitted on {shift.Length} columns, the series has {series.Features}", nameof(series));
        return (shift, _scale!);
    }

    private InvalidOperationException NotFitted() => new($"{GetType().Name} is not fitted: call Fit on the training part first");
}

/// <summary>Min-max scaling of each column to [<see cref="Low"/>, <see cref="High"/>] over the training part: y = low + (x - min)·(high - low)/(max - min).</summary>
public sealed class MinMaxScaler : FeatureScaler
{
    /// <summary>Creates a scaler to [low, high] (default [0, 1]).</summary>
    public MinMaxScaler(double low = 0, double high = 1)
    {
        if (!(high > low)) throw new ArgumentException($"high ({high}) must exceed low ({low})", nameof(high));
        Low = low;
        High = high;
    }

    /// <summary>Image of the training minimum.</summary>
    public double Low { get; }

    /// <summary>Image of the training maximum.</summary>
    public double High { get; }

    /// <inheritdoc />
    protected override (double Shift, double Scale) FitColumn(double[] column)
    {
        double min = column.Min(), max = column.Max();
        // y = (x - shift) / scale with scale = (max - min)/(high - low), shift = min - low·scale.
        double scale = (max - min) / (High - Low);
        if (scale == 0) scale = 1;
        return (min - Low * scale, scale);
    }
}

/// <summary>Standardisation of each column over the training part: y = (x - mean) / std (population std, as scikit-learn).</summary>
public sealed class StandardScaler : FeatureScaler
{
    /// <inheritdoc />
    protected override (double Shift, double Scale) FitColumn(double[] column)
    {
        double mean = column.Average();
        double variance = column.Sum(x => (x - mean) * (x - mean)) / column.Length;
        return (mean, Math.Sqrt(variance));
    }
}
