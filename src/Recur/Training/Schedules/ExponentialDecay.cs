using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>Multiplies the rate by γ every step: lr_t = base · γ^t (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialDecay : ClosedFormSchedule
{
    /// <summary>Creates the schedule and sets the step-0 rates (the base rates).</summary>
    /// <param name="optimizer">The optimizer whose rates to set.</param>
    /// <param name="gamma">γ (&gt;= 0).</param>
    public ExponentialDecay(Optimizer optimizer, double gamma) : base(optimizer)
    {
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), $"must be finite and >= 0, got {gamma}");
        Gamma = gamma;
        Start();
    }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    protected override double ChainedRate(int epoch, double current, double baseRate) => epoch == 0 ? current : current * Gamma;

    /// <inheritdoc />
    protected override double ClosedFormRate(int epoch, double baseRate) => baseRate * Math.Pow(Gamma, epoch);
}
