using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Inverted dropout (PyTorch's <c>nn.Dropout</c>): in training each element is zeroed with probability p and the
/// survivors scaled by 1/(1-p) (p = 1 zeroes everything, as in PyTorch); in evaluation it is the identity. Masks come from this module's own seeded generator.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the module.</summary>
    public Dropout(float p, Rng? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"must be in [0, 1], got {p}");
        P = p;
        Rng = (rng ?? Rng.Default).Fork();
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    internal Rng Rng { get; }

    /// <inheritdoc />
    public override string Describe() => $"Dropout({P})";
}
