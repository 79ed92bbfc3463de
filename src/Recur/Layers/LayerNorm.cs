namespace Recur.Layers;

/// <summary>
/// Layer normalization over the last dimension (PyTorch's <c>nn.LayerNorm(F, eps, elementwise_affine)</c>):
/// y = (x - μ) / sqrt(σ² + ε) ⊙ weight + bias, with μ, σ² the mean and (biased) variance of each row; weight = 1,
/// bias = 0 initially. Without the elementwise affine part there are no parameters: y = (x - μ) / sqrt(σ² + ε).
/// </summary>
public sealed class LayerNorm : Module
{
    /// <summary>Creates the module for rows of <paramref name="features"/> values.</summary>
    /// <param name="features">F, the size of the last dimension it normalises.</param>
    /// <param name="eps">ε added to the variance (>= 0; PyTorch's default 1e-5).</param>
    /// <param name="elementwiseAffine">Whether to learn weight [F] (from 1) and bias [F] (from 0).</param>
    public LayerNorm(int features, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), $"must be positive, got {features}");
        if (!(eps >= 0 && float.IsFinite(eps))) throw new ArgumentOutOfRangeException(nameof(eps), $"must be finite and >= 0, got {eps}");
        Features = features;
        Eps = eps;
        if (!elementwiseAffine) return;
        Weight = RegisterParameter(new Parameter("weight", features));
        Bias = RegisterParameter(new Parameter("bias", features));
        Weight.Value.Fill(1f);
    }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>weight (γ) [F], or null without the elementwise affine part.</summary>
    public Parameter? Weight { get; }

    /// <summary>bias (β) [F], or null without the elementwise affine part.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override string Describe() => Weight is null ? $"LayerNorm({Features}, elementwise_affine=False)" : $"LayerNorm({Features})";
}
