namespace Recur.Training.Optimizers;

/// <summary>
/// The scalar half of an optimizer checkpoint (the tensors are in <see cref="Optimizer.StateDict"/>): plain data that
/// serialises to JSON as is (System.Text.Json).
/// </summary>
public sealed record OptimizerState
{
    /// <summary>The optimizer's kind, e.g. <c>Adam</c>; loading into another kind is refused.</summary>
    public required string Kind { get; init; }

    /// <summary>Calls of <see cref="Optimizer.Step"/> so far.</summary>
    public required long StepCount { get; init; }

    /// <summary>Per parameter (numbered across groups in order): the updates it received (PyTorch's <c>state[i]['step']</c>;
    /// frozen parameters do not count).</summary>
    public required long[] ParameterSteps { get; init; }

    /// <summary>Per group: learning rates and weight decay.</summary>
    public required ParameterGroupState[] Groups { get; init; }

    /// <summary>The optimizer-wide hyper-parameters (e.g. <c>beta1</c>, <c>momentum</c>); loading requires them to match.</summary>
    public required Dictionary<string, double> HyperParameters { get; init; }
}

/// <summary>The scalar state of one <see cref="ParameterGroup"/>.</summary>
/// <param name="ParameterCount">Parameters in the group (checked on load).</param>
/// <param name="LearningRate">The current learning rate.</param>
/// <param name="InitialLearningRate">The base learning rate schedules scale.</param>
/// <param name="WeightDecay">The weight decay λ.</param>
public sealed record ParameterGroupState(int ParameterCount, double LearningRate, double InitialLearningRate, double WeightDecay);
