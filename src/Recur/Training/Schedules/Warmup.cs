using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>Linear learning-rate warm-up, built from <see cref="LinearRamp"/> and <see cref="SequentialSchedule"/>.</summary>
public static class Warmup
{
    /// <summary>
    /// Ramps the rate linearly from base · <paramref name="startFactor"/> to base over <paramref name="steps"/> steps,
    /// then holds it.
    /// </summary>
    public static LinearRamp Linear(Optimizer optimizer, int steps, double startFactor) =>
        new(optimizer, startFactor, 1.0, steps);

    /// <summary>
    /// Ramps the rate linearly from base · <paramref name="startFactor"/> to base over <paramref name="steps"/> steps,
    /// then hands over to <paramref name="then"/> (made on the same optimizer), which starts from its step 0 — PyTorch's
    /// <c>SequentialLR([LinearLR(opt, startFactor, 1, steps), then], milestones=[steps])</c>.
    /// </summary>
    public static SequentialSchedule Linear(Optimizer optimizer, int steps, double startFactor, ClosedFormSchedule then) =>
        new(optimizer, [new LinearRamp(optimizer, startFactor, 1.0, steps), then], [steps]);
}
