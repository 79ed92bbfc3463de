using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// Multiplies the rate by γ every <see cref="StepSize"/> steps: lr_t = base · γ^⌊t / step_size⌋
/// (PyTorch's <c>StepLR</c>).
/// </summary>
public sealed class StepDecay : ClosedFormSchedule
{
    /// <summary>Creates the schedule and sets the step-0 rates (the base rates).</summary>
    /// <param name="optimizer">The optimizer whose rates to set.</param>
    /// <param name="stepSize">Steps between decays (&gt; 0).</param>
    /// <param name="gamma">γ, the factor applied at each decay (&gt;= 0).</param>
    public StepDecay(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"must be > 0, got {stepSize}");
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), $"must be finite and >= 0, got {gamma}");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    protected override double ChainedRate(int epoch, double current, double baseRate) =>
        epoch == 0 || epoch % StepSize != 0 ? current : current * Gamma;

    /// <inheritdoc />
    protected override double ClosedFormRate(int epoch, double baseRate) => baseRate * Math.Pow(Gamma, epoch / StepSize);
}
