using System.Globalization;

namespace Recur.Bench.Rnn;

/// <summary>
/// Starts a PyTorch peer at a thread count with the OpenMP wait policy that is faster right now. On this shared
/// 2-core machine libgomp's default policy (spin, then sleep) made torch's 2-thread LSTM forward+backward 5-40x slower
/// than OMP_WAIT_POLICY=PASSIVE while other processes were busy, and spinning can win when the machine is quiet; so at
/// more than one thread both are probed on a representative case (alternating, medians) and the faster one is kept,
/// which is the fair choice for the peer. One thread needs no probe.
/// </summary>
internal static class TorchPeer
{
    /// <summary>The peer (null when its script is missing) and the wait policy it runs with ("default" or "passive").</summary>
    public static (PeerProcess? Peer, string Policy) Start(string script, int threads, object probeCase, int probeCalls = 4, int probeRounds = 3)
    {
        string t = threads.ToString(CultureInfo.InvariantCulture);
        if (threads == 1) return (PeerProcess.Start(script, t, "default"), "default");
        var spinning = PeerProcess.Start(script, t, "default");
        if (spinning is null) return (null, "default");
        var passive = PeerProcess.Start(script, t, "passive")!;
        var times = new List<double>[] { [], [] };
        var peers = new[] { spinning, passive };
        foreach (var p in peers) { p.Ask(probeCase); p.Run(2); }
        for (int round = 0; round < probeRounds; round++)
        {
            for (int k = 0; k < 2; k++) times[k].AddRange(peers[k].Run(probeCalls));
            double a = Stats.Median(times[0]), b = Stats.Median(times[1]);
            if (Math.Max(a, b) > 3 * Math.Min(a, b)) break; // clear-cut: do not spend more time on the slow policy
        }
        double spin = Stats.Median(times[0]), pass = Stats.Median(times[1]);
        var (keep, drop) = pass < spin ? (passive, spinning) : (spinning, passive);
        drop.Dispose();
        string policy = keep == passive ? "passive" : "default";
        BenchReport.Note($"t{threads}: OpenMP wait-policy probe: default {spin * 1e3:F1} ms, passive {pass * 1e3:F1} ms per call -> {policy}");
        return (keep, policy);
    }
}
