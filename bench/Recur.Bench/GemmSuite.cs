using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// SGEMM against numpy on OpenBLAS (bench/peers/gemm_numpy.py), side by side: square sizes, the shapes of RNN
/// layers (batch-1 step, batched steps, the all-time-steps input projection) and weight gradients with a
/// transposed operand, on 1 and 2 threads; GFLOP/s, median of repetitions that alternate Recur and the peer.
/// A first row measures the 1-thread FMA peak (a register-only FMA loop) to state GEMM efficiency against.
/// Extra arguments filter the cases by name (e.g. <c>gemm rnn</c> or <c>gemm sq2048</c>).
/// </summary>
public sealed class GemmSuite : IBenchSuite
{
    private sealed record Case(string Group, int M, int K, int N, bool TransA, bool TransB)
    {
        public string Name => Group == "sq" ? $"sq{M}" : $"{Group} {M}x{K}x{N}";
        public double Flops => 2.0 * M * K * N;
    }

    private static readonly Case[] Cases =
    [
        new("sq", 128, 128, 128, false, false),
        new("sq", 256, 256, 256, false, false),
        new("sq", 512, 512, 512, false, false),
        new("sq", 1024, 1024, 1024, false, false),
        new("sq", 2048, 2048, 2048, false, false),
        new("rnn", 1, 256, 1024, false, false),      // batch-1 step: h [1, H] x W [H, 4H]
        new("rnn", 32, 128, 512, false, false),
        new("rnn", 32, 256, 1024, false, false),
        new("rnn", 64, 256, 1024, false, false),
        new("rnn", 32, 512, 2048, false, false),
        new("rnn", 6400, 128, 1024, false, false),   // input projection of all time steps at once: [B*T, F] x [F, 4H]
        new("wgrad", 1024, 32, 256, true, false),    // dW = dY^T X with dY stored [32, 1024]
        new("wgrad", 1024, 2048, 128, true, false),  // A stored [2048, 1024]
    ];

    /// <inheritdoc />
    public string Name => "gemm";

    /// <inheritdoc />
    public string Description => "SGEMM vs numpy/OpenBLAS: square, RNN and weight-gradient shapes, 1 and 2 threads, FMA peak";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        int reps = options.Quick ? 7 : 15;
        double repSeconds = options.Quick ? 0.05 : 0.15;
        BenchReport.Note($"machine: {Environment.ProcessorCount} logical CPUs, ISA {KernelConfig.Isa}, load average {LoadAverage()}; " +
                         $"{reps} alternating repetitions of >= {repSeconds * 1000:F0} ms each, medians");

        // Measured before any worker thread exists, so the process CPU time is this thread's.
        var (peak, peakCpu) = FmaPeakGflops(reps);
        report.Add(new BenchRow(Name, "fma-peak t1", peak, double.NaN, "GFLOP/s", true,
            new Dictionary<string, object> { ["threads"] = 1, ["note"] = "register-only FMA loop, 256-bit", ["recur_per_cpu_s"] = Math.Round(peakCpu, 1) }));
        BenchReport.Note($"  per CPU-second: {peakCpu:F1} GFLOP");

        int savedThreads = KernelConfig.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                KernelConfig.Threads = threads;
                using var peer = NumpyPeer.Start(threads);
                foreach (var c in Cases)
                {
                    if (options.Extra.Count > 0 && !options.Extra.Any(f => c.Name.Contains(f, StringComparison.Ordinal))) continue;
                    var (recur, numpy, recurCpu, numpyCpu) = Measure(c, peer, reps, repSeconds);
                    var extra = new Dictionary<string, object>
                    {
                        ["threads"] = threads,
                        ["peer_library"] = "numpy+OpenBLAS",
                        ["recur_per_cpu_s"] = Math.Round(recurCpu, 1),
                        ["peer_per_cpu_s"] = Math.Round(numpyCpu, 1),
                    };
                    if (c.Name == "sq2048" && threads == 1)
                    {
                        extra["pct_of_fma_peak"] = Math.Round(100 * recur / peak, 1);
                        extra["pct_of_fma_peak_per_cpu_s"] = Math.Round(100 * recurCpu / peakCpu, 1);
                    }
                    report.Add(new BenchRow(Name, $"{c.Name} t{threads}", recur, numpy, "GFLOP/s", true, extra));
                    BenchReport.Note($"  per CPU-second: recur {recurCpu:F1}, peer {numpyCpu:F1} GFLOP (ratio {recurCpu / numpyCpu:F3})");
                }
            }
        }
        finally
        {
            KernelConfig.Threads = savedThreads;
        }
        BenchReport.Note($"load average at the end: {LoadAverage()}");
    }

    // GFLOP/s medians over alternating repetitions: wall clock, and per CPU-second (flops / CPU time of all the
    // process's threads), which a busy machine disturbs less when the threads are preempted.
    private static (double Recur, double Peer, double RecurCpu, double PeerCpu) Measure(Case c, NumpyPeer? peer, int reps, double repSeconds)
    {
        var rng = new Random(1);
        float[] a = RandomArray(rng, c.M * c.K), b = RandomArray(rng, c.K * c.N), out_ = new float[c.M * c.N];
        int lda = c.TransA ? c.M : c.K, ldb = c.TransB ? c.K : c.N;
        void Once() => Gemm.Sgemm(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, lda, b, ldb, 0f, out_, c.N);

        int iters = Calibrate(Once, repSeconds);
        peer?.SetCase(c.M, c.K, c.N, c.TransA, c.TransB);
        int peerIters = peer is null ? 0 : Math.Max(1, (int)(repSeconds / Math.Max(1e-9, peer.Time(1).Wall)));
        var ours = new List<double>();
        var oursCpu = new List<double>();
        var theirs = new List<double>();
        var theirsCpu = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < reps; r++)
        {
            // OpenBLAS's idle threads busy-wait after each call (about 2^28 cycles, ~0.1 s here); let them fall asleep
            // so that they do not take a core from the block measured next (ours).
            if (peer is not null && r > 0) Thread.Sleep(250);
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < iters; i++) Once();
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            self.Refresh();
            ours.Add(c.Flops * iters / wall / 1e9);
            oursCpu.Add(c.Flops * iters / (self.TotalProcessorTime - cpu).TotalSeconds / 1e9);
            if (peer is null) continue;
            var (peerWall, peerCpu) = peer.Time(peerIters);
            theirs.Add(c.Flops * peerIters / peerWall / 1e9);
            theirsCpu.Add(c.Flops * peerIters / peerCpu / 1e9);
        }
        return (Median(ours), peer is null ? double.NaN : Median(theirs), Median(oursCpu), peer is null ? double.NaN : Median(theirsCpu));
    }

    // Iterations per repetition so that one repetition lasts about `seconds` (after a warm-up call).
    private static int Calibrate(Action once, double seconds)
    {
        once();
        long start = Stopwatch.GetTimestamp();
        int n = 0;
        do
        {
            once();
            n++;
        } while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds / 4);
        return Math.Max(1, (int)(n * seconds / Stopwatch.GetElapsedTime(start).TotalSeconds));
    }

    // Peak single-thread FMA throughput: 12 independent accumulator chains (enough to hide a 4-cycle latency on two
    // FMA pipes), nothing but FMAs in the loop. 2 FLOP per lane per FMA. Wall clock and per CPU-second medians.
    private static (double Wall, double Cpu) FmaPeakGflops(int reps)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < reps + 1; r++)
        {
            const int iters = 4_000_000;
            const double flops = iters * 12.0 * 8 * 2;
            self.Refresh();
            TimeSpan cpu0 = self.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            float sink = FmaLoop(iters, 1.0000001f);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            self.Refresh();
            if (r > 0) // the first run warms up
            {
                wall.Add(flops / seconds / 1e9);
                cpu.Add(flops / (self.TotalProcessorTime - cpu0).TotalSeconds / 1e9);
            }
            if (sink == 12345) Console.WriteLine(); // keeps the loop observable
        }
        return (Median(wall), Median(cpu));
    }

    private static float FmaLoop(int iters, float x)
    {
        var m = Vector256.Create(x);
        var a = Vector256.Create(0.5f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < iters; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a);
            c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a);
            c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a);
            c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a);
            c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a);
            c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a);
            c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float[] RandomArray(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "unknown"; }
    }

    /// <summary>The numpy peer process: one per thread count (OpenBLAS reads its thread count at start).</summary>
    private sealed class NumpyPeer : IDisposable
    {
        private readonly Process _process;

        private NumpyPeer(Process process) => _process = process;

        public static NumpyPeer? Start(int threads)
        {
            string? script = FindScript();
            if (script is null)
            {
                BenchReport.Note("peer skipped: bench/peers/gemm_numpy.py not found above " + AppContext.BaseDirectory);
                return null;
            }
            var psi = new ProcessStartInfo("/usr/bin/python3", script)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            // Both: the pthread flavour of OpenBLAS reads the first, the OpenMP flavour (the one libblas.so.3 points to
            // once python3-torch is installed) the second; with only the first, the OpenMP flavour used every core.
            psi.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line == "ready") return new NumpyPeer(process);
                Console.WriteLine(line);
            }
            process.WaitForExit();
            throw new InvalidOperationException($"the numpy peer exited with code {process.ExitCode} before it was ready (see its error above)");
        }

        public void SetCase(int m, int k, int n, bool transA, bool transB) =>
            Ask($"case {m} {k} {n} {(transA ? 1 : 0)} {(transB ? 1 : 0)}");

        public (double Wall, double Cpu) Time(int iters)
        {
            string[] parts = Ask($"time {iters}").Split(' ');
            return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        private string Ask(string command)
        {
            _process.StandardInput.WriteLine(command);
            _process.StandardInput.Flush();
            string? answer = _process.StandardOutput.ReadLine();
            if (answer is null || answer.StartsWith("error", StringComparison.Ordinal))
                throw new InvalidOperationException($"numpy peer failed on '{command}': {answer ?? "no answer"}");
            return answer;
        }

        private static string? FindScript()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string path = Path.Combine(dir.FullName, "bench", "peers", "gemm_numpy.py");
                    if (File.Exists(path)) return path;
                }
            return null;
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
            catch (IOException) { }
            _process.Dispose();
        }
    }
}
