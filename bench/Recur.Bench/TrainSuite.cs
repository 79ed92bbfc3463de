using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Bench.Rnn;
using Recur.Kernels;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Bench;

/// <summary>
/// Issue #4's training target: one step of a character-level language model, Embedding(65, 64) -> LSTM/GRU(256) x L ->
/// Linear(65), B32 x T100, cross-entropy at every step, global-norm clipping at 5, Adam (lr 2e-3, the CLI's default),
/// the state carried between steps (truncated BPTT), against the same model in PyTorch (bench/peers/train_torch.py) on
/// the same random tokens. Rows: <c>&lt;cell&gt; charlm [L2] B32 T100 H256 t&lt;threads&gt;</c> in characters per second
/// (median of per-step times over alternating blocks), and <c>... rss</c>: the peak resident set (VmHWM) of a fresh
/// process of each side running the same steps, in MiB; that row's ratio is peer RSS / Recur RSS.
/// Extra arguments keep the rows whose name contains all of them (e.g. <c>train gru t1</c>).
/// </summary>
public sealed class TrainSuite : IBenchSuite
{
    private const int Vocab = 65, Embed = 64, Hidden = 256, Batch = 32, Steps = 100, TokenBatches = 8;
    private const double LearningRate = 2e-3, Clip = 5;

    private sealed record Model(string Cell, int Layers)
    {
        public string Name => $"{Cell} charlm" + (Layers > 1 ? $" L{Layers}" : "") + $" B{Batch} T{Steps} H{Hidden}";
    }

    private static readonly Model[] Models = [new("lstm", 1), new("gru", 1), new("lstm", 2)];

    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Description => "char-LM training step (Embedding -> LSTM/GRU -> Linear, Adam, clipping) vs PyTorch: chars/s and peak RSS";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        if (options.Extra.Count > 0 && options.Extra[0] == "--rss-child")
        {
            RssChild(options.Extra);
            return;
        }
        var plan = options.Quick ? new AlternationPlan(3, 0.4, 0.5) : new AlternationPlan(7, 0.8, 1.0);
        int rssSteps = options.Quick ? 10 : 20;
        BenchReport.Note(MachineInfo.Summary());
        BenchReport.Note($"{plan.Rounds} alternating rounds of >= {plan.BlockSeconds * 1000:F0} ms blocks per side after {plan.WarmupSeconds * 1000:F0} ms warm-up; medians of per-step times; " +
                         $"RSS = VmHWM of a fresh process per side after {rssSteps} steps");
        string tokens = Path.Combine(Path.GetTempPath(), $"recur-train-tokens-{Environment.ProcessId}.bin");
        WriteTokens(tokens);
        int savedThreads = KernelConfig.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var speed = Models.Where(m => CaseFilter.Matches(options, $"{m.Name} t{threads}")).ToList();
                var rss = Models.Where(m => CaseFilter.Matches(options, $"{m.Name} rss t{threads}")).ToList();
                if (speed.Count + rss.Count == 0) continue;
                KernelConfig.Threads = threads;
                using var peer = TorchPeer.Start("train_torch.py", threads);
                BenchReport.Note($"t{threads}: peer {peer?.Description ?? "none"}; load average {MachineInfo.LoadAverage()}");
                foreach (var m in speed) report.Add(MeasureSpeed(m, threads, tokens, peer, plan));
                foreach (var m in rss) report.Add(MeasureRss(m, threads, tokens, rssSteps));
            }
        }
        finally
        {
            KernelConfig.Threads = savedThreads;
            File.Delete(tokens);
        }
    }

    private BenchRow MeasureSpeed(Model m, int threads, string tokens, PeerProcess? peer, AlternationPlan plan)
    {
        var (step, lastLoss) = RecurStep(m, tokens);
        peer?.Ask(PeerCase(m, tokens));
        var r = Alternation.Run(step, peer, plan);
        const double chars = Batch * Steps;
        var extra = new Dictionary<string, object>
        {
            ["threads"] = threads,
            ["peer_name"] = "torch 1.13 CPU",
            ["peer_omp_wait_policy"] = TorchPeer.Policy(threads),
            ["recur_ms_per_step"] = Stats.Json(r.RecurMedian * 1e3, 2),
            ["peer_ms_per_step"] = Stats.Json(r.PeerMedian * 1e3, 2),
            ["recur_ms_p25_p75"] = $"{Stats.Quantile(r.Recur, 0.25) * 1e3:F2}-{Stats.Quantile(r.Recur, 0.75) * 1e3:F2}",
            ["peer_ms_p25_p75"] = r.Peer.Length == 0 ? "-" : $"{Stats.Quantile(r.Peer, 0.25) * 1e3:F2}-{Stats.Quantile(r.Peer, 0.75) * 1e3:F2}",
            ["ratio_of_minima"] = Stats.Json(r.Peer.DefaultIfEmpty(double.NaN).Min() / r.Recur.Min()),
            ["steps"] = $"{r.Recur.Length}/{r.Peer.Length}",
            ["recur_alloc_kb_per_step"] = Math.Round(r.RecurAllocatedBytesPerCall / 1024, 1),
            ["recur_gen0_gcs"] = r.RecurGcCount,
            ["recur_last_loss"] = Stats.Json(lastLoss(), 4),
            ["load"] = MachineInfo.LoadAverage(),
        };
        return new BenchRow(Name, $"{m.Name} t{threads}", chars / r.RecurMedian, chars / r.PeerMedian, "chars/s", HigherIsBetter: true, extra);
    }

    private BenchRow MeasureRss(Model m, int threads, string tokens, int steps)
    {
        string t = threads.ToString(CultureInfo.InvariantCulture), n = steps.ToString(CultureInfo.InvariantCulture);
        var recur = RunJson(BenchCommand("train", "--rss-child", m.Cell, m.Layers.ToString(CultureInfo.InvariantCulture), t, n, tokens));
        double peer = double.NaN;
        string peerNote = "peer skipped";
        if (PeerProcess.FindPeerScript("train_torch.py") is { } script)
        {
            var torch = RunJson(("/usr/bin/python3", [script, t, TorchPeer.Policy(threads), "--rss", n, JsonSerializer.Serialize(PeerCase(m, tokens))]));
            peer = torch["vmhwm_mb"]!.GetValue<double>();
            peerNote = torch["peer"]!.GetValue<string>();
        }
        var extra = new Dictionary<string, object>
        {
            ["threads"] = threads,
            ["steps"] = steps,
            ["peer_name"] = "torch 1.13 CPU",
            ["peer_setup"] = peerNote,
            ["note"] = "ratio = peer RSS / Recur RSS",
            ["recur_gc_heap_mb"] = Math.Round(recur["gc_heap_mb"]!.GetValue<double>(), 1),
            ["recur_gc_committed_mb"] = Math.Round(recur["gc_committed_mb"]!.GetValue<double>(), 1),
            ["recur_gcs_gen0_1_2"] = recur["gcs"]!.GetValue<string>(),
        };
        return new BenchRow(Name, $"{m.Name} rss t{threads}", recur["vmhwm_mb"]!.GetValue<double>(), peer, "MiB", HigherIsBetter: false, extra);
    }

    /// <summary>The child process of an RSS row: <c>train --rss-child CELL LAYERS THREADS STEPS TOKENS</c>; prints {"vmhwm_mb": ...}.</summary>
    private static void RssChild(IReadOnlyList<string> args)
    {
        var m = new Model(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        KernelConfig.Threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        int steps = int.Parse(args[4], CultureInfo.InvariantCulture);
        var (step, lastLoss) = RecurStep(m, args[5]);
        for (int i = 0; i < steps; i++) step();
        var gc = GC.GetGCMemoryInfo();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            vmhwm_mb = PeakRssMiB(), loss = lastLoss(), gc_heap_mb = gc.HeapSizeBytes / 1048576.0, gc_committed_mb = gc.TotalCommittedBytes / 1048576.0,
            gcs = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}",
        }));
    }

    /// <summary>One training step (zero grads, forward + loss + backward, clip, Adam) cycling through the token file's batches.</summary>
    private static (Action Step, Func<double> LastLoss) RecurStep(Model m, string tokens)
    {
        var batches = ReadTokens(tokens);
        var model = new CharLanguageModel(new CharLanguageModelConfig(Vocab, Embed, new RecurrentConfig(ConfigJson.Parse<CellKind>(m.Cell)!.Value, Hidden, m.Layers)), new Rng(1));
        var parameters = model.Parameters;
        var adam = new Adam(parameters, LearningRate);
        int k = 0;
        double loss = double.NaN;
        return (() =>
        {
            var (inputs, targets) = batches[k++ % batches.Length];
            adam.ZeroGrad();
            loss = model.Step(inputs, targets, Batch, Steps);
            GradientClipping.ClipByGlobalNorm(parameters, Clip);
            adam.Step();
        }, () => loss);
    }

    private static object PeerCase(Model m, string tokens) => new
    {
        cmd = "case", cell = m.Cell, layers = m.Layers, vocab = Vocab, embed = Embed, hidden = Hidden, B = Batch, T = Steps,
        lr = LearningRate, clip = Clip, tokens,
    };

    /// <summary>Writes TokenBatches random batches as int32 [K, 2, B, T] (inputs, targets), uniform over the vocabulary.</summary>
    private static void WriteTokens(string path)
    {
        var rng = new Rng(42);
        using var w = new BinaryWriter(File.Create(path));
        for (int i = 0; i < TokenBatches * 2 * Batch * Steps; i++) w.Write(rng.NextInt(Vocab));
    }

    private static (int[] Inputs, int[] Targets)[] ReadTokens(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int n = Batch * Steps;
        var all = new int[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, all, 0, all.Length * 4);
        return Enumerable.Range(0, all.Length / (2 * n)).Select(k => (all[(2 * k * n)..((2 * k + 1) * n)], all[((2 * k + 1) * n)..((2 * k + 2) * n)])).ToArray();
    }

    private static double PeakRssMiB()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>This bench program with other arguments: the apphost directly, or <c>dotnet Recur.Bench.dll</c>.</summary>
    private static (string File, string[] Args) BenchCommand(params string[] args)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? (host, [Assembly.GetEntryAssembly()!.Location, .. args])
            : (host, args);
    }

    private static JsonNode RunJson((string File, string[] Args) command)
    {
        var psi = new ProcessStartInfo(command.File) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in command.Args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command.File}");
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? json = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || json is null)
            throw new InvalidOperationException($"{command.File} {string.Join(' ', command.Args)} failed (exit {p.ExitCode}): {output}");
        return JsonNode.Parse(json)!;
    }
}
