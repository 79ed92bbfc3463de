using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// Runs schedules one after another (PyTorch's <c>SequentialLR</c>): schedule k is stepped from milestone k-1 on,
/// restarting at its step 0 (its closed form) when it takes over. Making it resets the groups' rates to their base
/// and takes the first schedule's step 0. The usual use is a warm-up: see <see cref="Warmup"/>.
/// </summary>
public sealed class SequentialSchedule : LearningRateSchedule
{
    private readonly ClosedFormSchedule[] _schedules;
    private readonly int[] _milestones;

    /// <summary>Combines <paramref name="schedules"/> (all made on <paramref name="optimizer"/>) switching at <paramref name="milestones"/>.</summary>
    /// <param name="optimizer">The optimizer the schedules set.</param>
    /// <param name="schedules">At least one schedule.</param>
    /// <param name="milestones">One fewer than <paramref name="schedules"/>, strictly increasing, &gt; 0: the step at which the next schedule takes over.</param>
    public SequentialSchedule(Optimizer optimizer, IReadOnlyList<ClosedFormSchedule> schedules, IReadOnlyList<int> milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0) throw new ArgumentException("needs at least one schedule, got none", nameof(schedules));
        for (int i = 0; i < schedules.Count; i++)
        {
            if (schedules[i] is null) throw new ArgumentException($"schedule {i} is null", nameof(schedules));
            if (!ReferenceEquals(schedules[i].Optimizer, optimizer))
                throw new ArgumentException($"schedule {i} sets another optimizer than this one", nameof(schedules));
        }
        if (milestones.Count != schedules.Count - 1)
            throw new ArgumentException($"expected {schedules.Count - 1} milestones for {schedules.Count} schedules, got {milestones.Count}", nameof(milestones));
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] <= (i == 0 ? 0 : milestones[i - 1]))
                throw new ArgumentException($"milestones must be > 0 and strictly increasing, got [{string.Join(", ", milestones)}]", nameof(milestones));
        _schedules = schedules.ToArray();
        _milestones = milestones.ToArray();

        LastEpoch = 0;
        foreach (var group in optimizer.Groups) group.LearningRate = group.InitialLearningRate;
        // Undo the step 0 each schedule took when it was made, then take the first one's again.
        foreach (var s in _schedules) s.LastEpoch--;
        _schedules[0].Step();
        RecordLearningRates();
    }

    /// <summary>The schedules, in order.</summary>
    public IReadOnlyList<ClosedFormSchedule> Schedules => _schedules;

    /// <summary>The steps at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <inheritdoc />
    public override void Step()
    {
        LastEpoch++;
        int index = 0;
        while (index < _milestones.Length && _milestones[index] <= LastEpoch) index++;
        var schedule = _schedules[index];
        if (index > 0 && _milestones[index - 1] == LastEpoch) schedule.StepTo(0);
        else schedule.Step();
        RecordLearningRates();
    }

    /// <inheritdoc />
    public override ScheduleState ExportState() => base.ExportState() with { Children = _schedules.Select(s => s.ExportState()).ToArray() };

    /// <inheritdoc />
    public override void LoadState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Children?.Length != _schedules.Length)
            throw new ArgumentException($"expected the states of {_schedules.Length} schedules, got {state.Children?.Length ?? 0}", nameof(state));
        base.LoadState(state);
        for (int i = 0; i < _schedules.Length; i++) _schedules[i].LoadState(state.Children[i]);
    }
}
