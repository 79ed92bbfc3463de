using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Data.Batching;
using Recur.Data.Bundled;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur train charlm</c>: a character-level language model trained by truncated BPTT on a text file (default:
/// the bundled Moby Dick, last 10% held out), with validation bits per character and a generated sample each epoch.
/// </summary>
internal static class TrainCharLmCommand
{
    public static Command Create(CliHost host)
    {
        var text = new Option<string?>("--text") { Description = "UTF-8 text file to learn from (.gz allowed; the last 10% is held out for validation); default: the bundled Moby Dick", HelpName = "FILE" };
        var cell = new Option<string>("--cell") { Description = "Recurrent cell: lstm, gru or rnn", DefaultValueFactory = _ => "lstm" };
        cell.AcceptOnlyFromAmong("lstm", "gru", "rnn");
        var hidden = new Option<int>("--hidden") { Description = "Hidden units per layer", DefaultValueFactory = _ => 256, HelpName = "N" }.AtLeast(1);
        var layers = new Option<int>("--layers") { Description = "Stacked recurrent layers", DefaultValueFactory = _ => 1, HelpName = "N" }.AtLeast(1);
        var embed = new Option<int>("--embed") { Description = "Character embedding size", DefaultValueFactory = _ => 64, HelpName = "N" }.AtLeast(1);
        var dropout = new Option<float>("--dropout") { Description = "Dropout probability between stacked layers, in [0, 1)", DefaultValueFactory = _ => 0f, HelpName = "P" }.AtLeast(0f);
        var seq = new Option<int>("--seq") { Description = "Truncation length: characters per chunk of BPTT", DefaultValueFactory = _ => 100, HelpName = "N" }.AtLeast(1);
        var batch = new Option<int>("--batch") { Description = "Parallel text lanes per batch", DefaultValueFactory = _ => 32, HelpName = "N" }.AtLeast(1);
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training text (default: until --minutes runs out)", HelpName = "N" };
        var minutes = new Option<double>("--minutes") { Description = "Wall-clock training budget in minutes", DefaultValueFactory = _ => 4.5, HelpName = "N" }.AtLeast(0);
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 2e-3, HelpName = "X" }.AtLeast(0);
        var clip = new Option<double>("--clip") { Description = "Clip the global gradient norm to this value (0 = off)", DefaultValueFactory = _ => 5, HelpName = "X" }.AtLeast(0);
        var seed = new Option<ulong>("--seed") { Description = "Seed for weights and sampling", DefaultValueFactory = _ => 1, HelpName = "N" };
        var outDir = new Option<string>("--out") { Description = "Folder for checkpoints (best.safetensors, last.safetensors) and history.csv", DefaultValueFactory = _ => "runs/charlm", HelpName = "DIR" };
        var cmd = new Command("charlm", "Train a character-level language model (Embedding -> RNN/LSTM/GRU -> Linear) by truncated BPTT and generate text.")
        {
            text, cell, hidden, layers, embed, dropout, seq, batch, epochs, minutes, lr, clip, seed, outDir,
        };
        host.SetAction(cmd, p => Run(new Settings(
            p.GetValue(text), p.GetValue(cell)!, p.GetValue(hidden), p.GetValue(layers), p.GetValue(embed), p.GetValue(dropout),
            p.GetValue(seq), p.GetValue(batch), p.GetValue(epochs), p.GetValue(minutes), p.GetValue(lr), p.GetValue(clip),
            p.GetValue(seed), p.GetValue(outDir)!)));
        return cmd;
    }

    private sealed record Settings(string? Text, string Cell, int Hidden, int Layers, int Embed, float Dropout, int Seq, int Batch,
        int? Epochs, double Minutes, double Lr, double Clip, ulong Seed, string Out);

    private static int Run(Settings s)
    {
        string path = s.Text ?? BundledData.Locate().MobyDick;
        TextFiles.RequireText(path, "--text");
        if (s.Dropout >= 1) throw new UserError($"--dropout must be below 1, got {s.Dropout}");
        if (s.Epochs is < 1) throw new UserError($"--epochs must be at least 1, got {s.Epochs}");

        var counts = TokenCounter.CountCodePoints(path);
        var vocab = Vocabulary.ForCharacters(counts);
        var encoder = new CharEncoder(vocab);
        int[] all = encoder.EncodeFile(path).ToArray();
        int split = (int)(all.Length * 0.9);
        if (split < s.Batch * s.Seq + 1 || all.Length - split < s.Seq + 1)
            return Fail($"{path}: {all.Length} characters are too few for --batch {s.Batch} --seq {s.Seq} with 10% held out");
        var train = new LanguageModelBatcher(all.AsSpan(0, split), vocab.Count, s.Batch, s.Seq);
        var valid = new LanguageModelBatcher(all.AsSpan(split), vocab.Count, Math.Max(1, Math.Min(s.Batch, (all.Length - split - 1) / (s.Seq + 1))), s.Seq);

        var rng = new Rng(s.Seed);
        var config = new CharLanguageModelConfig(vocab.Count, s.Embed, s.Cell, s.Hidden, s.Layers, s.Dropout);
        var model = new CharLanguageModel(config, rng);
        var adam = new Adam(model.Parameters, s.Lr);
        Directory.CreateDirectory(s.Out);
        string best = Path.Combine(s.Out, "best.safetensors"), last = Path.Combine(s.Out, "last.safetensors");

        Console.WriteLine($"recur train charlm: {Path.GetFileName(path)}, {all.Length:N0} characters ({split:N0} train, {all.Length - split:N0} held out), vocabulary {vocab.Count}");
        Console.WriteLine($"model: Embedding({vocab.Count}, {s.Embed}) -> {s.Cell.ToUpperInvariant()}({s.Hidden}) x{s.Layers} -> Linear({s.Hidden}, {vocab.Count}); {model.Parameters.Sum(p => p.Count):N0} parameters");
        Console.WriteLine($"training: batch {s.Batch} x {s.Seq} chars, Adam lr {s.Lr}, clip {s.Clip}, " + (s.Epochs is { } e ? $"{e} epochs" : $"{s.Minutes} minutes") + $", seed {s.Seed}, {Kernels.KernelConfig.Threads} threads");

        bool stop = false;
        Console.CancelKeyPress += (_, a) => { a.Cancel = true; stop = true; Console.Error.WriteLine("stopping after this batch (Ctrl+C again to abort)..."); };
        var clock = Stopwatch.StartNew();
        var budget = TimeSpan.FromMinutes(s.Minutes);
        double bestBpc = double.PositiveInfinity;
        using var history = new StreamWriter(Path.Combine(s.Out, "history.csv")) { AutoFlush = true };
        history.WriteLine("epoch,seconds,train_bpc,val_bpc,grad_norm");
        for (int epoch = 1; !stop && (s.Epochs is null || epoch <= s.Epochs); epoch++)
        {
            model.Training = true;
            model.ResetState();
            double sum = 0, norm = 0;
            int n = 0;
            long chars = 0;
            var report = Stopwatch.StartNew();
            foreach (var b in train.Batches())
            {
                adam.ZeroGrad();
                double loss = model.Step(b.Inputs.ToArray(), b.Targets.ToArray(), b.BatchSize, b.Steps);
                norm = s.Clip > 0 ? GradientClipping.ClipByGlobalNorm(model.Parameters, s.Clip) : GradientClipping.GlobalNorm(model.Parameters);
                if (!double.IsFinite(loss) || !double.IsFinite(norm))
                    return Fail($"training diverged at epoch {epoch}, batch {b.Index + 1}: loss {loss}, gradient norm {norm}; the last good weights are in {last}");
                adam.Step();
                sum += loss; n++; chars += b.BatchSize * b.Steps;
                if (report.Elapsed.TotalSeconds >= 10)
                {
                    Console.WriteLine($"  epoch {epoch} batch {b.Index + 1}/{train.BatchCount}  loss {loss:F3}  bpc {loss / Math.Log(2):F3}  |g| {norm:F2}  {chars / clock.Elapsed.TotalSeconds:N0} chars/s  {clock.Elapsed:mm\\:ss}");
                    report.Restart();
                }
                if (stop || (s.Epochs is null && clock.Elapsed > budget)) { stop = true; break; }
            }
            double trainBpc = sum / Math.Max(1, n) / Math.Log(2);
            double valBpc = Evaluate(model, valid);
            history.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{epoch},{clock.Elapsed.TotalSeconds:F1},{trainBpc:F4},{valBpc:F4},{norm:F4}"));
            var info = new Dictionary<string, string> { ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture), ["val_bpc"] = valBpc.ToString("F4", CultureInfo.InvariantCulture) };
            CharLanguageModelCheckpoint.Save(last, model, vocab, info);
            string mark = "";
            if (valBpc < bestBpc) { bestBpc = valBpc; CharLanguageModelCheckpoint.Save(best, model, vocab, info); mark = " (best)"; }
            Console.WriteLine($"epoch {epoch}: train {trainBpc:F3} bpc, validation {valBpc:F3} bpc{mark}, {clock.Elapsed:mm\\:ss} elapsed");
            Console.WriteLine("  sample: " + OneLine(Sample(model, vocab, "The ", 160, 0.8, rng)));
        }

        var (bestModel, _, _) = CharLanguageModelCheckpoint.Load(best);
        Console.WriteLine();
        Console.WriteLine($"best validation: {bestBpc:F3} bits per character; checkpoints in {s.Out}");
        Console.WriteLine("generated text (temperature 0.7):");
        Console.WriteLine(Sample(bestModel, vocab, "Call me Ishmael. ", 600, 0.7, new Rng(s.Seed)));
        return 0;
    }

    /// <summary>Bits per character on held-out text: mean cross-entropy in nats / ln 2, state carried across chunks.</summary>
    internal static double Evaluate(CharLanguageModel model, LanguageModelBatcher batches)
    {
        model.Training = false;
        model.ResetState();
        double sum = 0;
        long count = 0;
        foreach (var b in batches.Batches())
        {
            int n = b.BatchSize * b.Steps;
            sum += model.Step(b.Inputs.ToArray(), b.Targets.ToArray(), b.BatchSize, b.Steps) * n;
            count += n;
        }
        model.Training = true;
        model.ResetState();
        return sum / Math.Max(1, count) / Math.Log(2);
    }

    internal static string Sample(CharLanguageModel model, Vocabulary vocab, string prompt, int length, double temperature, Rng rng)
    {
        var encoder = new CharEncoder(vocab);
        var sb = new System.Text.StringBuilder(prompt);
        model.Generate(encoder.Encode(prompt), length, temperature, 0, rng, i => sb.Append(vocab[i]));
        return sb.ToString();
    }

    private static string OneLine(string s) => s.Replace("\r", "").Replace('\n', ' ');

    private static int Fail(string message)
    {
        Console.Error.WriteLine("recur: " + message);
        return 1;
    }
}
