using System.Runtime.Intrinsics;
using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// Adagrad with PyTorch's exact update (torch.optim.Adagrad, dense gradients, maximize off). For a parameter θ with
/// gradient g at its step t:
/// <code>
///   g ← g + λθ                               (weight decay λ)
///   clr = lr / (1 + (t - 1) η)               (learning-rate decay η)
///   s ← s + g g                              (slot sum, starting at initial_accumulator_value)
///   θ ← θ - clr g / (sqrt(s) + ε)
/// </code>
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="lrDecay">η, the learning rate's 1/(1 + (t-1)η) decay.</param>
    /// <param name="weightDecay">λ, L2 penalty added to the gradient.</param>
    /// <param name="initialAccumulatorValue">Starting value of the sum of squares.</param>
    /// <param name="eps">ε, added to the denominator.</param>
    public Adagrad(IEnumerable<Parameter> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : this(OneGroup(parameters), lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the groups' defaults.</summary>
    public Adagrad(IEnumerable<ParameterGroup> groups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(groups, lr, weightDecay, "sum")
    {
        if (!(lrDecay >= 0) || double.IsInfinity(lrDecay)) throw new ArgumentOutOfRangeException(nameof(lrDecay), $"must be finite and >= 0, got {lrDecay}");
        if (!(initialAccumulatorValue >= 0) || double.IsInfinity(initialAccumulatorValue))
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), $"must be finite and >= 0, got {initialAccumulatorValue}");
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"must be finite and >= 0, got {eps}");
        LrDecay = lrDecay; InitialAccumulatorValue = initialAccumulatorValue; Eps = eps;
    }

    /// <summary>η.</summary>
    public double LrDecay { get; }

    /// <summary>The sum of squares' starting value.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<string, double>> HyperParameters =>
        [new("lr_decay", LrDecay), new("initial_accumulator_value", InitialAccumulatorValue), new("eps", Eps)];

    /// <inheritdoc />
    protected override void Update(ParameterGroup group, int index, Parameter parameter, long step)
    {
        double clr = group.LearningRate / (1 + (step - 1) * LrDecay);
        var rule = new Rule
        {
            WeightDecay = (float)group.WeightDecay,
            HasWeightDecay = group.WeightDecay != 0,
            Eps = (float)Eps,
            NegativeLearningRate = (float)-clr,
        };
        ElementwiseUpdate.Run(rule, parameter.Value.Span, parameter.Grad.Span, Slot(index, 0, (float)InitialAccumulatorValue), default, default);
    }

    /// <summary>The update of 8 elements; a: sum. <c>addcmul</c> is fused in PyTorch, <c>addcdiv</c> is value·t1 / t2 then add.</summary>
    private struct Rule : IElementwiseRule
    {
        public float WeightDecay, Eps, NegativeLearningRate;
        public bool HasWeightDecay;

        public readonly void Apply(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c)
        {
            if (HasWeightDecay) g = Vector256.FusedMultiplyAdd(w, Vector256.Create(WeightDecay), g);
            a = Vector256.FusedMultiplyAdd(g, g, a);
            w += g * NegativeLearningRate / (Vector256.Sqrt(a) + Vector256.Create(Eps));
        }
    }
}
