using System.Globalization;

namespace Recur.Bench.Rnn;

/// <summary>
/// A PyTorch peer at a thread count, run under the OpenMP wait policy that is faster for the case at hand. On this
/// shared 2-core machine libgomp's default policy (spin, then sleep) made torch's 2-thread steps 5-60x slower than
/// OMP_WAIT_POLICY=PASSIVE whenever other processes were busy, and it may win when the machine is quiet; a single probe
/// at the start was not enough (the load changes within minutes). So at more than one thread two peer processes run,
/// one per policy; every case is set up on both and <see cref="ChooseFaster"/> times a few calls of each and keeps
/// the faster one for that case, which is the fair choice for the peer. One thread needs one process.
/// </summary>
internal sealed class TorchPeer : IDisposable
{
    private readonly PeerProcess[] _peers;   // [default] or [default, passive]
    private int _current;

    private TorchPeer(PeerProcess[] peers) => _peers = peers;

    /// <summary>What the chosen peer runs on (torch version, threads, wait policy, BLAS).</summary>
    public string Description => _peers[_current].Description;

    /// <summary>The wait policy of the chosen peer: "default" or "passive".</summary>
    public string Policy => _current == 0 ? "default" : "passive";

    /// <summary>Starts the peer process(es), or returns null when the script is missing.</summary>
    public static TorchPeer? Start(string script, int threads)
    {
        string t = threads.ToString(CultureInfo.InvariantCulture);
        var spinning = PeerProcess.Start(script, t, "default");
        if (spinning is null) return null;
        return threads == 1 ? new TorchPeer([spinning]) : new TorchPeer([spinning, PeerProcess.Start(script, t, "passive")!]);
    }

    /// <summary>Sends a case (or any) command to every process.</summary>
    public void Ask(object command)
    {
        foreach (var p in _peers) p.Ask(command);
    }

    /// <summary>
    /// Times up to <paramref name="calls"/> calls per policy (alternating, one call at a time; stops early when one is
    /// over 3x slower) and keeps the faster; returns a note line, or null with a single process.
    /// </summary>
    public string? ChooseFaster(int calls = 3)
    {
        if (_peers.Length == 1) return null;
        var times = new[] { new List<double>(), new List<double>() };
        for (int i = 0; i < calls; i++)
        {
            for (int k = 0; k < 2; k++) times[k].AddRange(_peers[k].Run(1));
            double a = Stats.Median(times[0]), b = Stats.Median(times[1]);
            if (i > 0 && Math.Max(a, b) > 3 * Math.Min(a, b)) break;
        }
        double spin = Stats.Median(times[0]), pass = Stats.Median(times[1]);
        _current = pass < spin ? 1 : 0;
        return $"wait policy: default {spin * 1e3:F1} ms, passive {pass * 1e3:F1} ms per call -> {Policy}";
    }

    /// <summary>Runs <paramref name="calls"/> timed calls on the chosen process.</summary>
    public double[] Run(int calls) => _peers[_current].Run(calls);

    public void Dispose()
    {
        foreach (var p in _peers) p.Dispose();
    }
}
