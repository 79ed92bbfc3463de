using System.Runtime.Intrinsics;
using Recur.Layers;

namespace Recur.Training.Optimizers;

/// <summary>
/// The moment update Adam and AdamW share (torch.optim.adam / adamw, single-tensor path), for 8 elements;
/// a: exp_avg m, b: exp_avg_sq v, c: max_exp_avg_sq (amsgrad). With β1, β2, ε, step t, lr:
/// <code>
///   θ ← (1 - lr λ) θ                                   (AdamW: decoupled decay)
///   g ← g + λθ                                         (Adam: L2 decay)
///   m ← β1 m + (1-β1) g;   v ← β2 v + (1-β2) g g;   v̂ ← max(v̂, v) (amsgrad, else v̂ = v)
///   θ ← θ + (-lr / (1-β1^t)) m / (sqrt(v̂) / sqrt(1-β2^t) + ε)
/// </code>
/// The scalars are formed in double and rounded to float once, as PyTorch passes them to its float32 kernels;
/// <c>add(x, alpha)</c> and <c>addcmul</c> are fused multiply-adds there, <c>addcdiv</c> is not.
/// </summary>
internal struct AdamRule : IElementwiseRule
{
    public float DecoupledScale, WeightDecay, Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, BiasCorrection2Sqrt, Eps, NegativeStepSize;
    public bool Decoupled, HasWeightDecay, AmsGrad;

    /// <summary>The rule for one step of a parameter (scalars per PyTorch's formulas).</summary>
    public static AdamRule For(ParameterGroup group, long step, double beta1, double beta2, double eps, bool amsGrad, bool decoupled)
    {
        double lr = group.LearningRate, wd = group.WeightDecay;
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        return new AdamRule
        {
            Decoupled = decoupled,
            DecoupledScale = (float)(1 - lr * wd),
            HasWeightDecay = !decoupled && wd != 0,
            WeightDecay = (float)wd,
            Beta1 = (float)beta1,
            OneMinusBeta1 = (float)(1 - beta1),
            Beta2 = (float)beta2,
            OneMinusBeta2 = (float)(1 - beta2),
            AmsGrad = amsGrad,
            BiasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2),
            Eps = (float)eps,
            NegativeStepSize = (float)-(lr / biasCorrection1),
        };
    }

    /// <summary>Runs the rule over <paramref name="parameter"/> with its slots (exp_avg, exp_avg_sq[, max_exp_avg_sq]).</summary>
    public readonly void Run(Parameter parameter, Span<float> expAvg, Span<float> expAvgSq, Span<float> maxExpAvgSq) =>
        ElementwiseUpdate.Run(this, parameter.Value.Span, parameter.Grad.Span, expAvg, expAvgSq, maxExpAvgSq);

    public readonly void Apply(ref Vector256<float> w, Vector256<float> g, ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c)
    {
        if (Decoupled) w *= DecoupledScale;
        if (HasWeightDecay) g = Vector256.FusedMultiplyAdd(w, Vector256.Create(WeightDecay), g);
        a = Vector256.FusedMultiplyAdd(g, Vector256.Create(OneMinusBeta1), a * Beta1);
        b = Vector256.FusedMultiplyAdd(g * OneMinusBeta2, g, b * Beta2);
        var second = b;
        if (AmsGrad) second = c = Vector256.Max(c, b);
        var denom = Vector256.Sqrt(second) / BiasCorrection2Sqrt + Vector256.Create(Eps);
        w += a * NegativeStepSize / denom;
    }
}
