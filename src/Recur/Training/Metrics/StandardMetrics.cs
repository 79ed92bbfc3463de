namespace Recur.Training.Metrics;

/// <summary>Mean loss over the epoch, weighted by each batch's <see cref="StepOutputs.Count"/>.</summary>
public sealed class MeanLoss : IMetric
{
    private double _sum, _count;

    /// <inheritdoc />
    public string Name => "loss";

    /// <inheritdoc />
    public bool HigherIsBetter => false;

    /// <inheritdoc />
    public void Reset() => _sum = _count = 0;

    /// <inheritdoc />
    public void Update(StepOutputs o)
    {
        _sum += o.Loss * o.Count;
        _count += o.Count;
    }

    /// <inheritdoc />
    public double Value => _count == 0 ? double.NaN : _sum / _count;
}

/// <summary>
/// Language-model quality from the mean cross-entropy L (nats): perplexity e^L, or bits per character/token L / ln 2.
/// </summary>
public sealed class Perplexity(bool bits = false) : IMetric
{
    private readonly MeanLoss _loss = new();

    /// <inheritdoc />
    public string Name => bits ? "bpc" : "perplexity";

    /// <inheritdoc />
    public bool HigherIsBetter => false;

    /// <inheritdoc />
    public void Reset() => _loss.Reset();

    /// <inheritdoc />
    public void Update(StepOutputs o) => _loss.Update(o);

    /// <inheritdoc />
    public double Value => bits ? _loss.Value / Math.Log(2) : Math.Exp(_loss.Value);
}

/// <summary>
/// Fraction of rows whose arg-max logit is the target (rows with the ignore index or a 0 in the mask skipped: token accuracy for taggers
/// and language models). A single logit column is read as binary: predicted 1 when the logit is &gt; 0.
/// </summary>
public sealed class Accuracy : IMetric
{
    private long _correct, _total;

    /// <inheritdoc />
    public string Name => "accuracy";

    /// <inheritdoc />
    public bool HigherIsBetter => true;

    /// <inheritdoc />
    public void Reset() => _correct = _total = 0;

    /// <inheritdoc />
    public void Update(StepOutputs o)
    {
        if (o.Logits is null || o.Targets is null) return;
        int c = o.Logits.Dim(-1), n = o.Logits.Length / c;
        var z = o.Logits.Span;
        for (int i = 0; i < n; i++)
        {
            if (o.Targets[i] == o.IgnoreIndex || !o.Counts(i, n)) continue;
            _total++;
            if (Classes.Predict(z.Slice(i * c, c)) == o.Targets[i]) _correct++;
        }
    }

    /// <inheritdoc />
    public double Value => _total == 0 ? double.NaN : (double)_correct / _total;
}

/// <summary>
/// F1 score: for two classes (or one binary logit) the F1 of class 1; for more, the unweighted mean over the classes
/// that occur as a target or a prediction (macro F1 as scikit-learn's <c>f1_score(average='macro')</c> and torchmetrics
/// compute it: a class absent from both would add a meaningless 0). Rows with the ignore index or a 0 in the mask count nowhere.
/// NaN before any row was counted.
/// </summary>
/// <param name="macro">Average over the classes for two classes as well (<c>macro_f1</c>), instead of the F1 of class 1.</param>
public sealed class F1Score(bool macro = false) : IMetric
{
    private long[] _tp = [], _fp = [], _fn = [];
    private long _rows;

    /// <inheritdoc />
    public string Name => macro ? "macro_f1" : "f1";

    /// <inheritdoc />
    public bool HigherIsBetter => true;

    /// <inheritdoc />
    public void Reset()
    {
        _tp = _fp = _fn = [];
        _rows = 0;
    }

    /// <inheritdoc />
    public void Update(StepOutputs o)
    {
        if (o.Logits is null || o.Targets is null) return;
        int c = o.Logits.Dim(-1), n = o.Logits.Length / c, classes = Math.Max(2, c);
        if (_tp.Length != classes) (_tp, _fp, _fn) = (new long[classes], new long[classes], new long[classes]);
        for (int i = 0; i < n; i++)
        {
            int y = o.Targets[i];
            if (y == o.IgnoreIndex || !o.Counts(i, n)) continue;
            _rows++;
            int p = Classes.Predict(o.Logits.Span.Slice(i * c, c));
            if (p == y) _tp[y]++;
            else { _fp[p]++; _fn[y]++; }
        }
    }

    /// <inheritdoc />
    public double Value
    {
        get
        {
            if (_rows == 0) return double.NaN;
            double F(int k) => _tp[k] == 0 ? 0 : 2.0 * _tp[k] / (2.0 * _tp[k] + _fp[k] + _fn[k]);
            if (_tp.Length == 2 && !macro) return F(1);
            // A class occurs as a target (tp + fn > 0) or a prediction (tp + fp > 0); every counted row adds one.
            double sum = 0;
            int present = 0;
            for (int k = 0; k < _tp.Length; k++)
                if (_tp[k] + _fp[k] + _fn[k] > 0) { sum += F(k); present++; }
            return sum / present;
        }
    }
}

/// <summary>Regression errors over the prediction elements (those the mask keeps): root mean squared, mean absolute, or mean absolute percentage.</summary>
public sealed class RegressionError(RegressionError.Kind kind) : IMetric
{
    /// <summary>Which error.</summary>
    public enum Kind
    {
        /// <summary>sqrt(mean (ŷ - y)²).</summary>
        Rmse,

        /// <summary>mean |ŷ - y|.</summary>
        Mae,

        /// <summary>100 · mean |ŷ - y| / |y| over targets that are not 0.</summary>
        Mape,
    }

    private double _sum;
    private long _count;

    /// <inheritdoc />
    public string Name => kind.ToString().ToLowerInvariant();

    /// <inheritdoc />
    public bool HigherIsBetter => false;

    /// <inheritdoc />
    public void Reset() => (_sum, _count) = (0, 0);

    /// <inheritdoc />
    public void Update(StepOutputs o)
    {
        if (o.Predictions is null || o.RealTargets is null) return;
        var p = o.Predictions.Span;
        for (int i = 0; i < p.Length; i++)
        {
            if (!o.Counts(i, p.Length)) continue;
            double d = (double)p[i] - o.RealTargets[i];
            switch (kind)
            {
                case Kind.Rmse: _sum += d * d; _count++; break;
                case Kind.Mae: _sum += Math.Abs(d); _count++; break;
                default:
                    if (o.RealTargets[i] == 0) continue;
                    _sum += Math.Abs(d / o.RealTargets[i]); _count++;
                    break;
            }
        }
    }

    /// <inheritdoc />
    public double Value => _count == 0 ? double.NaN : kind switch
    {
        Kind.Rmse => Math.Sqrt(_sum / _count),
        Kind.Mape => 100 * _sum / _count,
        _ => _sum / _count,
    };
}

internal static class Classes
{
    // Arg max of a row of logits; one column is a binary logit (class 1 when > 0).
    public static int Predict(ReadOnlySpan<float> row)
    {
        if (row.Length == 1) return row[0] > 0 ? 1 : 0;
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}
