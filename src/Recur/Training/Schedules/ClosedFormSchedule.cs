using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// A schedule whose rate is a function of the step and the group's base rate. As in PyTorch, <see cref="Step"/> uses
/// the chainable form (the new rate from the group's current one, so schedules stepped together compose and a
/// rate changed by hand carries on), and a <see cref="SequentialSchedule"/> handing over restarts it at step 0 with
/// the closed form.
/// </summary>
public abstract class ClosedFormSchedule : LearningRateSchedule
{
    /// <summary>Attaches to <paramref name="optimizer"/>; the subclass calls <see cref="Start"/> once its fields are set.</summary>
    protected ClosedFormSchedule(Optimizer optimizer) : base(optimizer) { }

    /// <summary>The rate at step <paramref name="epoch"/> &gt;= 0 from the group's rate <paramref name="current"/> after step epoch-1 (PyTorch's <c>get_lr</c>).</summary>
    protected abstract double ChainedRate(int epoch, double current, double baseRate);

    /// <summary>The rate at step <paramref name="epoch"/> &gt;= 0 from the base rate alone (PyTorch's <c>_get_closed_form_lr</c>).</summary>
    protected abstract double ClosedFormRate(int epoch, double baseRate);

    /// <summary>Takes step 0 (PyTorch's initial step in the constructor).</summary>
    protected void Start() => Step();

    /// <inheritdoc />
    public sealed override void Step()
    {
        LastEpoch++;
        var groups = Optimizer.Groups;
        for (int g = 0; g < groups.Count; g++)
            groups[g].LearningRate = ChainedRate(LastEpoch, groups[g].LearningRate, BaseLearningRates[g]);
        RecordLearningRates();
    }

    /// <summary>Jumps to step <paramref name="epoch"/> with the closed form (PyTorch's <c>step(epoch)</c>).</summary>
    internal void StepTo(int epoch)
    {
        LastEpoch = epoch;
        var groups = Optimizer.Groups;
        for (int g = 0; g < groups.Count; g++)
            groups[g].LearningRate = ClosedFormRate(epoch, BaseLearningRates[g]);
        RecordLearningRates();
    }
}
