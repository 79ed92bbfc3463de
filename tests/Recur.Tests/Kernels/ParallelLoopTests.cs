using Recur.Kernels;

namespace Recur.Tests.Kernels;

[Collection(KernelConfigCollection.Name)]
public sealed unsafe class ParallelLoopTests
{
    private struct Counts
    {
        public int* Hits;
        public int Inner; // inner loop length for the nested test
    }

    private static void Hit(void* context, int i) => Interlocked.Increment(ref ((Counts*)context)->Hits[i]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void RunsEveryIndexExactlyOnce(int threads)
    {
        using var _ = new KernelSettings(KernelIsa.Auto, threads);
        foreach (int count in new[] { 0, 1, 2, 3, 17, 1000 })
        {
            var hits = new int[Math.Max(count, 1)];
            for (int round = 0; round < 20; round++)
            {
                fixed (int* h = hits)
                {
                    var counts = new Counts { Hits = h };
                    ParallelLoop.For(count, &Hit, &counts);
                }
            }
            for (int i = 0; i < count; i++) Assert.True(hits[i] == 20, $"count {count}: index {i} ran {hits[i]} times, expected 20");
        }
    }

    private static void Outer(void* context, int i)
    {
        var counts = (Counts*)context;
        var inner = new Counts { Hits = counts->Hits + i * counts->Inner };
        ParallelLoop.For(counts->Inner, &Hit, &inner);
    }

    // An index run by a helper stands for a helper that lost its core: it takes 20 ms, while the caller's takes 2 ms
    // (long enough for a sleeping helper to wake and take the other index).
    private static void SlowOnHelper(void* context, int i)
    {
        if (Environment.CurrentManagedThreadId == *(int*)context) Thread.Sleep(2);
        else Thread.Sleep(20);
    }

    [Fact]
    public void A_call_that_waits_on_a_stalled_helper_is_remembered()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        int caller = Environment.CurrentManagedThreadId;
        // A call in which the caller ran both indices (no helper came, or another test's call held the helpers and
        // this one ran inline) proves nothing, so try for up to 3 s.
        bool seen = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!seen && clock.ElapsedMilliseconds < 3000)
        {
            ParallelLoop.For(2, &SlowOnHelper, &caller);
            seen = ParallelLoop.HelpersRecentlyStalled;
        }
        Assert.True(seen, "a call that waited ~18 ms on a helper after 2 ms of its own work did not count as a stall");
    }

    [Fact]
    public void NestedCallsRunInline()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        const int outer = 8, inner = 50;
        var hits = new int[outer * inner];
        fixed (int* h = hits)
        {
            var counts = new Counts { Hits = h, Inner = inner };
            ParallelLoop.For(outer, &Outer, &counts);
        }
        Assert.All(hits, x => Assert.Equal(1, x));
    }

    [Fact]
    public void ConcurrentCallersDoNotDeadlockOrLoseIndices()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        const int count = 64, rounds = 2000;
        var hits = new int[3][];
        var threads = new Thread[3];
        for (int t = 0; t < threads.Length; t++)
        {
            int[] mine = hits[t] = new int[count];
            threads[t] = new Thread(() =>
            {
                fixed (int* h = mine)
                {
                    var counts = new Counts { Hits = h };
                    for (int r = 0; r < rounds; r++) ParallelLoop.For(count, &Hit, &counts);
                }
            });
            threads[t].Start();
        }
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(30)), "a concurrent caller hung");
        foreach (int[] h in hits) Assert.All(h, x => Assert.Equal(rounds, x));
    }

    private static void ThrowAtFive(void* context, int i)
    {
        if (i == 5) throw new InvalidOperationException("index five");
        Hit(context, i);
    }

    [Fact]
    public void ExceptionReachesTheCallerAndTheLoopKeepsWorking()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        var hits = new int[100];
        fixed (int* h = hits)
        {
            var counts = new Counts { Hits = h };
            Counts* pc = &counts;
            var e = Assert.Throws<InvalidOperationException>(() => ParallelLoop.For(100, &ThrowAtFive, pc));
            Assert.Equal("index five", e.Message);
            Array.Clear(hits);
            ParallelLoop.For(100, &Hit, &counts);
        }
        Assert.All(hits, x => Assert.Equal(1, x));
    }

    [Fact]
    public void AllocatesNothing()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        var hits = new int[256];
        fixed (int* h = hits)
        {
            var counts = new Counts { Hits = h };
            for (int r = 0; r < 10; r++) ParallelLoop.For(256, &Hit, &counts);
            // The quietest of several windows: tiered JIT may allocate now and then, our code would in every window.
            long thread = long.MaxValue, total = long.MaxValue;
            for (int window = 0; window < 8; window++)
            {
                long t0 = GC.GetAllocatedBytesForCurrentThread(), a0 = GC.GetTotalAllocatedBytes(precise: true);
                for (int r = 0; r < 200; r++) ParallelLoop.For(256, &Hit, &counts);
                thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - t0);
                total = Math.Min(total, GC.GetTotalAllocatedBytes(precise: true) - a0);
            }
            Assert.Equal(0, thread);
            Assert.True(total < 256, $"{total} bytes allocated on some thread during the loops");
        }
    }
}
