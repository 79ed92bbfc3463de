using Recur.Layers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Bench.Rnn;
using Recur.Data.Batching;
using Recur.Data.Bundled;
using Recur.Data.Text;
using Recur.Kernels;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Bench;

/// <summary>
/// Issue #7's quality target: the character language model of <c>recur train charlm</c> (defaults: Embedding(V, 64) ->
/// LSTM(256) -> Linear(V), B32 x T100 stateful truncated BPTT, Adam lr 2e-3, global-norm clipping 5) trained by Recur
/// and by PyTorch (bench/peers/charlm_torch.py) for the same wall-clock budget at 2 threads, one after the other, on the
/// bundled Moby Dick with the last 10% held out, both encoded here by Recur's CharEncoder so the indices match.
/// Validation bits per character is measured every budget/6 seconds of training (the training clock paused meanwhile)
/// and at the end. Rows: <c>charlm lstm val_bpc M&lt;minutes&gt;min t2</c> (final bpc; ratio = peer / Recur, &gt; 1 means
/// Recur's model is better), <c>... chars/s</c> (training characters per training second) and <c>... chars</c>
/// (characters trained on). Options: <c>--minutes M</c> per side (default 3; <c>--quick</c>: 1).
/// </summary>
public sealed class CharLmSuite : IBenchSuite
{
    private const int Embed = 64, Hidden = 256, Batch = 32, Steps = 100, Threads = 2, Seed = 1, Evaluations = 6;
    private const double LearningRate = 2e-3, Clip = 5;

    /// <inheritdoc />
    public string Name => "charlm";

    /// <inheritdoc />
    public string Description => "char-LM quality: validation bits/char over the same wall-clock budget, Recur vs PyTorch (--minutes M)";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        double minutes = Minutes(options);
        double budget = minutes * 60, evalEvery = budget / Evaluations;
        string path = BundledData.Locate().MobyDick;
        var vocab = Vocabulary.ForCharacters(TokenCounter.CountCodePoints(path));
        int[] all = new CharEncoder(vocab).EncodeFile(path).ToArray();
        int split = (int)(all.Length * 0.9);
        BenchReport.Note(MachineInfo.Summary());
        BenchReport.Note($"{Path.GetFileName(path)}: {all.Length:N0} characters ({split:N0} train, {all.Length - split:N0} held out), vocabulary {vocab.Count}; " +
                         $"Embedding({vocab.Count}, {Embed}) -> LSTM({Hidden}) -> Linear({vocab.Count}), B{Batch} T{Steps}, Adam {LearningRate}, clip {Clip}; " +
                         $"{minutes} min of training per side at {Threads} threads, validation every {evalEvery:F0} s of training; load average {MachineInfo.LoadAverage()}");

        var recur = TrainRecur(all, split, vocab.Count, budget, evalEvery);
        BenchReport.Note($"load average after Recur {MachineInfo.LoadAverage()}");
        var peer = TrainTorch(all, split, vocab.Count, budget, evalEvery);
        BenchReport.Note($"peer: {peer?.Description ?? "none (bench/peers/charlm_torch.py not found)"}; load average {MachineInfo.LoadAverage()}");

        PrintCurve("Recur", recur.Curve);
        if (peer is not null) PrintCurve("torch", peer.Curve);
        string m = minutes.ToString(CultureInfo.InvariantCulture);
        var extra = new Dictionary<string, object>
        {
            ["threads"] = Threads,
            ["minutes"] = minutes,
            ["peer_name"] = "torch 1.13 CPU",
            ["peer_omp_wait_policy"] = TorchPeer.Policy(Threads),
            ["recur_curve"] = recur.Curve,
            ["peer_curve"] = peer?.Curve ?? [],
            ["recur_steps"] = recur.StepCount,
            ["peer_steps"] = peer?.StepCount ?? 0,
            ["load"] = MachineInfo.LoadAverage(),
        };
        double peerBpc = peer?.Curve[^1][1] ?? double.NaN;
        report.Add(new BenchRow(Name, $"lstm val_bpc M{m}min t{Threads}", recur.Curve[^1][1], peerBpc, "bpc", HigherIsBetter: false, extra));
        report.Add(new BenchRow(Name, $"lstm chars/s M{m}min t{Threads}", recur.Chars / recur.Seconds,
            peer is null ? double.NaN : peer.Chars / peer.Seconds, "chars/s", HigherIsBetter: true));
        report.Add(new BenchRow(Name, $"lstm chars M{m}min t{Threads}", recur.Chars, peer?.Chars ?? double.NaN, "chars", HigherIsBetter: true));
    }

    /// <summary>One side's run: validation bpc against training seconds, steps, characters and training seconds.</summary>
    private sealed record Result(double[][] Curve, long StepCount, long Chars, double Seconds, string Description);

    private static double Minutes(BenchOptions options)
    {
        int i = options.Extra.ToList().IndexOf("--minutes");
        if (i < 0) return options.Quick ? 1 : 3;
        if (i + 1 >= options.Extra.Count || !double.TryParse(options.Extra[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double m) || !(m > 0))
            throw new ArgumentException($"--minutes needs a positive number, got '{(i + 1 < options.Extra.Count ? options.Extra[i + 1] : "")}'", nameof(options));
        return m;
    }

    /// <summary>
    /// Stateful truncated BPTT over the training lanes in order, epoch after epoch (state reset at each epoch start and,
    /// through BitsPerCharacter, after each evaluation; charlm_torch.py does the same), until the training clock reaches
    /// the budget.
    /// </summary>
    private static Result TrainRecur(int[] all, int split, int vocab, double budget, double evalEvery)
    {
        int saved = KernelConfig.Threads;
        KernelConfig.Threads = Threads;
        try
        {
            var train = new LanguageModelBatcher(all.AsSpan(0, split), vocab, Batch, Steps);
            var valid = new LanguageModelBatcher(all.AsSpan(split), vocab, Math.Max(1, Math.Min(Batch, (all.Length - split - 1) / (Steps + 1))), Steps);
            var model = new CharLanguageModel(new CharLanguageModelConfig(vocab, Embed, new RecurrentConfig(CellKind.Lstm, Hidden)), new Rng(Seed));
            var parameters = model.Parameters;
            var adam = new Adam(parameters, LearningRate);
            var curve = new List<double[]>();
            var clock = new Stopwatch();
            long steps = 0, chars = 0;
            double nextEval = evalEvery;
            while (clock.Elapsed.TotalSeconds < budget)
            {
                model.ResetState();
                foreach (var b in train.Batches())
                {
                    clock.Start();
                    adam.ZeroGrad();
                    model.Step(b.Inputs, b.Targets, b.BatchSize, b.Steps);
                    GradientClipping.ClipByGlobalNorm(parameters, Clip);
                    adam.Step();
                    clock.Stop();
                    steps++;
                    chars += b.BatchSize * b.Steps;
                    double trained = clock.Elapsed.TotalSeconds;
                    if (trained < nextEval && trained < budget) continue;
                    curve.Add([Math.Round(trained, 3), model.BitsPerCharacter(valid)]);
                    Console.Error.WriteLine($"# recur {trained,7:F1} s  {steps,6} steps  val bpc {curve[^1][1]:F4}");
                    nextEval += evalEvery;
                    if (trained >= budget) break;
                }
            }
            return new Result([.. curve], steps, chars, clock.Elapsed.TotalSeconds, "Recur");
        }
        finally
        {
            KernelConfig.Threads = saved;
        }
    }

    /// <summary>Runs charlm_torch.py on the same tokens (int32 file), or returns null when the script is missing.</summary>
    private static Result? TrainTorch(int[] all, int split, int vocab, double budget, double evalEvery)
    {
        if (PeerProcess.FindPeerScript("charlm_torch.py") is not { } script) return null;
        string tokens = Path.Combine(Path.GetTempPath(), $"recur-charlm-tokens-{Environment.ProcessId}.bin");
        try
        {
            var bytes = new byte[all.Length * sizeof(int)];
            Buffer.BlockCopy(all, 0, bytes, 0, bytes.Length);  // little-endian int32, as numpy's "<i4"
            File.WriteAllBytes(tokens, bytes);
            string json = JsonSerializer.Serialize(new
            {
                tokens, split, vocab, embed = Embed, hidden = Hidden, B = Batch, T = Steps, lr = LearningRate, clip = Clip,
                seconds = budget, eval_every = evalEvery, seed = Seed,
            });
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in new[] { script, Threads.ToString(CultureInfo.InvariantCulture), TorchPeer.Policy(Threads), json }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string? last = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
            if (p.ExitCode != 0 || last is null) throw new InvalidOperationException($"{script} failed (exit {p.ExitCode}): {output}");
            var r = JsonNode.Parse(last)!;
            var curve = r["curve"]!.AsArray().Select(e => new[] { e![0]!.GetValue<double>(), e[1]!.GetValue<double>() }).ToArray();
            return new Result(curve, r["steps"]!.GetValue<long>(), r["chars"]!.GetValue<long>(), r["train_seconds"]!.GetValue<double>(), r["peer"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(tokens);
        }
    }

    private static void PrintCurve(string side, double[][] curve)
    {
        BenchReport.Note($"{side} validation curve: seconds bpc");
        foreach (var point in curve) BenchReport.Note($"  {point[0],8:F1} {point[1]:F4}");
    }
}
