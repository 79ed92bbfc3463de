namespace Recur.Training.Schedules;

/// <summary>
/// A schedule's checkpoint state: plain data that serialises to JSON as is (System.Text.Json). The hyper-parameters
/// (γ, T_max, ...) are not part of it; they come from the constructor of the schedule the state is loaded into.
/// </summary>
public sealed record ScheduleState
{
    /// <summary>The schedule's kind, e.g. <c>CosineAnnealing</c>; loading into another kind is refused.</summary>
    public required string Kind { get; init; }

    /// <summary>Steps since construction (PyTorch's <c>last_epoch</c>).</summary>
    public required int LastEpoch { get; init; }

    /// <summary>Per group: the base rates the schedule scales.</summary>
    public required double[] BaseLearningRates { get; init; }

    /// <summary>Per group: the rates set by the last step.</summary>
    public required double[] LastLearningRates { get; init; }

    /// <summary>Further counters of the kind (reduce-on-plateau: <c>best</c> when a metric was seen, <c>bad_epochs</c>,
    /// <c>cooldown_counter</c>); null when none.</summary>
    public Dictionary<string, double>? Values { get; init; }

    /// <summary>The states of the schedules a sequential schedule runs, in order; null otherwise.</summary>
    public ScheduleState[]? Children { get; init; }
}
