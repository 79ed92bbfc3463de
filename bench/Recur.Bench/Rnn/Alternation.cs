using System.Diagnostics;

namespace Recur.Bench.Rnn;

/// <summary>How long to warm up and how many alternating rounds of which length to time.</summary>
/// <param name="Rounds">Rounds of (Recur block, peer block); the side that goes first alternates.</param>
/// <param name="BlockSeconds">Target length of one block (at least one call).</param>
/// <param name="WarmupSeconds">Warm-up per side (at least two calls), so tiered JIT and the peer's allocator settle.</param>
internal sealed record AlternationPlan(int Rounds, double BlockSeconds, double WarmupSeconds)
{
    public static AlternationPlan For(bool quick) => quick ? new(3, 0.1, 0.2) : new(7, 0.25, 0.6);
}

/// <summary>Per-call times of both sides and Recur's managed allocation (what the GC has to collect) per call.</summary>
internal sealed record Alternated(double[] Recur, double[] Peer, double RecurAllocatedBytesPerCall, int RecurGcCount)
{
    public double RecurMedian => Stats.Median(Recur);
    public double PeerMedian => Peer.Length == 0 ? double.NaN : Stats.Median(Peer);
}

/// <summary>
/// Times a Recur call and the same work in a peer process side by side on a noisy machine: both warm up, then
/// <see cref="AlternationPlan.Rounds"/> rounds each run one block of calls on each side (the side going first alternates,
/// so slow drifts in the background load hit both alike). Every call is timed on its own; suites compare medians.
/// </summary>
internal static class Alternation
{
    public static Alternated Run(Action recurCall, PeerProcess? peer, AlternationPlan plan)
    {
        double recurCallSeconds = WarmUp(n => TimeCalls(recurCall, n), plan.WarmupSeconds);
        double peerCallSeconds = peer is null ? 0 : WarmUp(peer.Run, plan.WarmupSeconds);
        int recurCalls = CallsPerBlock(recurCallSeconds, plan.BlockSeconds);
        int peerCalls = CallsPerBlock(peerCallSeconds, plan.BlockSeconds);

        var ours = new List<double>();
        var theirs = new List<double>();
        long allocated = 0;
        int gcBefore = GC.CollectionCount(0);
        for (int round = 0; round < plan.Rounds; round++)
        {
            if (round % 2 == 1 && peer is not null) theirs.AddRange(peer.Run(peerCalls));
            long before = GC.GetAllocatedBytesForCurrentThread();
            ours.AddRange(TimeCalls(recurCall, recurCalls));
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            if (round % 2 == 0 && peer is not null) theirs.AddRange(peer.Run(peerCalls));
        }
        return new Alternated(ours.ToArray(), theirs.ToArray(), (double)allocated / ours.Count, GC.CollectionCount(0) - gcBefore);
    }

    /// <summary>Calls <paramref name="run"/> (n calls -> per-call seconds) for about <paramref name="seconds"/>; returns the last median per-call time.</summary>
    private static double WarmUp(Func<int, double[]> run, double seconds)
    {
        var clock = Stopwatch.StartNew();
        double[] times = run(2);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            double perCall = Stats.Median(times);
            int n = Math.Max(1, (int)((seconds - clock.Elapsed.TotalSeconds) / Math.Max(perCall, 1e-6) / 2));
            times = run(Math.Min(n, 1000));
        }
        return Stats.Median(times);
    }

    private static int CallsPerBlock(double callSeconds, double blockSeconds) =>
        Math.Clamp((int)(blockSeconds / Math.Max(callSeconds, 1e-7)), 1, 10_000);

    private static double[] TimeCalls(Action call, int n)
    {
        var times = new double[n];
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return times;
    }
}

/// <summary>Order statistics of timings.</summary>
internal static class Stats
{
    /// <summary>A number for a JSON extra: rounded, or "-" when not finite (the serializer rejects NaN).</summary>
    public static object Json(double v, int digits = 3) => double.IsFinite(v) ? Math.Round(v, digits) : "-";

    public static double Median(IReadOnlyList<double> xs) => Quantile(xs, 0.5);

    /// <summary>Linear-interpolated quantile q in [0, 1].</summary>
    public static double Quantile(IReadOnlyList<double> xs, double q)
    {
        if (xs.Count == 0) return double.NaN;
        var sorted = xs.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
