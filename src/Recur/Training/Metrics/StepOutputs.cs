using Recur.Tensors;

namespace Recur.Training.Metrics;

/// <summary>
/// What one batch produced, for the metrics to read: the loss and whichever predictions and targets the task has.
/// A step function fills the parts that apply (class logits with integer targets, or real-valued predictions with
/// real targets); metrics that need a missing part ignore the batch.
/// </summary>
public sealed class StepOutputs
{
    /// <summary>The batch's mean loss (as the loss op reduced it).</summary>
    public double Loss { get; set; }

    /// <summary>How many terms the loss averaged (tokens, steps or sequences): the weight of this batch in epoch means.</summary>
    public int Count { get; set; } = 1;

    /// <summary>Class logits [N, C] (any leading shape; rows of the last dimension), or null.</summary>
    public Tensor? Logits { get; set; }

    /// <summary>Integer targets, one per logits row (<see cref="IgnoreIndex"/> marks rows to skip).</summary>
    public int[]? Targets { get; set; }

    /// <summary>Rows of <see cref="Targets"/> to skip.</summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>Real-valued predictions (any shape), or null.</summary>
    public Tensor? Predictions { get; set; }

    /// <summary>Real targets, one per prediction element.</summary>
    public float[]? RealTargets { get; set; }

    /// <summary>
    /// Positions the metrics skip, as a loss mask marks them: 0 = padding, anything else counts once. One value per
    /// logits row, and per prediction element or per row of the predictions' last dimension (e.g. [B, T] for [B, T, F]);
    /// null = every position counts.
    /// </summary>
    public float[]? Mask { get; set; }

    /// <summary>Whether position <paramref name="i"/> of <paramref name="count"/> (rows or elements) counts.</summary>
    internal bool Counts(int i, int count)
    {
        if (Mask is not { } m) return true;
        if (m.Length == count) return m[i] != 0;
        if (count % m.Length == 0) return m[i / (count / m.Length)] != 0;
        throw new ArgumentException($"Mask has {m.Length} values for {count} positions: one per position or per row of the last dimension", nameof(Mask));
    }

    /// <summary>Clears everything for the next batch.</summary>
    public void Clear()
    {
        Loss = 0;
        Count = 1;
        Logits = null;
        Targets = null;
        IgnoreIndex = -100;
        Predictions = null;
        RealTargets = null;
        Mask = null;
    }
}

/// <summary>A quantity accumulated over the batches of an epoch (training or validation).</summary>
public interface IMetric
{
    /// <summary>Name in histories and logs, e.g. <c>accuracy</c>; validation values are prefixed <c>val_</c>.</summary>
    string Name { get; }

    /// <summary>Whether a larger value is better (for early stopping defaults).</summary>
    bool HigherIsBetter { get; }

    /// <summary>Starts a new epoch.</summary>
    void Reset();

    /// <summary>Adds one batch.</summary>
    void Update(StepOutputs outputs);

    /// <summary>The value over the batches seen since <see cref="Reset"/> (NaN when none applied).</summary>
    double Value { get; }
}
