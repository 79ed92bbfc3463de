using Recur.Tensors;

namespace Recur.Data.Batching;

/// <summary>
/// Pads variable-length sequences to the longest one in the batch, with any pad value (0 = PAD index, or -1 as
/// in the lecture notes), and records lengths and masks. An empty sequence is an error: a recurrent network has
/// no output for it, and dropping it silently would shift labels.
/// </summary>
public static class SequencePadding
{
    /// <summary>Pads all <paramref name="sequences"/> into one [B, T] batch (B = count, T = longest).</summary>
    public static IndexBatch Pad(IReadOnlyList<int[]> sequences, int padValue = 0, IndexBatch? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return Pad(sequences, Enumerable.Range(0, sequences.Count).ToArray(), padValue, reuse);
    }

    /// <summary>
    /// Pads the sequences picked by <paramref name="selection"/> (e.g. one batch from <see cref="BatchSampler"/>)
    /// into [B = selection.Length, T]; <paramref name="reuse"/> keeps its buffers when large enough.
    /// </summary>
    public static IndexBatch Pad(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> selection, int padValue = 0, IndexBatch? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int steps = 0;
        foreach (int i in selection) steps = Math.Max(steps, Check(sequences, i).Length);
        var batch = reuse ?? new IndexBatch(selection.Length, steps, padValue);
        batch.Reset(selection.Length, steps, padValue);
        for (int b = 0; b < selection.Length; b++) batch.SetRow(b, sequences[selection[b]]);
        return batch;
    }

    /// <summary>Pads real-valued sequences, each a tensor [T_i, F] with the same F, into a [B, T, F] batch.</summary>
    public static FeatureBatch Pad(IReadOnlyList<Tensor> sequences, float padValue = 0f, FeatureBatch? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return Pad(sequences, Enumerable.Range(0, sequences.Count).ToArray(), padValue, reuse);
    }

    /// <summary>Pads the real-valued sequences picked by <paramref name="selection"/> into [B, T, F].</summary>
    public static FeatureBatch Pad(IReadOnlyList<Tensor> sequences, ReadOnlySpan<int> selection, float padValue = 0f, FeatureBatch? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int steps = 0, features = -1;
        foreach (int i in selection)
        {
            var s = Check(sequences, i);
            if (s.Rank != 2) throw new ShapeMismatchException($"sequences[{i}]", "[T, F]", Shape.Format(s.Shape));
            if (features >= 0 && s.Dim(1) != features)
                throw new ShapeMismatchException($"sequences[{i}]", $"[T, {features}] (F of the first sequence)", Shape.Format(s.Shape));
            features = s.Dim(1);
            steps = Math.Max(steps, s.Dim(0));
        }
        var batch = reuse ?? new FeatureBatch();
        batch.Reset(selection.Length, steps, Math.Max(features, 0), padValue);
        for (int b = 0; b < selection.Length; b++)
        {
            var s = sequences[selection[b]];
            batch.SetRow(b, s.Span, s.Dim(0));
        }
        return batch;
    }

    private static int[] Check(IReadOnlyList<int[]> sequences, int i)
    {
        if ((uint)i >= (uint)sequences.Count) throw new ArgumentOutOfRangeException(nameof(sequences), $"selection names sequence {i}, but there are {sequences.Count}");
        var s = sequences[i] ?? throw new ArgumentNullException(nameof(sequences), $"sequences[{i}] is null");
        if (s.Length == 0) throw new ArgumentException($"sequences[{i}] is empty: a recurrent network needs at least one step (remove empty examples before batching)", nameof(sequences));
        return s;
    }

    private static Tensor Check(IReadOnlyList<Tensor> sequences, int i)
    {
        if ((uint)i >= (uint)sequences.Count) throw new ArgumentOutOfRangeException(nameof(sequences), $"selection names sequence {i}, but there are {sequences.Count}");
        var s = sequences[i] ?? throw new ArgumentNullException(nameof(sequences), $"sequences[{i}] is null");
        if (s.Rank >= 1 && s.Dim(0) == 0) throw new ArgumentException($"sequences[{i}] is empty: a recurrent network needs at least one step (remove empty examples before batching)", nameof(sequences));
        return s;
    }
}
