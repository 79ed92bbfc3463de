namespace Recur.Data.Batching;

/// <summary>
/// One batch of a <see cref="LanguageModelBatcher"/>: <see cref="Inputs"/> and <see cref="Targets"/> [B, T]
/// row-major, with Targets[b, t] the token after Inputs[b, t]. Row b of batch i continues row b of batch i-1, so
/// the hidden state of row b can be carried over (detached) between batches: truncated BPTT.
/// </summary>
public sealed class LanguageModelBatch
{
    private int[] _inputs = [], _targets = [];

    /// <summary>B, the number of lanes.</summary>
    public int BatchSize { get; private set; }

    /// <summary>T of this batch (the last batch may be shorter than the others).</summary>
    public int Steps { get; private set; }

    /// <summary>Which batch of the epoch this is (0-based).</summary>
    public int Index { get; private set; }

    /// <summary>Position within each lane of step 0 (the same for every row).</summary>
    public int LaneOffset { get; private set; }

    /// <summary>The shape [B, T].</summary>
    public int[] Shape => [BatchSize, Steps];

    /// <summary>Input token indices [B, T] row-major (a view of a reused buffer).</summary>
    public Span<int> Inputs => _inputs.AsSpan(0, BatchSize * Steps);

    /// <summary>Target token indices [B, T] row-major: the inputs shifted by one step.</summary>
    public Span<int> Targets => _targets.AsSpan(0, BatchSize * Steps);

    internal void Reset(int batchSize, int steps, int index, int laneOffset)
    {
        int n = batchSize * steps;
        if (_inputs.Length < n) { _inputs = new int[n]; _targets = new int[n]; }
        BatchSize = batchSize;
        Steps = steps;
        Index = index;
        LaneOffset = laneOffset;
    }
}
