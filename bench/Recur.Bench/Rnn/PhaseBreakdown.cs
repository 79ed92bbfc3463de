using System.Diagnostics;
using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Bench.Rnn;

/// <summary>
/// Where a Recur forward+backward spends its time (<c>rnn breakdown [filter words, e.g. lstm B64 t1]</c>), for a one-layer
/// unidirectional layer. The layer's internals are not public, so the GEMM phases are replayed with the public
/// kernels on the exact shapes, strides and packed operands the layer uses (src/Recur/Layers/Recurrent/Sweep/DirectionSweep.cs and Cells/),
/// and the rest (gate math, state copies, allocation) is the measured layer total minus the replayed phases:
/// <code>
///   forward:  input GEMM [B*T, I] x W_ih^T -> [B*T, G*H]; bias rows; pack W_hh^T; T recurrent GEMMs [B, H] x [H, G*H]
///   backward: pack W_hh; T recurrent GEMMs [B, G*H] x [G*H, H]; dW_ih = dG^T x; dW_hh = dG^T Hs; bias row sums; dx = dG W_ih
/// </code>
/// Each repetition runs the layer and every replayed phase once (so load changes hit all alike); the rows report
/// the median ms of each and its share of the forward+backward total.
/// </summary>
internal static class PhaseBreakdown
{
    private static readonly (string Cell, int B, int T, int I, int H)[] Configs =
    [
        ("lstm", 64, 100, 128, 256), ("gru", 64, 100, 128, 256), ("rnn", 64, 100, 128, 256),
        ("lstm", 32, 64, 64, 128), ("lstm", 32, 64, 128, 512),
    ];

    public static void Run(BenchOptions options, BenchReport report)
    {
        var filter = options with { Extra = options.Extra.Skip(1).ToList() };
        int reps = options.Quick ? 5 : 15;
        BenchReport.Note(MachineInfo.Summary());
        BenchReport.Note($"phases of one forward+backward (1 layer, unidirectional), medians of {reps} runs; 'other' = measured total - replayed phases");
        int savedThreads = KernelConfig.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                KernelConfig.Threads = threads;
                foreach (var (cell, b, t, i, h) in Configs)
                {
                    if (!CaseFilter.Matches(filter, $"{cell} B{b} T{t} I{i} H{h} t{threads}")) continue;
                    var rows = Measure(cell, b, t, i, h, threads, reps);
                    foreach (var row in rows) report.Add(row);
                    BenchReport.Note($"{cell} B{b} T{t} I{i} H{h} t{threads} shares: " + string.Join("; ", rows.Select(r =>
                        $"{r.Case[(r.Case.IndexOf(':') + 2)..]} {r.Extra!["pct_of_total"]}%" + (r.Extra.TryGetValue("gflops", out var g) ? $" ({g} GFLOP/s)" : ""))));
                }
            }
        }
        finally
        {
            KernelConfig.Threads = savedThreads;
        }
    }

    private static List<BenchRow> Measure(string cell, int b, int t, int inSize, int h, int threads, int reps)
    {
        int gates = cell switch { "lstm" => 4, "gru" => 3, _ => 1 }, gh = gates * h, bt = b * t;
        var rng = new Rng(3);
        var layer = RnnSuite.CreateLayer(cell, inSize, h, 1, false);
        var x = RnnSuite.RandomTensor(rng, b, t, inSize);
        var upstream = RnnSuite.RandomTensor(rng, b, t, h);
        float[] wih = layer.GetParameter("weight_ih_l0").Value.ToArray(), whh = layer.GetParameter("weight_hh_l0").Value.ToArray();
        float[] bias = layer.GetParameter("bias_ih_l0").Value.ToArray();
        float[] xw = Rand(rng, bt * gh), hs = Rand(rng, bt * h), dx = new float[bt * inSize];
        float[] dwih = new float[gh * inSize], dwhh = new float[gh * h], dbias = new float[gh];
        float[] hA = Rand(rng, b * h), hg = new float[b * gh], dh = new float[b * h];
        var packT = new PackedMatrix(h, gh);
        var packN = new PackedMatrix(gh, h);
        packT.Pack(true, whh, h);
        packN.Pack(false, whh, h);
        bool separateHg = cell == "gru"; // GRU (reset after) writes h W_hh^T to its own [B, 3H] buffer, beta 0

        layer.Training = true;
        // (name, action, GEMM FLOPs); "forward total" and "backward total" run the layer itself.
        var phases = new List<(string Name, Action Run, double Flops)>
        {
            ("forward total", () => layer.Forward(x), 0),
            ("backward total", () => layer.Backward(upstream), 0), // right after the forward above (same repetition)
            ("ZeroGrad", layer.ZeroGrad, 0),
            ("fwd input GEMM", () => Gemm.Sgemm(false, true, bt, gh, inSize, 1f, x.Span, inSize, wih, inSize, 0f, xw, gh), 2.0 * bt * gh * inSize),
            ("fwd bias rows", () =>
            {
                for (int r = 0; r < bt; r++)
                {
                    var row = xw.AsSpan(r * gh, gh);
                    TensorPrimitives.Add(row, bias, row);
                    TensorPrimitives.Add(row, bias, row);
                }
            }, 0),
            ("fwd pack W_hh^T", () => packT.Pack(true, whh, h), 0),
            ("fwd recurrent GEMMs", () =>
            {
                for (int s = 0; s < t; s++)
                {
                    if (separateHg) Gemm.Sgemm(false, b, 1f, hA, h, packT, 0f, hg, gh);
                    else Gemm.Sgemm(false, b, 1f, hA, h, packT, 1f, xw.AsSpan(s * gh), t * gh);
                }
            }, 2.0 * bt * h * gh),
            ("bwd pack W_hh", () => packN.Pack(false, whh, h), 0),
            ("bwd recurrent GEMMs", () =>
            {
                for (int s = 0; s < t; s++) Gemm.Sgemm(false, b, 1f, xw.AsSpan(s * gh), t * gh, packN, separateHg ? 1f : 0f, dh, h);
            }, 2.0 * bt * h * gh),
            ("bwd dW_ih GEMM", () => Gemm.Sgemm(true, false, gh, inSize, bt, 1f, xw, gh, x.Span, inSize, 1f, dwih, inSize), 2.0 * bt * gh * inSize),
            ("bwd dW_hh GEMM", () => Gemm.Sgemm(true, false, gh, h, bt, 1f, xw, gh, hs, h, 1f, dwhh, h), 2.0 * bt * gh * h),
            ("bwd bias row sums", () =>
            {
                // One pass over dG; b_hh's gradient is the same sum, except a GRU's (reset after) n block: a pass over H columns.
                for (int r = 0; r < bt; r++) TensorPrimitives.Add(dbias, xw.AsSpan(r * gh, gh), dbias);
                if (separateHg)
                    for (int r = 0; r < bt; r++) TensorPrimitives.Add(dbias.AsSpan(0, h), xw.AsSpan(r * gh + 2 * h, h), dbias.AsSpan(0, h));
            }, 0),
            ("bwd dx GEMM", () => Gemm.Sgemm(false, false, bt, inSize, gh, 1f, xw, gh, wih, inSize, 0f, dx, inSize), 2.0 * bt * inSize * gh),
        };
        // Every repetition runs every phase once, so background load hits all phases alike; medians per phase.
        var times = phases.Select(_ => new List<double>()).ToArray();
        for (int rep = -2; rep < reps; rep++) // two warm-up repetitions
            for (int k = 0; k < phases.Count; k++)
            {
                long start = Stopwatch.GetTimestamp();
                phases[k].Run();
                if (rep >= 0) times[k].Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        var median = times.Select(Stats.Median).ToArray();
        double fwd = median[0], bwd = median[1], zero = median[2];
        var replayed = phases.Select((p, k) => (p.Name, Seconds: median[k], p.Flops)).Skip(3).ToList();

        double total = fwd + bwd + zero;
        string prefix = $"breakdown {cell} B{b} T{t} I{inSize} H{h} t{threads}";
        var rows = new List<BenchRow>();
        BenchRow Row(string phase, double seconds, double flops)
        {
            var extra = new Dictionary<string, object> { ["threads"] = threads, ["pct_of_total"] = Math.Round(100 * seconds / total, 1) };
            if (flops > 0) extra["gflops"] = Math.Round(flops / seconds / 1e9, 1);
            return new BenchRow("rnn", $"{prefix}: {phase}", seconds * 1e3, double.NaN, "ms", HigherIsBetter: false, extra);
        }
        double fwdKnown = replayed.Where(p => p.Name.StartsWith("fwd", StringComparison.Ordinal)).Sum(p => p.Seconds);
        double bwdKnown = replayed.Where(p => p.Name.StartsWith("bwd", StringComparison.Ordinal)).Sum(p => p.Seconds);
        rows.Add(Row("forward total", fwd, 0));
        rows.AddRange(replayed.Where(p => p.Name.StartsWith("fwd", StringComparison.Ordinal)).Select(p => Row(p.Name, p.Seconds, p.Flops)));
        rows.Add(Row("fwd other (gates, copies, alloc)", fwd - fwdKnown, 0));
        rows.Add(Row("backward total", bwd, 0));
        rows.AddRange(replayed.Where(p => p.Name.StartsWith("bwd", StringComparison.Ordinal)).Select(p => Row(p.Name, p.Seconds, p.Flops)));
        rows.Add(Row("bwd other (gates, copies, alloc)", bwd - bwdKnown, 0));
        rows.Add(Row("ZeroGrad", zero, 0));
        double gemmFlops = replayed.Sum(p => p.Flops);
        rows.Add(Row("fwd+bwd total", total, gemmFlops));
        return rows;
    }

    private static float[] Rand(Rng rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextFloat() * 2 - 1;
        return a;
    }
}
