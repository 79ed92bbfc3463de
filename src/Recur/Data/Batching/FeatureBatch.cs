using Recur.Tensors;

namespace Recur.Data.Batching;

/// <summary>
/// A batch of padded real-valued sequences: <see cref="Inputs"/> [B, T, F] (steps t ≥ Lengths[b] hold the pad
/// value), <see cref="Lengths"/> [B] and <see cref="Mask"/> [B, T] (1 at real steps, 0 at padding).
/// </summary>
public sealed class FeatureBatch
{
    private Tensor? _inputs, _mask;

    internal FeatureBatch() => Lengths = [];

    /// <summary>B.</summary>
    public int BatchSize => Inputs.Dim(0);

    /// <summary>T, the padded length.</summary>
    public int Steps => Inputs.Dim(1);

    /// <summary>F, features per step.</summary>
    public int Features => Inputs.Dim(2);

    /// <summary>[B, T, F] padded inputs.</summary>
    public Tensor Inputs => _inputs!;

    /// <summary>[B, T]: 1 where t &lt; Lengths[b], else 0.</summary>
    public Tensor Mask => _mask!;

    /// <summary>True lengths [B].</summary>
    public int[] Lengths { get; private set; }

    internal void Reset(int batchSize, int steps, int features, float padValue)
    {
        Tensor.Ensure(ref _inputs, batchSize, steps, features).Fill(padValue);
        Tensor.Ensure(ref _mask, batchSize, steps).Clear();
        if (Lengths.Length != batchSize) Lengths = new int[batchSize];
    }

    internal void SetRow(int b, ReadOnlySpan<float> sequence, int length)
    {
        sequence.CopyTo(Inputs.Span.Slice(b * Steps * Features, sequence.Length));
        Lengths[b] = length;
        Mask.Span.Slice(b * Steps, length).Fill(1f);
    }
}
