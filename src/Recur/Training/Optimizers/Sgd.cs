using System.Runtime.Intrinsics;
using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with PyTorch's update (torch.optim.SGD, maximize off). For a parameter θ with gradient g:
/// <code>
///   d ← g + λθ                                        (weight decay λ)
///   b ← d on the first step, else μ b + (1 - τ) d     (momentum μ > 0, dampening τ; slot momentum_buffer)
///   d ← d + μ b  (Nesterov)   or   d ← b              (momentum μ > 0)
///   θ ← θ - lr d
/// </code>
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="lr">Learning rate (no default, as in PyTorch).</param>
    /// <param name="momentum">μ; 0 for plain SGD.</param>
    /// <param name="dampening">τ, the share of the new direction held back from the momentum buffer.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient.</param>
    public Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : this(OneGroup(parameters), lr, momentum, dampening, nesterov, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the groups' defaults.</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(groups, lr, weightDecay, momentum != 0 ? ["momentum_buffer"] : [])
    {
        if (!(momentum >= 0) || double.IsInfinity(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), $"must be finite and >= 0, got {momentum}");
        if (double.IsNaN(dampening) || double.IsInfinity(dampening)) throw new ArgumentOutOfRangeException(nameof(dampening), $"must be finite, got {dampening}");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum needs momentum > 0 and dampening = 0, got momentum {momentum}, dampening {dampening}", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>Whether the step uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<string, double>> HyperParameters =>
        [new("momentum", Momentum), new("dampening", Dampening), new("nesterov", Nesterov ? 1 : 0)];

    /// <inheritdoc />
    protected override void Update(ParameterGroup group, int index, Parameter parameter, long step)
    {
        bool useMomentum = Momentum != 0;
        var rule = new Rule
        {
            WeightDecay = (float)group.WeightDecay,
            HasWeightDecay = group.WeightDecay != 0,
            UseMomentum = useMomentum,
            FirstStep = useMomentum && !HasSlot(index, 0),
            Momentum = (float)Momentum,
            OneMinusDampening = (float)(1 - Dampening),
            Nesterov = Nesterov,
            NegativeLearningRate = (float)-group.LearningRate,
        };
        var buffer = useMomentum ? Slot(index, 0) : default;
        ElementwiseUpdate.Run(rule, parameter.Value.Span, parameter.Grad.Span, buffer, default, default);
    }

    /// <summary>The update of 8 elements; a: momentum buffer. Each line rounds as the PyTorch op it mirrors
    /// (<c>add(x, alpha)</c> is a fused multiply-add on PyTorch's vectorised CPU path).</summary>
    private struct Rule : IElementwiseRule
    {
        public float WeightDecay, Momentum, OneMinusDampening, NegativeLearningRate;
        public bool HasWeightDecay, UseMomentum, FirstStep, Nesterov;

        public readonly void Apply(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c)
        {
            var d = HasWeightDecay ? Vector256.FusedMultiplyAdd(w, Vector256.Create(WeightDecay), g) : g;
            if (UseMomentum)
            {
                a = FirstStep ? d : Vector256.FusedMultiplyAdd(d, Vector256.Create(OneMinusDampening), a * Momentum);
                d = Nesterov ? Vector256.FusedMultiplyAdd(a, Vector256.Create(Momentum), d) : a;
            }
            w = Vector256.FusedMultiplyAdd(d, Vector256.Create(NegativeLearningRate), w);
        }
    }
}
