using Recur.Tensors;

namespace Recur.Data.Batching;

/// <summary>
/// A batch of padded token-index sequences for an embedding or one-hot input: <see cref="Indices"/> holds
/// [B, T] row-major (row b = sequence b, padded with <see cref="PadValue"/> after <c>Lengths[b]</c> steps),
/// <see cref="Lengths"/> [B] the true lengths and <see cref="Mask"/> [B, T] 1 at real steps, 0 at padding (multiply
/// a per-step loss by it). T is the longest length in the batch.
/// </summary>
public sealed class IndexBatch
{
    private int[] _indices;
    private Tensor? _mask;

    /// <summary>Creates a batch of <paramref name="batchSize"/> x <paramref name="steps"/> filled with <paramref name="padValue"/>, all lengths 0.</summary>
    public IndexBatch(int batchSize, int steps, int padValue)
    {
        _indices = [];
        Lengths = [];
        Reset(batchSize, steps, padValue);
    }

    /// <summary>B, the number of sequences.</summary>
    public int BatchSize { get; private set; }

    /// <summary>T, the padded length.</summary>
    public int Steps { get; private set; }

    /// <summary>The value at padded positions (e.g. 0 = PAD, or -1 as in the lecture notes).</summary>
    public int PadValue { get; private set; }

    /// <summary>The shape [B, T].</summary>
    public int[] Shape => [BatchSize, Steps];

    /// <summary>The indices [B, T] row-major (a view of a buffer reused across batches of the same or smaller size).</summary>
    public Span<int> Indices => _indices.AsSpan(0, BatchSize * Steps);

    /// <summary>True lengths [B].</summary>
    public int[] Lengths { get; private set; }

    /// <summary>[B, T]: 1 where t &lt; Lengths[b], else 0.</summary>
    public Tensor Mask => _mask!;

    /// <summary>Index at [b, t].</summary>
    public ref int this[int b, int t]
    {
        get
        {
            if ((uint)b >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(b), $"row {b} is outside [0, {BatchSize})");
            if ((uint)t >= (uint)Steps) throw new ArgumentOutOfRangeException(nameof(t), $"step {t} is outside [0, {Steps})");
            return ref _indices[b * Steps + t];
        }
    }

    /// <summary>Row <paramref name="b"/>: T indices (padding included).</summary>
    public Span<int> Row(int b)
    {
        if ((uint)b >= (uint)BatchSize) throw new ArgumentOutOfRangeException(nameof(b), $"row {b} is outside [0, {BatchSize})");
        return _indices.AsSpan(b * Steps, Steps);
    }

    /// <summary>Sequence <paramref name="b"/> without its padding.</summary>
    public int[] Sequence(int b) => Row(b)[..Lengths[b]].ToArray();

    /// <summary>Reshapes to [B, T] (buffers kept when large enough), fills with the pad value and zeroes the lengths.</summary>
    internal void Reset(int batchSize, int steps, int padValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int n = Tensors.Shape.ElementCount([batchSize, steps]);
        if (_indices.Length < n) _indices = new int[n];
        if (Lengths.Length != batchSize) Lengths = new int[batchSize];
        else Array.Clear(Lengths);
        BatchSize = batchSize;
        Steps = steps;
        PadValue = padValue;
        Indices.Fill(padValue);
        Tensor.Ensure(ref _mask, batchSize, steps).Clear();
    }

    /// <summary>Writes sequence <paramref name="b"/> (at most T long), its length and its mask row.</summary>
    internal void SetRow(int b, ReadOnlySpan<int> sequence)
    {
        sequence.CopyTo(Row(b));
        Lengths[b] = sequence.Length;
        _mask!.Span.Slice(b * Steps, sequence.Length).Fill(1f);
    }
}
