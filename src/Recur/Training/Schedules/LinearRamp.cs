using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// Scales the base rate by a factor moving linearly from <see cref="StartFactor"/> to <see cref="EndFactor"/> over
/// <see cref="TotalSteps"/> steps, then holds it: lr_t = base · (s + (e - s) · min(t, N) / N)
/// (PyTorch's <c>LinearLR</c>). With s &lt; 1 = e it is a linear warm-up; see also <see cref="Warmup"/>.
/// </summary>
public sealed class LinearRamp : ClosedFormSchedule
{
    /// <summary>Creates the schedule and sets the step-0 rates (base · <paramref name="startFactor"/>).</summary>
    /// <param name="optimizer">The optimizer whose rates to set.</param>
    /// <param name="startFactor">s, in (0, 1].</param>
    /// <param name="endFactor">e, in [0, 1].</param>
    /// <param name="totalSteps">N, steps to reach e (&gt; 0).</param>
    public LinearRamp(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalSteps = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"must be in (0, 1], got {startFactor}");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(endFactor), $"must be in [0, 1], got {endFactor}");
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"must be > 0, got {totalSteps}");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalSteps = totalSteps;
        Start();
    }

    /// <summary>s.</summary>
    public double StartFactor { get; }

    /// <summary>e.</summary>
    public double EndFactor { get; }

    /// <summary>N.</summary>
    public int TotalSteps { get; }

    /// <inheritdoc />
    protected override double ChainedRate(int epoch, double current, double baseRate)
    {
        if (epoch == 0) return current * StartFactor;
        if (epoch > TotalSteps) return current;
        // factor_t / factor_{t-1} = 1 + (e - s) / (N s + (t - 1)(e - s)).
        return current * (1.0 + (EndFactor - StartFactor) / (TotalSteps * StartFactor + (epoch - 1) * (EndFactor - StartFactor)));
    }

    /// <inheritdoc />
    protected override double ClosedFormRate(int epoch, double baseRate) =>
        baseRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalSteps, epoch) / TotalSteps);
}
