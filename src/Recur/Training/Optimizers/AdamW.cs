using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// AdamW with PyTorch's exact update (torch.optim.AdamW): Adam whose weight decay shrinks the parameter,
/// θ ← (1 - lr λ) θ, before the moment update instead of entering the gradient (equations on <see cref="AdamRule"/>).
/// Slots as <see cref="Adam"/>. PyTorch's default λ = 0.01.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">β1, decay of the first moment.</param>
    /// <param name="beta2">β2, decay of the second moment.</param>
    /// <param name="eps">ε, added to the denominator.</param>
    /// <param name="weightDecay">λ, decoupled decay rate (scaled by the learning rate).</param>
    /// <param name="amsGrad">Normalise by the running maximum of the second moment (AMSGrad).</param>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsGrad = false)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay, amsGrad) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the groups' defaults.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsGrad = false)
        : base(groups, lr, weightDecay, Adam.AdamSlots(amsGrad))
    {
        Adam.CheckAdamArguments(beta1, beta2, eps);
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
    protected override IEnumerable<KeyValuePair<string, double>> HyperParameters => Adam.AdamHyperParameters(Beta1, Beta2, Eps, AmsGrad);

    /// <inheritdoc />
    protected override void Update(ParameterGroup group, int index, Parameter parameter, long step) =>
        AdamRule.For(group, step, Beta1, Beta2, Eps, AmsGrad, decoupled: true)
            .Run(parameter, Slot(index, 0), Slot(index, 1), AmsGrad ? Slot(index, 2) : default);
}
