using Recur.Data.Batching;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Tasks;

/// <summary>
/// Batches of variable-length examples with little padding: each epoch the examples are shuffled with the epoch's
/// generator, sorted by length within pools of 50 batches, cut into batches, and the batch order shuffled again
/// (<see cref="BatchSampler.Bucketed"/>). Unshuffled (validation, prediction) they come sorted by length.
/// </summary>
/// <param name="lengths">Each example's length.</param>
/// <param name="batchSize">Examples per batch.</param>
/// <param name="make">Builds a batch from example indices.</param>
/// <param name="shuffle">Shuffle each epoch (training) or not.</param>
internal sealed class BucketedBatches<TBatch>(IReadOnlyList<int> lengths, int batchSize, Func<int[], TBatch> make, bool shuffle) : IBatchSource<TBatch>
{
    /// <summary>Batches per sorting pool.</summary>
    public const int PoolBatches = 50;

    /// <inheritdoc />
    public int Count => (lengths.Count + batchSize - 1) / batchSize;

    /// <inheritdoc />
    public IEnumerable<TBatch> Batches(Rng shuffleRng)
    {
        foreach (var rows in BatchSampler.Bucketed(lengths, batchSize, shuffle ? shuffleRng : null, poolBatches: shuffle ? PoolBatches : null))
            yield return make(rows);
    }
}
