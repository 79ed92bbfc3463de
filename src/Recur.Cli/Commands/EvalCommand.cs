using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Output;
using Recur.Data.Batching;
using Recur.Data.Text;
using Recur.Models;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur eval</c>: how well a character language model predicts a text, in bits per character and perplexity,
/// scored the way training scores its held-out text (parallel lanes, state carried from chunk to chunk).
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "Checkpoint file, or the --out folder of 'recur train charlm'", Required = true, HelpName = "DIR|FILE" };
        var text = new Option<string>("--text") { Description = "UTF-8 text file to score (.gz allowed)", Required = true, HelpName = "FILE" };
        var seq = new Option<int>("--seq") { Description = "Characters per chunk; the state is carried across chunks", DefaultValueFactory = _ => 100, HelpName = "N" }.AtLeast(1);
        var batch = new Option<int>("--batch") { Description = "Parallel lanes the text is cut into (fewer for a short text), as in training's validation", DefaultValueFactory = _ => 32, HelpName = "N" }.AtLeast(1);
        var cmd = new Command("eval", "Score a text with a character language model: bits per character and perplexity (lower is better).")
        {
            model, text, seq, batch,
        };
        host.SetAction(cmd, p => Run(host, p.GetValue(model)!, p.GetValue(text)!, p.GetValue(seq), p.GetValue(batch)));
        return cmd;
    }

    private static int Run(CliHost host, string modelPath, string textPath, int seq, int batch)
    {
        TextFiles.RequireText(textPath, "--text");
        var m = ModelFiles.Load(modelPath);
        ReportUnknownCharacters(host, m.Vocabulary, textPath);
        var tokens = new CharEncoder(m.Vocabulary).EncodeFile(textPath);
        if (tokens.Length < 2) throw new UserError($"--text {textPath} has {tokens.Length} character; at least 2 are needed to predict one");
        int lanes = Math.Max(1, Math.Min(batch, (tokens.Length - 1) / (seq + 1)));
        var clock = Stopwatch.StartNew();
        var (bpc, scored) = Score(m.Model, new LanguageModelBatcher(tokens, lanes, seq));

        var r = host.Report;
        r.Facts([
            ("model", m.Path),
            ("text", $"{textPath}, {tokens.Length:N0} characters"),
            ("scored", $"{scored:N0} characters in {lanes} lane{(lanes == 1 ? "" : "s")} of {scored / lanes:N0}, chunks of {seq}, {clock.Elapsed.TotalSeconds:F1} s"),
            ("bits per character", new Cell(bpc.ToString("F4", CultureInfo.InvariantCulture), Tone.Accent)),
            ("perplexity", new Cell(Math.Pow(2, bpc).ToString("F3", CultureInfo.InvariantCulture), Tone.Accent)),
        ]);
        return 0;
    }

    /// <summary>
    /// Mean cross-entropy in bits over every predicted character, bpc = Σ -log2 p(x_{t+1} | x_≤t) / N, with the state
    /// carried across chunks of each lane. Returns it and N.
    /// </summary>
    internal static (double BitsPerChar, long Count) Score(CharLanguageModel model, LanguageModelBatcher batches) =>
        (model.BitsPerCharacter(batches), (long)batches.BatchSize * batches.LaneLength);

    /// <summary>Names the characters of the text that the model has never seen: a warning when they can be scored as UNK, an error otherwise.</summary>
    private static void ReportUnknownCharacters(CliHost host, Vocabulary vocabulary, string path)
    {
        var unknown = TokenCounter.CountCodePoints(path).Counts
            .Where(kv => !vocabulary.Contains(kv.Key))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (unknown.Count == 0) return;
        const int shown = 10;
        string list = string.Join(", ", unknown.Take(shown).Select(kv => $"{TextFiles.Describe(Rune.GetRuneAt(kv.Key, 0))} x{kv.Value}"))
            + (unknown.Count > shown ? $" and {unknown.Count - shown} more" : "");
        if (vocabulary.UnkIndex is not { } unk)
            throw new UserError($"--text {path} has characters the model does not know: {list}");
        host.Warn($"--text {path} has characters the model does not know, scored as {vocabulary[unk]}: {list}");
    }
}
