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
