using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Batch rows [Start, Start + Count) of a recurrent sweep. Rows of a batch never interact inside a recurrent layer,
/// so disjoint ranges can be swept on different threads with no synchronisation per time step.
/// </summary>
internal readonly record struct RowRange(int Start, int Count)
{
    /// <summary>The rows of this range in a matrix whose row i is batch row i.</summary>
    public StridedMatrix Of(StridedMatrix m) => m.RowRange(Start, Count);

    /// <summary>The rows of this range in a [B, F] tensor.</summary>
    public StridedMatrix Of(Tensor t) => t.AsMatrix().RowRange(Start, Count);

    /// <summary>Range <paramref name="k"/> of <paramref name="ranges"/> near-equal ranges covering <paramref name="rows"/> rows.</summary>
    public static RowRange Split(int rows, int ranges, int k)
    {
        int start = (int)((long)rows * k / ranges), end = (int)((long)rows * (k + 1) / ranges);
        return new RowRange(start, end - start);
    }
}
