using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// Adam with PyTorch's exact update (torch.optim.Adam, amsgrad off). For each parameter θ with gradient g at step t:
/// <code>
///   g ← g + λθ                                    (weight decay λ, L2 form)
///   m ← β1 m + (1-β1) g;   v ← β2 v + (1-β2) g²
///   θ ← θ - (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + ε)
/// </code>
/// Parameters with <see cref="Parameter.RequiresGrad"/> = false are left unchanged.
/// </summary>
public sealed class Adam
{
    private readonly Parameter[] _params;
    private readonly float[][] _m, _v;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), $"must be >= 0, got {lr}");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"must be in [0, 1), got {beta1}");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"must be in [0, 1), got {beta2}");
        _params = parameters.ToArray();
        _m = _params.Select(p => new float[p.Count]).ToArray();
        _v = _params.Select(p => new float[p.Count]).ToArray();
        LearningRate = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
    }

    /// <summary>Learning rate (schedules change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>β1.</summary>
    public double Beta1 { get; }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>L2 weight decay λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update from the current gradients.</summary>
    public void Step()
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount), bc2 = 1 - Math.Pow(Beta2, StepCount);
        float stepSize = (float)(LearningRate / bc1);
        float sqrtBc2 = (float)Math.Sqrt(bc2);
        float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Eps, wd = (float)WeightDecay;
        for (int k = 0; k < _params.Length; k++)
        {
            var p = _params[k];
            if (!p.RequiresGrad) continue;
            var w = p.Value.Span; var g = p.Grad.Span; var m = _m[k].AsSpan(); var v = _v[k].AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                float gi = g[i] + wd * w[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / sqrtBc2 + eps);
            }
        }
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params) p.ZeroGrad();
    }
}
