using Recur.Data.Batching;
using Recur.Tensors;

namespace Recur.Data.Text;

/// <summary>
/// One-hot vectors: index i of a vocabulary of V tokens becomes a length-V vector with a 1 at i. With the
/// vocabulary h, e, l, o (indices 0..3), "hell" becomes the rows 1000, 0100, 0010, 0010 — the input of a character
/// RNN that predicts "ello".
/// </summary>
public static class OneHot
{
    /// <summary>The one-hot rows of <paramref name="indices"/>: a tensor [T, depth].</summary>
    public static Tensor Encode(ReadOnlySpan<int> indices, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var t = new Tensor(indices.Length, depth);
        Fill(indices, depth, t.Span, nameof(indices));
        return t;
    }

    /// <summary>
    /// One-hot inputs of a padded batch: [B, T, depth], all-zero rows at padded steps (t ≥ length). Reuses
    /// <paramref name="workspace"/> when its buffer is large enough (see <see cref="Tensor.Ensure(ref Tensor?, int, int, int)"/>).
    /// </summary>
    public static Tensor Encode(IndexBatch batch, int depth, ref Tensor? workspace)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var t = Tensor.Ensure(ref workspace, batch.BatchSize, batch.Steps, depth);
        t.Clear();
        var dest = t.Span;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            var row = batch.Row(b)[..batch.Lengths[b]];
            Fill(row, depth, dest.Slice(b * batch.Steps * depth, row.Length * depth), $"batch row {b}", clear: false);
        }
        return t;
    }

    /// <summary>Writes the one-hot rows of <paramref name="indices"/> into <paramref name="destination"/> [indices.Length, depth].</summary>
    public static void EncodeInto(ReadOnlySpan<int> indices, int depth, Span<float> destination)
    {
        if (destination.Length != indices.Length * depth)
            throw new ShapeMismatchException(nameof(destination), $"[{indices.Length}, {depth}] ({indices.Length * depth} floats)", $"{destination.Length} floats");
        Fill(indices, depth, destination, nameof(indices));
    }

    /// <summary>The index of the largest element of each row of a [N, V] matrix (e.g. decoding predicted distributions).</summary>
    public static int[] ArgMax(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var m = rows.AsMatrix();
        var result = new int[m.Rows];
        for (int r = 0; r < m.Rows; r++)
        {
            var row = m.Row(r);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            result[r] = best;
        }
        return result;
    }

    private static void Fill(ReadOnlySpan<int> indices, int depth, Span<float> dest, string what, bool clear = true)
    {
        if (clear) dest.Clear();
        for (int t = 0; t < indices.Length; t++)
        {
            int i = indices[t];
            if ((uint)i >= (uint)depth)
                throw new ArgumentOutOfRangeException(what, $"{what}: index {i} at position {t} is outside [0, {depth})");
            dest[t * depth + i] = 1f;
        }
    }
}
