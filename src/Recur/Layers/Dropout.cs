using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Inverted dropout (PyTorch's <c>nn.Dropout</c>): in training each element is zeroed with probability p and the
/// survivors scaled by 1/(1-p); in evaluation it is the identity. Masks come from this module's own seeded generator.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the module.</summary>
    public Dropout(float p, Rng? rng = null)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"must be in [0, 1), got {p}");
        P = p;
        Rng = (rng ?? Rng.Default).Fork();
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    internal Rng Rng { get; }

    /// <inheritdoc />
    public override string Describe() => $"Dropout({P})";
}

/// <summary>
/// Layer normalization over the last dimension (PyTorch's <c>nn.LayerNorm(F)</c>):
/// y = (x - μ) / sqrt(σ² + ε) ⊙ weight + bias, with μ, σ² the mean and (biased) variance of each row; weight = 1, bias = 0 initially.
/// </summary>
public sealed class LayerNorm : Module
{
    /// <summary>Creates the module for rows of <paramref name="features"/> values.</summary>
    public LayerNorm(int features, float eps = 1e-5f)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), $"must be positive, got {features}");
        Features = features;
        Eps = eps;
        Weight = RegisterParameter(new Parameter("weight", features));
        Bias = RegisterParameter(new Parameter("bias", features));
        Weight.Value.Fill(1f);
    }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>weight (γ) [F].</summary>
    public Parameter Weight { get; }

    /// <summary>bias (β) [F].</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public override string Describe() => $"LayerNorm({Features})";
}
