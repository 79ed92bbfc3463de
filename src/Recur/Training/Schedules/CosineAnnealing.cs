using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>
/// Cosine annealing from the base rate down to η_min over T_max steps and back up over the next T_max (no restarts
/// of the "warm restarts" kind): lr_t = η_min + (base - η_min) (1 + cos(π t / T_max)) / 2
/// (PyTorch's <c>CosineAnnealingLR</c>, stepped by its recursive form, whose values it reproduces exactly).
/// </summary>
public sealed class CosineAnnealing : ClosedFormSchedule
{
    /// <summary>Creates the schedule and sets the step-0 rates (the base rates).</summary>
    /// <param name="optimizer">The optimizer whose rates to set.</param>
    /// <param name="tMax">T_max, steps from the base rate to η_min (&gt; 0).</param>
    /// <param name="etaMin">η_min, the lowest rate (&gt;= 0).</param>
    public CosineAnnealing(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"must be > 0, got {tMax}");
        if (!(etaMin >= 0) || double.IsInfinity(etaMin)) throw new ArgumentOutOfRangeException(nameof(etaMin), $"must be finite and >= 0, got {etaMin}");
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    /// <summary>T_max.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc />
    protected override double ChainedRate(int epoch, double current, double baseRate)
    {
        if (epoch == 0) return current;
        // At t = T_max + 1 (mod 2 T_max) the ratio below is 0/0: step up from the minimum by the closed form's increment.
        if ((epoch - 1 - TMax) % (2 * TMax) == 0)
            return current + (baseRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        // lr_t - η_min = (lr_{t-1} - η_min) (1 + cos(π t / T)) / (1 + cos(π (t-1) / T)).
        return (1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax)) * (current - EtaMin) + EtaMin;
    }

    /// <inheritdoc />
    protected override double ClosedFormRate(int epoch, double baseRate) =>
        EtaMin + (baseRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
