using Recur.Data.Text;

namespace Recur.Data.Batching;

/// <summary>
/// Cuts one long token stream into [B, T] batches for truncated backpropagation through time. The stream
/// x[0..N) is split into B contiguous lanes of L = (N - 1) / B tokens (after an optional start offset; the
/// remainder is dropped), lane b starting at b·L. Batch i holds steps [i·T, i·T + T) of every lane:
/// Inputs[b, t] = x[b·L + i·T + t] and Targets[b, t] = x[b·L + i·T + t + 1]. So row b of batch i continues
/// row b of batch i-1, and the last batch is shorter when T does not divide L (or dropped, if asked).
/// </summary>
public sealed class LanguageModelBatcher
{
    private readonly TokenStream _stream;
    private readonly int _offset;

    /// <summary>Creates the batcher.</summary>
    /// <param name="stream">The token stream (e.g. from <see cref="CharEncoder.EncodeFile"/>).</param>
    /// <param name="batchSize">B, number of lanes.</param>
    /// <param name="steps">T, steps per batch (the truncation length).</param>
    /// <param name="startOffset">Tokens skipped at the start; varying it per epoch moves the chunk boundaries.</param>
    /// <param name="dropLast">Drop a final batch shorter than T.</param>
    public LanguageModelBatcher(TokenStream stream, int batchSize, int steps, int startOffset = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        long usable = (long)stream.Length - startOffset - 1;
        if (usable < batchSize)
            throw new ArgumentException($"a stream of {stream.Length} tokens (start offset {startOffset}) is too short for {batchSize} lanes: need at least {batchSize + startOffset + 1}", nameof(stream));
        _stream = stream;
        _offset = startOffset;
        BatchSize = batchSize;
        Steps = steps;
        LaneLength = (int)(usable / batchSize);
        BatchCount = dropLast ? LaneLength / steps : (LaneLength + steps - 1) / steps;
    }

    /// <summary>Creates a batcher over an index array (copied into a compact <see cref="TokenStream"/>).</summary>
    public LanguageModelBatcher(ReadOnlySpan<int> tokens, int vocabularySize, int batchSize, int steps, int startOffset = 0, bool dropLast = false)
        : this(TokenStream.FromIndices(tokens, vocabularySize), batchSize, steps, startOffset, dropLast) { }

    /// <summary>B.</summary>
    public int BatchSize { get; }

    /// <summary>T (of every batch but possibly the last).</summary>
    public int Steps { get; }

    /// <summary>L, input tokens per lane.</summary>
    public int LaneLength { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>Batch <paramref name="index"/>; fills <paramref name="reuse"/> when given (no allocation once its buffers are large enough).</summary>
    public LanguageModelBatch GetBatch(int index, LanguageModelBatch? reuse = null)
    {
        if ((uint)index >= (uint)BatchCount) throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} is outside [0, {BatchCount})");
        int t0 = index * Steps;
        int steps = Math.Min(Steps, LaneLength - t0);
        var batch = reuse ?? new LanguageModelBatch();
        batch.Reset(BatchSize, steps, index, t0);
        var inputs = batch.Inputs;
        var targets = batch.Targets;
        for (int b = 0; b < BatchSize; b++)
        {
            int start = _offset + b * LaneLength + t0;
            _stream.CopyTo(start, inputs.Slice(b * steps, steps));
            _stream.CopyTo(start + 1, targets.Slice(b * steps, steps));
        }
        return batch;
    }

    /// <summary>All batches in order. With <paramref name="reuseBuffer"/> one object is refilled each time (valid until the next item).</summary>
    public IEnumerable<LanguageModelBatch> Batches(bool reuseBuffer = true)
    {
        LanguageModelBatch? buffer = null;
        for (int i = 0; i < BatchCount; i++)
        {
            var batch = GetBatch(i, reuseBuffer ? buffer : null);
            buffer = batch;
            yield return batch;
        }
    }
}
