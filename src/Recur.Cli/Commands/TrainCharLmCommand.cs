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
        var tbptt = new Option<bool>("--tbptt") { Description = "Stateful truncated BPTT: each chunk starts from the state the previous chunk of the same text lane ended with (gradient cut at the boundary); --tbptt false starts every chunk from zeros", DefaultValueFactory = _ => true };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in DIR (its last.safetensors): model, optimizer, generators, epoch and history; architecture options are then taken from the checkpoint", HelpName = "DIR" };
        var outDir = new Option<string>("--out") { Description = "Folder for checkpoints (best.safetensors, last.safetensors) and history.csv", DefaultValueFactory = _ => "runs/charlm", HelpName = "DIR" };
        var cmd = new Command("charlm", "Train a character-level language model (Embedding -> RNN/LSTM/GRU -> Linear) by truncated BPTT and generate text.")
        {
            text, cell, hidden, layers, embed, dropout, seq, batch, epochs, minutes, lr, clip, tbptt, seed, resume, outDir,
        };
        host.SetAction(cmd, p => Run(new Settings(
            p.GetValue(text), p.GetValue(cell)!, p.GetValue(hidden), p.GetValue(layers), p.GetValue(embed), p.GetValue(dropout),
            p.GetValue(seq), p.GetValue(batch), p.GetValue(epochs), p.GetValue(minutes), p.GetValue(lr), p.GetValue(clip),
            p.GetValue(tbptt), p.GetValue(seed), p.GetValue(resume), p.GetValue(outDir)!)));
        return cmd;
    }

    private sealed record Settings(string? Text, string Cell, int Hidden, int Layers, int Embed, float Dropout, int Seq, int Batch,
        int? Epochs, double Minutes, double Lr, double Clip, bool Tbptt, ulong Seed, string? Resume, string Out);

    private static int Run(Settings s)
    {
        string path = s.Text ?? BundledData.Locate().MobyDick;
        TextFiles.RequireText(path, "--text");
        if (s.Dropout >= 1) throw new UserError($"--dropout must be below 1, got {s.Dropout}");
        if (s.Epochs is < 1) throw new UserError($"--epochs must be at least 1, got {s.Epochs}");

        Checkpoint? resumed = null;
        Vocabulary vocab;
        CharLanguageModel? restoredModel = null;
        if (s.Resume is { } resumeFrom)
        {
            string file = Directory.Exists(resumeFrom) ? Path.Combine(resumeFrom, "last.safetensors") : resumeFrom;
            if (!File.Exists(file)) throw new UserError($"--resume: no checkpoint at {file}");
            resumed = Checkpoint.Load(file, CharLanguageModelCheckpoint.Kind);
            (restoredModel, vocab) = CharLanguageModelCheckpoint.Rebuild(resumed);
        }
        else vocab = Vocabulary.ForCharacters(TokenCounter.CountCodePoints(path));
        var encoder = new CharEncoder(vocab);
        int[] all = encoder.EncodeFile(path).ToArray();
        int split = (int)(all.Length * 0.9);
        if (split < s.Batch * s.Seq + 1 || all.Length - split < s.Seq + 1)
            return Fail($"{path}: {all.Length} characters are too few for --batch {s.Batch} --seq {s.Seq} with 10% held out");
        var train = new LanguageModelBatcher(all.AsSpan(0, split), vocab.Count, s.Batch, s.Seq);
        var valid = new LanguageModelBatcher(all.AsSpan(split), vocab.Count, Math.Max(1, Math.Min(s.Batch, (all.Length - split - 1) / (s.Seq + 1))), s.Seq);

        var rng = new Rng(s.Seed);
        var model = restoredModel ?? new CharLanguageModel(new CharLanguageModelConfig(vocab.Count, s.Embed, s.Cell, s.Hidden, s.Layers, s.Dropout), rng);
        model.Stateful = s.Tbptt;
        var config = model.Config;
        Directory.CreateDirectory(s.Out);
        string best = Path.Combine(s.Out, "best.safetensors"), last = Path.Combine(s.Out, "last.safetensors");

        Console.WriteLine($"recur train charlm: {Path.GetFileName(path)}, {all.Length:N0} characters ({split:N0} train, {all.Length - split:N0} held out), vocabulary {vocab.Count}");
        Console.WriteLine($"model: Embedding({vocab.Count}, {config.EmbeddingDim}) -> {config.Cell.ToUpperInvariant()}({config.HiddenSize}) x{config.NumLayers} -> Linear({config.HiddenSize}, {vocab.Count}); {model.ParameterCount:N0} parameters"
            + (resumed is null ? "" : $"; resumed after epoch {resumed.Epoch} of {resumed.Source}"));
        Console.WriteLine($"training: batch {s.Batch} x {s.Seq} chars, {(s.Tbptt ? "stateful" : "stateless")} truncated BPTT, Adam lr {s.Lr}, clip {s.Clip}, "
            + (s.Epochs is { } e ? $"{e} epochs" : $"{s.Minutes} minutes") + $", seed {s.Seed}, {Kernels.KernelConfig.Threads} threads");

        var optimizer = new Adam(model.Parameters, s.Lr);
        resumed?.Restore(model, optimizer);
        int done = resumed?.Epoch ?? 0;
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            InitialEpoch = done,
            Epochs = s.Epochs is { } more ? done + more : int.MaxValue,
            TimeBudget = s.Epochs is null ? TimeSpan.FromMinutes(s.Minutes) : null,
            ClipNorm = s.Clip > 0 ? s.Clip : null,
            Monitor = "val_bpc",
            Seed = s.Seed,
        });
        trainer.Metrics.Add(new Recur.Training.Metrics.Perplexity(bits: true));
        var progress = new ConsoleProgress("chars");
        trainer.Callbacks.Add(progress);
        trainer.Callbacks.Add(new CheckpointCallback(CharLanguageModelCheckpoint.Kind, config.ToJson(), last, best)
        {
            Resume = resumed?.History,
            BeforeSave = c =>
            {
                c.Info["epoch"] = c.Epoch.ToString(CultureInfo.InvariantCulture);
                c.Info["val_bpc"] = c.History is { Epochs.Count: > 0 } h ? h.Epochs[^1]["val_bpc"].ToString("F4", CultureInfo.InvariantCulture) : "";
            },
            Data = { [CharLanguageModelCheckpoint.VocabularyKey] = vocab.ToJson() },
        });
        trainer.Callbacks.Add(new HistoryAndSample(trainer, model, vocab, Path.Combine(s.Out, "history.csv"), rng));

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, a) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl+C aborts
            a.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("stopping after this batch and saving (Ctrl+C again to abort)...");
        };
        var history = progress.Run(() => trainer.Fit(new LanguageModelBatchSource(train), new LanguageModelBatchSource(valid),
            (tape, b, o) =>
            {
                o.Count = b.BatchSize * b.Steps;
                return model.Loss(tape, b.Inputs, b.Targets, b.BatchSize, b.Steps);
            },
            _ => model.ResetState(), cancel.Token, resumed?.History));

        Console.WriteLine();
        Console.WriteLine($"{history.StopReason}; best validation {history.Epochs.Select(r => r["val_bpc"]).DefaultIfEmpty(double.NaN).Min():F3} bits per character (epoch {history.BestEpoch}); checkpoints in {s.Out}");
        if (!File.Exists(best)) return Fail("no epoch finished, so no checkpoint was written");
        var (bestModel, _, _) = CharLanguageModelCheckpoint.Load(best);
        Console.WriteLine("generated text (temperature 0.7):");
        Console.WriteLine(Sample(bestModel, vocab, "Call me Ishmael. ", 600, 0.7, new Rng(s.Seed)));
        return history.StopReason.StartsWith("stopped:", StringComparison.Ordinal) ? 1 : 0;
    }

    /// <summary>After each epoch: history.csv (the whole run, resumed epochs included) and a short sample.</summary>
    private sealed class HistoryAndSample(Trainer trainer, CharLanguageModel model, Vocabulary vocab, string historyPath, Rng rng) : ITrainerCallback
    {
        public void OnEpochEnd(EpochRecord record, bool isBest)
        {
            trainer.History.SaveCsv(historyPath);
            Console.WriteLine("  sample: " + OneLine(Sample(model, vocab, "The ", 160, 0.8, rng)));
        }
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
