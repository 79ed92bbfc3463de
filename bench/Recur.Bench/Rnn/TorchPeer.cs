using System.Globalization;

namespace Recur.Bench.Rnn;

/// <summary>
/// Starts a PyTorch peer at a thread count with the OpenMP wait policy that is fair on this machine. At 2 threads
/// libgomp's default policy (spin, then sleep) is unstable when other processes are busy: probed per case of the rnn
/// suite, it was 1.3-78x slower than OMP_WAIT_POLICY=PASSIVE in 18 of 24 cases, 1-1.4x faster in the other 6, and
/// twice collapsed right after winning its probe (torch 5-10x slower for the rest of the case, which flattered
/// Recur). PASSIVE is never far from the better of the two, so it is used at more than one thread; on a quiet machine set
/// RECUR_BENCH_OMP_WAIT_POLICY=default to compare with libgomp's default instead. One thread has no waiting.
/// </summary>
internal static class TorchPeer
{
    /// <summary>The policy for <paramref name="threads"/>: "default" or "passive".</summary>
    public static string Policy(int threads) =>
        threads == 1 ? "default" : Environment.GetEnvironmentVariable("RECUR_BENCH_OMP_WAIT_POLICY") ?? "passive";

    /// <summary>Starts <c>bench/peers/&lt;script&gt; THREADS POLICY</c>, or returns null when the script is missing.</summary>
    public static PeerProcess? Start(string script, int threads) =>
        PeerProcess.Start(script, threads.ToString(CultureInfo.InvariantCulture), Policy(threads));
}
