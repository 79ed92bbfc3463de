using Recur.Data.Batching;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// The batches of a <see cref="LanguageModelBatcher"/> for <see cref="Trainer"/>: always in stream order (never
/// shuffled), since row b of each batch continues row b of the one before and a stateful model carries its state along.
/// </summary>
public sealed class LanguageModelBatchSource(LanguageModelBatcher batcher) : IBatchSource<LanguageModelBatch>
{
    /// <inheritdoc />
    public int Count => batcher.BatchCount;

    /// <inheritdoc />
    public IEnumerable<LanguageModelBatch> Batches(Rng shuffle) => batcher.Batches();
}
