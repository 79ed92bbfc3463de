using Recur.Tensors;
namespace Recur.Data.Batching;

/// <summary>
/// Splits example indices 0..N-1 into batches: in order, shuffled, or bucketed by length. Every example appears
/// in exactly one batch (unless <c>dropLast</c> drops the final short batch). Shuffling uses
/// <see cref="Rng"/>, so a seed reproduces the batches on any machine.
/// </summary>
public static class BatchSampler
{
    /// <summary>Batches 0..count-1 in order.</summary>
    public static List<int[]> Sequential(int count, int batchSize, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Chunk(Enumerable.Range(0, count).ToArray(), batchSize, dropLast);
    }

    /// <summary>Batches of a random permutation of 0..count-1 drawn from <paramref name="random"/>.</summary>
    public static List<int[]> Shuffled(int count, int batchSize, Rng random, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle<int>(order);
        return Chunk(order, batchSize, dropLast);
    }

    /// <summary>
    /// Bucketing by length to cut padding: examples are sorted by length (ties in random order) so each batch
    /// holds similar lengths, then the batch order is shuffled. With <paramref name="poolBatches"/> the sort is
    /// done within pools of that many batches of a shuffled order instead of globally, trading a little padding
    /// for more varied batches. Without <paramref name="random"/> the result is sorted and unshuffled.
    /// </summary>
    /// <param name="lengths">Length of each example (its index is the example id).</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="random">Source of randomness, or null for a deterministic sorted order.</param>
    /// <param name="dropLast">Drop the final batch when it is short.</param>
    /// <param name="poolBatches">Sort within pools of this many batches (null = one global sort).</param>
    public static List<int[]> Bucketed(IReadOnlyList<int> lengths, int batchSize, Rng? random, bool dropLast = false, int? poolBatches = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (poolBatches is int p) ArgumentOutOfRangeException.ThrowIfLessThan(p, 1, nameof(poolBatches));
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        random?.Shuffle<int>(order);
        int pool = poolBatches is int pb ? (int)Math.Min((long)pb * batchSize, Math.Max(order.Length, 1)) : Math.Max(order.Length, 1);
        for (int start = 0; start < order.Length; start += pool)
        {
            // Stable sort by length: ties keep their shuffled (or original) order.
            var slice = order.AsSpan(start, Math.Min(pool, order.Length - start)).ToArray();
            var sorted = slice.OrderBy(i => lengths[i]).ToArray();
            sorted.CopyTo(order, start);
        }
        var batches = Chunk(order, batchSize, dropLast);
        if (random is not null) random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>The fraction of padded positions when each batch is padded to its longest example: 1 - Σ lengths / Σ B_i·T_i.</summary>
    public static double PaddingFraction(IReadOnlyList<int> lengths, IEnumerable<int[]> batches)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(batches);
        long real = 0, padded = 0;
        foreach (var batch in batches)
        {
            int longest = 0;
            foreach (int i in batch) { real += lengths[i]; longest = Math.Max(longest, lengths[i]); }
            padded += (long)longest * batch.Length;
        }
        return padded == 0 ? 0 : 1.0 - (double)real / padded;
    }

    private static List<int[]> Chunk(int[] order, int batchSize, bool dropLast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var batches = new List<int[]>(order.Length / batchSize + 1);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, order.Length - start);
            if (n < batchSize && dropLast) break;
            batches.Add(order.AsSpan(start, n).ToArray());
        }
        return batches;
    }
}
