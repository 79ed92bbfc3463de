using System.Runtime.Intrinsics;
using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// RMSprop with PyTorch's exact update (torch.optim.RMSprop, maximize off). For a parameter θ with gradient g:
/// <code>
///   g ← g + λθ                                      (weight decay λ)
///   s ← α s + (1-α) g g                             (slot square_avg)
///   ḡ ← α ḡ + (1-α) g;  d ← sqrt(s - ḡ ḡ) + ε       (centered; slot grad_avg)
///   d ← sqrt(s) + ε                                 (otherwise)
///   b ← μ b + g / d;  θ ← θ - lr b                  (momentum μ &gt; 0; slot momentum_buffer, starts at 0)
///   θ ← θ - lr g / d                                (otherwise)
/// </code>
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly int _gradAvgSlot = -1, _momentumSlot = -1;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="alpha">α, decay of the running mean square.</param>
    /// <param name="eps">ε, added to the denominator.</param>
    /// <param name="weightDecay">λ, L2 penalty added to the gradient.</param>
    /// <param name="momentum">μ; 0 for none.</param>
    /// <param name="centered">Normalise by the estimated variance (mean square minus squared mean).</param>
    public RmsProp(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates the optimizer over parameter groups; <paramref name="lr"/> and <paramref name="weightDecay"/> are the groups' defaults.</summary>
    public RmsProp(IEnumerable<ParameterGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(groups, lr, weightDecay, SlotNames(momentum, centered))
    {
        if (!(alpha >= 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"must be finite and >= 0, got {alpha}");
        if (!(eps >= 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), $"must be finite and >= 0, got {eps}");
        if (!(momentum >= 0) || double.IsInfinity(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), $"must be finite and >= 0, got {momentum}");
        Alpha = alpha; Eps = eps; Momentum = momentum; Centered = centered;
        int next = 1;
        if (centered) _gradAvgSlot = next++;
        if (momentum > 0) _momentumSlot = next;
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the denominator is centred.</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<string, double>> HyperParameters =>
        [new("alpha", Alpha), new("eps", Eps), new("momentum", Momentum), new("centered", Centered ? 1 : 0)];

    /// <inheritdoc />
    protected override void Update(ParameterGroup group, int index, Parameter parameter, long step)
    {
        var rule = new Rule
        {
            WeightDecay = (float)group.WeightDecay,
            HasWeightDecay = group.WeightDecay != 0,
            Alpha = (float)Alpha,
            OneMinusAlpha = (float)(1 - Alpha),
            Eps = (float)Eps,
            Centered = Centered,
            UseMomentum = Momentum > 0,
            Momentum = (float)Momentum,
            NegativeLearningRate = (float)-group.LearningRate,
        };
        ElementwiseUpdate.Run(rule, parameter.Value.Span, parameter.Grad.Span, Slot(index, 0),
            Centered ? Slot(index, _gradAvgSlot) : default, Momentum > 0 ? Slot(index, _momentumSlot) : default);
    }

    private static string[] SlotNames(double momentum, bool centered) =>
        ["square_avg", .. centered ? new[] { "grad_avg" } : [], .. momentum > 0 ? new[] { "momentum_buffer" } : []];

    /// <summary>The update of 8 elements; a: square_avg, b: grad_avg, c: momentum_buffer. Rounds as PyTorch's ops:
    /// <c>add(x, alpha)</c> and <c>addcmul</c> fused, <c>addcdiv</c> as value·t1 / t2 then add.</summary>
    private struct Rule : IElementwiseRule
    {
        public float WeightDecay, Alpha, OneMinusAlpha, Eps, Momentum, NegativeLearningRate;
        public bool HasWeightDecay, Centered, UseMomentum;

        public readonly void Apply(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c)
        {
            if (HasWeightDecay) g = Vector256.FusedMultiplyAdd(w, Vector256.Create(WeightDecay), g);
            a = Vector256.FusedMultiplyAdd(g * OneMinusAlpha, g, a * Alpha);
            Vector256<float> avg;
            if (Centered)
            {
                b = Vector256.FusedMultiplyAdd(g, Vector256.Create(OneMinusAlpha), b * Alpha);
                avg = Vector256.Sqrt(Vector256.FusedMultiplyAdd(-b, b, a));
            }
            else avg = Vector256.Sqrt(a);
            avg += Vector256.Create(Eps);
            if (UseMomentum)
            {
                c = c * Momentum + g / avg;
                w = Vector256.FusedMultiplyAdd(c, Vector256.Create(NegativeLearningRate), w);
            }
            else w += g * NegativeLearningRate / avg;
        }
    }
}
