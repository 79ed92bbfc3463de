using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// Base of the schedules stepped without a metric: <see cref="Step"/> once per epoch or once per batch, as the
/// training loop chooses, after <see cref="Optimizer.Step"/> (PyTorch's order). Each schedule sets the learning rate
/// of every parameter group of its optimizer from the group's base rate
/// (<see cref="ParameterGroup.InitialLearningRate"/>), so groups keep their own rates.
/// Like PyTorch's, a schedule sets its step-0 rate when it is made (e.g. a warm-up starts low at once).
/// </summary>
public abstract class LearningRateSchedule
{
    private double[] _baseLearningRates;
    private readonly double[] _lastLearningRates;

    /// <summary>Attaches to <paramref name="optimizer"/>, fixing each group's base rate if no schedule did yet.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        foreach (var group in optimizer.Groups) group.FixInitialLearningRate();
        _baseLearningRates = optimizer.Groups.Select(g => g.InitialLearningRate).ToArray();
        _lastLearningRates = (double[])_baseLearningRates.Clone();
        LastEpoch = -1;
    }

    /// <summary>The optimizer whose groups' rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Per group: the base rate.</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseLearningRates;

    /// <summary>Steps taken since construction (0 right after it; PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; internal set; }

    /// <summary>Per group: the rates set by the last step (or by construction); a live view, updated in place by each step.</summary>
    public IReadOnlyList<double> LastLearningRates => _lastLearningRates;

    /// <summary>Advances one step (an epoch or a batch) and sets the groups' rates.</summary>
    public abstract void Step();

    /// <summary>Records the groups' current rates as <see cref="LastLearningRates"/> (in place: steps allocate nothing).</summary>
    protected void RecordLearningRates()
    {
        var groups = Optimizer.Groups;
        for (int g = 0; g < groups.Count; g++) _lastLearningRates[g] = groups[g].LearningRate;
    }

    /// <summary>The state for a checkpoint.</summary>
    public virtual ScheduleState ExportState() => new()
    {
        Kind = GetType().Name,
        LastEpoch = LastEpoch,
        BaseLearningRates = (double[])_baseLearningRates.Clone(),
        LastLearningRates = (double[])_lastLearningRates.Clone(),
    };

    /// <summary>Restores a state from <see cref="ExportState"/> of a schedule of the same kind on an optimizer with as many
    /// groups. The optimizer's current rates come from the optimizer's own state, not from here.</summary>
    public virtual void LoadState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        CheckState(state, GetType().Name, Optimizer.Groups.Count);
        LastEpoch = state.LastEpoch;
        _baseLearningRates = (double[])state.BaseLearningRates.Clone();
        state.LastLearningRates.CopyTo(_lastLearningRates, 0);
    }

    internal static void CheckState(ScheduleState state, string kind, int groups)
    {
        if (state.Kind != kind) throw new ArgumentException($"the state is from a {state.Kind} schedule, this is a {kind}", nameof(state));
        if (state.BaseLearningRates?.Length != groups || state.LastLearningRates?.Length != groups)
            throw new ArgumentException(
                $"expected rates for {groups} groups, the state has {state.BaseLearningRates?.Length ?? 0} base and {state.LastLearningRates?.Length ?? 0} last rates",
                nameof(state));
    }
}
