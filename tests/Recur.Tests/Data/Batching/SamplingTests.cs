using Recur.Tensors;
using Recur.Data.Batching;

namespace Recur.Tests.Data.Batching;

public class SamplingTests
{
    [Fact]
    public void Xoshiro_is_reproducible_and_matches_its_reference_values()
    {
        // SplitMix64 from 0: first output of the reference implementation.
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Rng.SplitMix64(ref x));
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
        var r = new Rng(3);
        var hist = new int[5];
        for (int i = 0; i < 50_000; i++) hist[r.NextInt(5)]++;
        Assert.All(hist, h => Assert.InRange(h, 9_500, 10_500));
        double d = r.NextDouble();
        Assert.InRange(d, 0.0, 1.0);
    }

    [Fact]
    public void Shuffled_batches_cover_every_example_once_and_depend_only_on_the_seed()
    {
        var batches = BatchSampler.Shuffled(103, 10, new Rng(5));
        Assert.Equal(11, batches.Count);
        Assert.Equal(3, batches[^1].Length);
        Assert.Equal(Enumerable.Range(0, 103), batches.SelectMany(x => x).Order());
        Assert.Equal(batches, BatchSampler.Shuffled(103, 10, new Rng(5)));
        Assert.NotEqual(batches, BatchSampler.Shuffled(103, 10, Rng.ForEpoch(5, 1)));
        Assert.Equal(10, BatchSampler.Shuffled(103, 10, new Rng(5), dropLast: true).Count);
        Assert.Equal([[0, 1], [2]], BatchSampler.Sequential(3, 2));
    }

    [Fact]
    public void Bucketing_keeps_every_example_exactly_once_and_cuts_padding()
    {
        var random = new Rng(11);
        var lengths = Enumerable.Range(0, 1000).Select(_ => 1 + random.NextInt(100)).ToArray();
        foreach (int? pool in new int?[] { null, 4 })
        {
            var buckets = BatchSampler.Bucketed(lengths, 32, new Rng(1), poolBatches: pool);
            Assert.Equal(Enumerable.Range(0, 1000), buckets.SelectMany(x => x).Order());
            Assert.Equal(32, buckets.Count);
            var plain = BatchSampler.Shuffled(1000, 32, new Rng(1));
            double bucketed = BatchSampler.PaddingFraction(lengths, buckets);
            double shuffled = BatchSampler.PaddingFraction(lengths, plain);
            // A global sort leaves almost no padding; pools of 4 batches still cut it by more than half.
            Assert.True(bucketed < shuffled / (pool is null ? 10 : 2), $"pool {pool}: bucketed padding {bucketed:P1} vs shuffled {shuffled:P1}");
        }
        // Without randomness: sorted by length, in order.
        var sorted = BatchSampler.Bucketed([3, 1, 2, 1], 2, null);
        Assert.Equal([[1, 3], [2, 0]], sorted);
    }
}
