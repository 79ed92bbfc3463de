using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// Adam with PyTorch's exact update (torch.optim.Adam: L2 weight decay added to the gradient, optional AMSGrad;
/// the equations are on <see cref="AdamRule"/>). Slots: <c>exp_avg</c>, <c>exp_avg_sq</c>, and <c>max_exp_avg_sq</c>
/// with AMSGrad. The bias corrections use each parameter's own step count.
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">β1, decay of the first moment.</param>
    /// <param name="beta2">β2, decay of the second moment.</param>
    /// <param name="eps">ε, added to the denominator.</param>
    /// <param name="weightDecay">λ, L2 penalty added to the gradient.</param>
    /// <param name="amsGrad">Normalise by the running maximum of the second moment (AMSGrad).</param>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsGrad) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the groups' defaults.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : base(groups, lr, weightDecay, AdamSlots(amsGrad))
    {
        CheckAdamArguments(beta1, beta2, eps);
        Beta1 = beta1; Beta2 = beta2; Eps = eps; AmsGrad = amsGrad;
    }

    /// <summary>β1.</summary>
    public double Beta1 { get; }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>Whether AMSGrad is on.</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<string, double>> HyperParameters => AdamHyperParameters(Beta1, Beta2, Eps, AmsGrad);

    /// <inheritdoc />
    protected override void Update(ParameterGroup group, int index, Parameter parameter, long step) =>
        AdamRule.For(group, step, Beta1, Beta2, Eps, AmsGrad, decoupled: false)
            .Run(parameter, Slot(index, 0), Slot(index, 1), AmsGrad ? Slot(index, 2) : default);

    internal static string[] AdamSlots(bool amsGrad) => amsGrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];

    internal static void CheckAdamArguments(double beta1, double beta2, double eps)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"must be in [0, 1), got {beta1}");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"must be in [0, 1), got {beta2}");
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"must be finite and >= 0, got {eps}");
    }

    internal static KeyValuePair<string, double>[] AdamHyperParameters(double beta1, double beta2, double eps, bool amsGrad) =>
        [new("beta1", beta1), new("beta2", beta2), new("eps", eps), new("amsgrad", amsGrad ? 1 : 0)];
}
