using Recur.Data.Batching;

namespace Recur.Tests.Data.Batching;

public class LanguageModelBatcherTests
{
    [Fact]
    public void Lanes_continue_from_batch_to_batch_and_targets_are_shifted_by_one()
    {
        // Stream 0..25 (N = 26), B = 2 lanes of L = (26 - 1) / 2 = 12, T = 5: batches of 5, 5, 2 steps.
        int[] x = Enumerable.Range(0, 26).ToArray();
        var batcher = new LanguageModelBatcher(x, 26, batchSize: 2, steps: 5);
        Assert.Equal(12, batcher.LaneLength);
        Assert.Equal(3, batcher.BatchCount);
        var b0 = batcher.GetBatch(0);
        Assert.Equal([0, 1, 2, 3, 4, 12, 13, 14, 15, 16], b0.Inputs.ToArray());
        Assert.Equal([1, 2, 3, 4, 5, 13, 14, 15, 16, 17], b0.Targets.ToArray());
        var b1 = batcher.GetBatch(1);
        Assert.Equal([5, 6, 7, 8, 9, 17, 18, 19, 20, 21], b1.Inputs.ToArray());
        var last = batcher.GetBatch(2);
        Assert.Equal([2, 2], last.Shape);
        Assert.Equal([10, 11, 22, 23], last.Inputs.ToArray());
        Assert.Equal([11, 12, 23, 24], last.Targets.ToArray());
        Assert.Equal(2, new LanguageModelBatcher(x, 26, 2, 5, dropLast: true).BatchCount);
    }

    [Fact]
    public void Every_lane_reads_the_stream_contiguously_across_the_epoch()
    {
        int n = 1003, B = 4, T = 7;
        int[] x = Enumerable.Range(0, n).Select(i => i % 50).ToArray();
        var batcher = new LanguageModelBatcher(x, 50, B, T, startOffset: 3);
        var lanes = Enumerable.Range(0, B).Select(_ => new List<int>()).ToArray();
        var laneTargets = Enumerable.Range(0, B).Select(_ => new List<int>()).ToArray();
        foreach (var batch in batcher.Batches())
            for (int b = 0; b < B; b++)
            {
                lanes[b].AddRange(batch.Inputs.Slice(b * batch.Steps, batch.Steps).ToArray());
                laneTargets[b].AddRange(batch.Targets.Slice(b * batch.Steps, batch.Steps).ToArray());
            }
        int L = (n - 3 - 1) / B;
        for (int b = 0; b < B; b++)
        {
            Assert.Equal(x.Skip(3 + b * L).Take(L), lanes[b]);
            Assert.Equal(x.Skip(3 + b * L + 1).Take(L), laneTargets[b]);
        }
    }

    [Fact]
    public void Reused_batches_allocate_nothing_and_short_streams_are_rejected()
    {
        var batcher = new LanguageModelBatcher(Enumerable.Range(0, 10_000).Select(i => i % 97).ToArray(), 97, 16, 32);
        var reuse = batcher.GetBatch(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < batcher.BatchCount; i++) batcher.GetBatch(i, reuse);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var e = Assert.Throws<ArgumentException>(() => new LanguageModelBatcher([1, 2, 3], 4, batchSize: 3, steps: 2));
        Assert.Contains("too short for 3 lanes", e.Message);
    }
}
