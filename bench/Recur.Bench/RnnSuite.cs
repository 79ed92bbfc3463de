using Recur.Bench.Rnn;
using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Bench;

/// <summary>
/// Recurrent layers against PyTorch 1.13 on CPU (bench/peers/rnn_torch.py, OpenMP OpenBLAS), issue #3's targets:
/// forward+backward of the layer alone (loss = sum(output * upstream), gradients for the parameters and the input),
/// batch-1 inference latency and batched inference throughput, for LSTM, GRU and RNN-tanh, at 1 and 2 threads.
/// Rows are <c>&lt;cell&gt; &lt;fwdbwd|latency|infer&gt; B.. T.. I.. H.. [L2|bi] t&lt;threads&gt;</c>; fwdbwd and infer in
/// sequences/s, latency in ms per call; every number is the median of per-call times over alternating
/// Recur / PyTorch blocks. Extra arguments keep the cases whose name contains all of them (e.g. <c>rnn lstm t1</c>);
/// <c>rnn breakdown [filter words]</c> instead times the phases of a Recur forward+backward (see <see cref="PhaseBreakdown"/>),
/// and <c>rnn profile &lt;filters&gt;</c> runs only Recur's calls of the first matching case for 20 s (10 s with --quick),
/// for a sampling profiler: <c>DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -g -- dotnet
/// bench/Recur.Bench/bin/Release/net10.0/Recur.Bench.dll rnn profile lstm fwdbwd B32 t1</c> (without W^X off, perf
/// cannot name JIT-compiled code).
/// </summary>
public sealed class RnnSuite : IBenchSuite
{
    private enum Mode { FwdBwd, Latency, Infer }

    private sealed record Case(string Cell, Mode Mode, int B, int T, int I, int H, int Layers = 1, bool Bi = false)
    {
        public string Name => $"{Cell} {Mode.ToString().ToLowerInvariant()} B{B} T{T} I{I} H{H}" + (Layers > 1 ? $" L{Layers}" : "") + (Bi ? " bi" : "");
    }

    private static readonly string[] Cells = ["lstm", "gru", "rnn"];

    private static IEnumerable<Case> Cases() =>
        from shape in new (Mode Mode, int B, int T, int I, int H, int L, bool Bi)[]
        {
            (Mode.FwdBwd, 32, 64, 64, 128, 1, false),
            (Mode.FwdBwd, 64, 100, 128, 256, 1, false),
            (Mode.FwdBwd, 32, 64, 128, 512, 1, false),
            (Mode.FwdBwd, 32, 64, 128, 256, 2, false),
            (Mode.FwdBwd, 32, 64, 128, 256, 1, true),
            (Mode.Latency, 1, 64, 64, 128, 1, false),
            (Mode.Latency, 1, 64, 64, 256, 1, false),
            (Mode.Infer, 64, 100, 128, 256, 1, false),
        }
        from cell in Cells
        select new Case(cell, shape.Mode, shape.B, shape.T, shape.I, shape.H, shape.L, shape.Bi);

    /// <inheritdoc />
    public string Name => "rnn";

    /// <inheritdoc />
    public string Description => "LSTM/GRU/RNN layers vs PyTorch: forward+backward, batch-1 latency, inference throughput; 1 and 2 threads";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        if (options.Extra.Count > 0 && options.Extra[0] == "breakdown")
        {
            PhaseBreakdown.Run(options, report);
            return;
        }
        if (options.Extra.Count > 0 && options.Extra[0] == "profile")
        {
            Profile(options with { Extra = options.Extra.Skip(1).ToList() });
            return;
        }
        var plan = AlternationPlan.For(options.Quick);
        BenchReport.Note(MachineInfo.Summary());
        BenchReport.Note($"{plan.Rounds} alternating rounds of >= {plan.BlockSeconds * 1000:F0} ms blocks per side after {plan.WarmupSeconds * 1000:F0} ms warm-up; medians of per-call times");
        int savedThreads = KernelConfig.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var cases = Cases().Where(c => CaseFilter.Matches(options, $"{c.Name} t{threads}")).ToList();
                if (cases.Count == 0) continue;
                KernelConfig.Threads = threads;
                using var peer = TorchPeer.Start("rnn_torch.py", threads);
                BenchReport.Note($"t{threads}: peer {peer?.Description ?? "none"}; load average {MachineInfo.LoadAverage()}");
                foreach (var c in cases) report.Add(Measure(c, threads, peer, plan));
            }
        }
        finally
        {
            KernelConfig.Threads = savedThreads;
        }
    }

    private static void Profile(BenchOptions options)
    {
        var (c, threads) = (from t in new[] { 1, 2 } from k in Cases() where CaseFilter.Matches(options, $"{k.Name} t{t}") select (k, t)).FirstOrDefault();
        if (c is null) throw new ArgumentException($"no case matches '{string.Join(' ', options.Extra)}'");
        KernelConfig.Threads = threads;
        var call = RecurCall(c);
        double seconds = options.Quick ? 10 : 20;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int calls = 0;
        for (; clock.Elapsed.TotalSeconds < seconds; calls++) call();
        BenchReport.Note($"profiled {c.Name} t{threads}: {calls} calls, {clock.Elapsed.TotalMilliseconds / calls:F3} ms per call");
    }

    private BenchRow Measure(Case c, int threads, PeerProcess? peer, AlternationPlan plan)
    {
        var call = RecurCall(c);
        peer?.Ask(new { cmd = "case", cell = c.Cell, mode = c.Mode == Mode.FwdBwd ? "fwdbwd" : "infer", c.B, c.T, c.I, c.H, layers = c.Layers, bi = c.Bi });
        var r = Alternation.Run(call, peer, plan);

        var extra = new Dictionary<string, object>
        {
            ["threads"] = threads,
            ["peer_name"] = "torch 1.13 CPU",
            ["peer_omp_wait_policy"] = TorchPeer.Policy(threads),
            ["recur_ms"] = Stats.Json(r.RecurMedian * 1e3),
            ["peer_ms"] = Stats.Json(r.PeerMedian * 1e3),
            ["recur_ms_p25_p75"] = $"{Stats.Quantile(r.Recur, 0.25) * 1e3:F3}-{Stats.Quantile(r.Recur, 0.75) * 1e3:F3}",
            ["peer_ms_p25_p75"] = r.Peer.Length == 0 ? "-" : $"{Stats.Quantile(r.Peer, 0.25) * 1e3:F3}-{Stats.Quantile(r.Peer, 0.75) * 1e3:F3}",
            ["recur_ms_min"] = Stats.Json(r.Recur.Min() * 1e3),
            ["peer_ms_min"] = Stats.Json(r.Peer.DefaultIfEmpty(double.NaN).Min() * 1e3),
            ["ratio_of_minima"] = Stats.Json(r.Peer.DefaultIfEmpty(double.NaN).Min() / r.Recur.Min()),
            ["calls"] = $"{r.Recur.Length}/{r.Peer.Length}",
            ["recur_alloc_kb_per_call"] = Math.Round(r.RecurAllocatedBytesPerCall / 1024, 1),
            ["recur_gen0_gcs"] = r.RecurGcCount,
            ["load"] = MachineInfo.LoadAverage(),
        };
        string name = $"{c.Name} t{threads}";
        return c.Mode == Mode.Latency
            ? new BenchRow(Name, name, r.RecurMedian * 1e3, r.PeerMedian * 1e3, "ms", HigherIsBetter: false, extra)
            : new BenchRow(Name, name, c.B / r.RecurMedian, c.B / r.PeerMedian, "seq/s", HigherIsBetter: true, extra);
    }

    /// <summary>One Recur call of case <paramref name="c"/>: ZeroGrad + forward + backward, or an inference forward.</summary>
    private static Action RecurCall(Case c)
    {
        var layer = CreateLayer(c.Cell, c.I, c.H, c.Layers, c.Bi);
        var rng = new Rng(7);
        var x = RandomTensor(rng, c.B, c.T, c.I);
        if (c.Mode == Mode.FwdBwd)
        {
            var upstream = RandomTensor(rng, c.B, c.T, (c.Bi ? 2 : 1) * c.H);
            layer.Training = true;
            return () =>
            {
                layer.ZeroGrad();
                layer.Forward(x);
                layer.Backward(upstream); // ∂/∂(params, x) of L = sum(output ⊙ upstream)
            };
        }
        layer.Training = false;
        return () => layer.Forward(x);
    }

    internal static RecurrentLayer CreateLayer(string cell, int inputSize, int hiddenSize, int layers, bool bidirectional) => cell switch
    {
        "lstm" => new Lstm(inputSize, hiddenSize, layers, bidirectional, rng: new Rng(1)),
        "gru" => new Gru(inputSize, hiddenSize, layers, bidirectional, rng: new Rng(1)),
        "rnn" => new Layers.Rnn(inputSize, hiddenSize, layers, RnnNonlinearity.Tanh, bidirectional, rng: new Rng(1)),
        _ => throw new ArgumentException($"cell must be lstm, gru or rnn, got '{cell}'", nameof(cell)),
    };

    internal static Tensor RandomTensor(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextFloat() * 2 - 1;
        return t;
    }
}
