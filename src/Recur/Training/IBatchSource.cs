using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// Where a trainer gets its batches. <see cref="Batches"/> is called once per epoch with that epoch's generator, so
/// shuffling is deterministic from the trainer's seed (and different each epoch). Sources whose order matters
/// (language-model streams, time series) ignore the generator.
/// </summary>
public interface IBatchSource<out TBatch>
{
    /// <summary>Number of batches per epoch (for progress and ETA); -1 if unknown.</summary>
    int Count { get; }

    /// <summary>The batches of one epoch, in order.</summary>
    IEnumerable<TBatch> Batches(Rng shuffle);
}

/// <summary>A batch source over a fixed list, reshuffled every epoch when <paramref name="shuffle"/> is true.</summary>
public sealed class ListBatchSource<TBatch>(IReadOnlyList<TBatch> batches, bool shuffle = true) : IBatchSource<TBatch>
{
    /// <inheritdoc />
    public int Count => batches.Count;

    /// <inheritdoc />
    public IEnumerable<TBatch> Batches(Rng rng)
    {
        var order = Enumerable.Range(0, batches.Count).ToArray();
        if (shuffle) rng.Shuffle<int>(order);
        foreach (int i in order) yield return batches[i];
    }
}
