using Recur.Training.Optimizers;

namespace Recur.Training.Schedules;

/// <summary>Whether a monitored metric should go down (a loss) or up (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>How much better a metric must be than the best so far to count as an improvement.</summary>
public enum PlateauThreshold
{
    /// <summary>Better than best · (1 ∓ threshold).</summary>
    Relative,

    /// <summary>Better than best ∓ threshold.</summary>
    Absolute,
}

/// <summary>
/// Cuts the learning rate when a monitored metric stops improving (PyTorch's <c>ReduceLROnPlateau</c>): after more
/// than <see cref="Patience"/> steps without improvement every group's rate becomes max(lr · factor, min_lr), unless
/// that changes it by <see cref="Eps"/> or less; then <see cref="Cooldown"/> steps pass in which bad steps are not
/// counted. Call <see cref="Step"/> with the metric, usually once per epoch after validation.
/// </summary>
public sealed class ReduceOnPlateau
{
    private readonly double[] _minLearningRates;
    private readonly double[] _lastLearningRates;

    /// <summary>Creates the schedule; the rates are unchanged until a plateau.</summary>
    /// <param name="optimizer">The optimizer whose rates to cut.</param>
    /// <param name="mode">Whether the metric should fall or rise.</param>
    /// <param name="factor">The factor applied at a cut, in [0, 1).</param>
    /// <param name="patience">Steps without improvement tolerated before a cut (&gt;= 0).</param>
    /// <param name="threshold">The least improvement that counts (&gt;= 0).</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative to the best or absolute.</param>
    /// <param name="cooldown">Steps after a cut in which bad steps are not counted (&gt;= 0).</param>
    /// <param name="minLearningRate">The lowest rate of every group (&gt;= 0).</param>
    /// <param name="eps">Cuts changing a rate by this much or less are skipped.</param>
    public ReduceOnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, PlateauThreshold thresholdMode = PlateauThreshold.Relative, int cooldown = 0,
        double minLearningRate = 0, double eps = 1e-8)
        : this(optimizer, mode, factor, patience, threshold, thresholdMode, cooldown,
            Enumerable.Repeat(minLearningRate, optimizer?.Groups.Count ?? 0).ToArray(), eps) { }

    /// <summary>Creates the schedule with a lowest rate per group (<paramref name="minLearningRates"/>, one per group).</summary>
    public ReduceOnPlateau(Optimizer optimizer, PlateauMode mode, double factor, int patience, double threshold,
        PlateauThreshold thresholdMode, int cooldown, IReadOnlyList<double> minLearningRates, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(minLearningRates);
        if (!(factor >= 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), $"must be in [0, 1), got {factor}");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), $"must be >= 0, got {patience}");
        if (!(threshold >= 0) || double.IsInfinity(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), $"must be finite and >= 0, got {threshold}");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), $"must be >= 0, got {cooldown}");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"must be >= 0, got {eps}");
        if (minLearningRates.Count != optimizer.Groups.Count)
            throw new ArgumentException($"expected {optimizer.Groups.Count} minimum rates (one per group), got {minLearningRates.Count}", nameof(minLearningRates));
        foreach (double m in minLearningRates)
            if (!(m >= 0)) throw new ArgumentOutOfRangeException(nameof(minLearningRates), $"must be >= 0, got {m}");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), $"unknown mode {mode}");
        if (!Enum.IsDefined(thresholdMode)) throw new ArgumentOutOfRangeException(nameof(thresholdMode), $"unknown threshold mode {thresholdMode}");
        Optimizer = optimizer;
        Mode = mode; Factor = factor; Patience = patience; Threshold = threshold; ThresholdMode = thresholdMode;
        Cooldown = cooldown; Eps = eps;
        _minLearningRates = minLearningRates.ToArray();
        _lastLearningRates = optimizer.Groups.Select(g => g.LearningRate).ToArray();
        Best = WorstValue;
    }

    /// <summary>The optimizer whose rates this schedule cuts.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied at a cut.</summary>
    public double Factor { get; }

    /// <summary>Steps without improvement tolerated before a cut.</summary>
    public int Patience { get; }

    /// <summary>The least improvement that counts.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public PlateauThreshold ThresholdMode { get; }

    /// <summary>Steps after a cut in which bad steps are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The smallest change of a rate worth making.</summary>
    public double Eps { get; }

    /// <summary>Per group: the lowest rate.</summary>
    public IReadOnlyList<double> MinLearningRates => _minLearningRates;

    /// <summary>The best metric so far (+∞ for <see cref="PlateauMode.Min"/>, -∞ for Max before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive steps without improvement (outside cooldown).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Cooldown steps left.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Steps taken.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Per group: the rates after the last step; a live view, updated in place by each step.</summary>
    public IReadOnlyList<double> LastLearningRates => _lastLearningRates;

    private double WorstValue => Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Records <paramref name="metric"/> for one step (NaN never counts as an improvement) and cuts the rates on a plateau.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else BadEpochs++;
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            BadEpochs = 0;
        }
        if (BadEpochs > Patience)
        {
            var groups = Optimizer.Groups;
            for (int g = 0; g < groups.Count; g++)
            {
                double old = groups[g].LearningRate, cut = Math.Max(old * Factor, _minLearningRates[g]);
                if (old - cut > Eps) groups[g].LearningRate = cut;
            }
            CooldownCounter = Cooldown;
            BadEpochs = 0;
        }
        for (int g = 0; g < _lastLearningRates.Length; g++) _lastLearningRates[g] = Optimizer.Groups[g].LearningRate;
    }

    private bool IsBetter(double value, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, PlateauThreshold.Relative) => value < best * (1.0 - Threshold),
        (PlateauMode.Min, PlateauThreshold.Absolute) => value < best - Threshold,
        (PlateauMode.Max, PlateauThreshold.Relative) => value > best * (Threshold + 1.0),
        _ => value > best + Threshold,
    };

    /// <summary>The state for a checkpoint (<c>best</c> is left out while no metric was seen, keeping the JSON finite).</summary>
    public ScheduleState ExportState()
    {
        var values = new Dictionary<string, double> { ["bad_epochs"] = BadEpochs, ["cooldown_counter"] = CooldownCounter };
        if (!double.IsInfinity(Best)) values["best"] = Best;
        return new ScheduleState
        {
            Kind = nameof(ReduceOnPlateau),
            LastEpoch = LastEpoch,
            BaseLearningRates = Optimizer.Groups.Select(g => g.InitialLearningRate).ToArray(),
            LastLearningRates = (double[])_lastLearningRates.Clone(),
            Values = values,
        };
    }

    /// <summary>Restores a state from <see cref="ExportState"/>; the optimizer's rates come from the optimizer's own state.</summary>
    public void LoadState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        LearningRateSchedule.CheckState(state, nameof(ReduceOnPlateau), Optimizer.Groups.Count);
        var values = state.Values ?? [];
        if (!values.TryGetValue("bad_epochs", out double bad) || !values.TryGetValue("cooldown_counter", out double cooldown))
            throw new ArgumentException("the state lacks bad_epochs or cooldown_counter", nameof(state));
        LastEpoch = state.LastEpoch;
        BadEpochs = checked((int)bad);
        CooldownCounter = checked((int)cooldown);
        Best = values.TryGetValue("best", out double best) ? best : WorstValue;
        state.LastLearningRates.CopyTo(_lastLearningRates, 0);
    }
}
