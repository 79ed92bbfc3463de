using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// A set of parameters sharing a learning rate and a weight decay (PyTorch's <c>param_groups</c>), e.g. embeddings
/// trained with a smaller rate or biases without weight decay. Values left null at construction take the
/// optimizer's defaults when the group is handed to an optimizer; a group belongs to one optimizer only.
/// </summary>
public sealed class ParameterGroup
{
    private readonly double? _learningRate, _weightDecay;
    private double _currentLearningRate, _currentWeightDecay;
    private bool _attached, _initialFixed;

    /// <summary>Creates a group of <paramref name="parameters"/> with optional overrides of the optimizer's defaults.</summary>
    public ParameterGroup(IEnumerable<Parameter> parameters, double? learningRate = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("a parameter group needs at least one parameter, got none", nameof(parameters));
        for (int i = 0; i < Parameters.Count; i++)
            if (Parameters[i] is null) throw new ArgumentException($"parameter {i} is null", nameof(parameters));
        if (learningRate is { } lr) CheckLearningRate(lr, nameof(learningRate));
        if (weightDecay is { } wd) CheckWeightDecay(wd, nameof(weightDecay));
        _learningRate = learningRate;
        _weightDecay = weightDecay;
    }

    /// <summary>The parameters, in the order their optimizer state is numbered.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate used by the next step; schedules change it.</summary>
    public double LearningRate
    {
        get => _currentLearningRate;
        set { CheckLearningRate(value, nameof(value)); _currentLearningRate = value; }
    }

    /// <summary>The base rate schedules scale (PyTorch's <c>initial_lr</c>): the group's rate when the optimizer was made,
    /// or when the first schedule on it was made.</summary>
    public double InitialLearningRate { get; private set; }

    /// <summary>The weight decay λ (L2 penalty, or decoupled for AdamW).</summary>
    public double WeightDecay
    {
        get => _currentWeightDecay;
        set { CheckWeightDecay(value, nameof(value)); _currentWeightDecay = value; }
    }

    /// <summary>
    /// Called by each schedule made on the optimizer: the first one fixes <see cref="InitialLearningRate"/> to the
    /// current rate (PyTorch's <c>setdefault('initial_lr', lr)</c>), so a rate changed before any schedule exists is
    /// the base the schedules scale.
    /// </summary>
    internal void FixInitialLearningRate()
    {
        if (_initialFixed) return;
        _initialFixed = true;
        InitialLearningRate = LearningRate;
    }

    /// <summary>Restores a checkpointed base rate (fixed from then on).</summary>
    internal void RestoreInitialLearningRate(double value)
    {
        CheckLearningRate(value, nameof(value));
        InitialLearningRate = value;
        _initialFixed = true;
    }

    /// <summary>Fills in the optimizer's defaults; called once by the optimizer that takes the group.</summary>
    internal void Attach(double defaultLearningRate, double defaultWeightDecay)
    {
        if (_attached) throw new ArgumentException("this parameter group already belongs to an optimizer; create a new group for each optimizer");
        _attached = true;
        LearningRate = InitialLearningRate = _learningRate ?? defaultLearningRate;
        WeightDecay = _weightDecay ?? defaultWeightDecay;
    }

    internal static void CheckLearningRate(double lr, string argument)
    {
        if (!(lr >= 0) || double.IsInfinity(lr)) throw new ArgumentOutOfRangeException(argument, $"learning rate must be finite and >= 0, got {lr}");
    }

    internal static void CheckWeightDecay(double wd, string argument)
    {
        if (!(wd >= 0) || double.IsInfinity(wd)) throw new ArgumentOutOfRangeException(argument, $"weight decay must be finite and >= 0, got {wd}");
    }
}
