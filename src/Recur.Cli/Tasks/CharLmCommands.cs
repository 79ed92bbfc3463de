using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Output;
using Recur.Cli.Reports;
using Recur.Data.Bundled;
using Recur.Data.Files;
using Recur.Data.Text;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli.Tasks;

/// <summary><c>recur train charlm</c> and the character language model's parts of <c>eval</c>, <c>predict</c> and <c>info</c>.</summary>
internal sealed class CharLmCommands : ITaskCommands
{
    /// <summary>The sampling temperature of the samples shown during and after training (<c>generate</c>'s default).</summary>
    public const double SampleTemperature = 0.8;

    public TaskKind Kind => TaskKind.CharLm;

    public Command Train(CliHost host)
    {
        var d = new CharLmSettings();
        var common = new TrainOptions(d.Training, "UTF-8 text to learn from (.gz allowed); default: the bundled Moby Dick", $"a {CharLmSettings.DefaultMinutes}-minute budget", "the last share of --data");
        common.Data.Aliases.Add("--text");
        var rnn = new RecurrentOptions(d.Rnn, directional: false);
        var embed = new Option<int?>("--embed") { Description = $"Character embedding size [default: {d.EmbeddingDim}]", HelpName = "N" };
        var seq = new Option<int?>("--seq") { Description = $"Truncation length: characters per chunk of BPTT [default: {d.Steps}]", HelpName = "N" };
        var tbptt = new Option<bool?>("--tbptt") { Description = "Stateful truncated BPTT: each chunk starts from the state the previous chunk of its lane ended with (gradient cut at the boundary); false starts every chunk from zeros [default: true]", HelpName = "true|false" };
        var normalize = new Choice<TextNormalization>("--normalize", "Unicode normalisation of the text", ConfigJson.Name(d.Preprocessing.Normalization));
        var keepLineEndings = new Option<bool?>("--keep-line-endings") { Description = "Keep \\r\\n and \\r as they are (by default they are read as \\n)", HelpName = "true|false" };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Print a short sample every N epochs (0 = never)", DefaultValueFactory = _ => 1, HelpName = "N" }.AtLeast(0);

        var cmd = new Command("charlm", "Train a character-level language model (Embedding -> RNN/LSTM/GRU -> Linear) by truncated BPTT and generate text.");
        foreach (var o in common.All.Take(3)) cmd.Options.Add(o);
        foreach (var o in (Option[])[normalize.Option, keepLineEndings, embed]) cmd.Options.Add(o);
        foreach (var o in rnn.All) cmd.Options.Add(o);
        foreach (var o in (Option[])[seq, tbptt]) cmd.Options.Add(o);
        foreach (var o in common.All.Skip(3)) cmd.Options.Add(o);
        cmd.Options.Add(sampleEvery);

        CharLmSettings Apply(GivenOptions g, CharLmSettings s)
        {
            s = s with { Training = common.Apply(g, s.Training), Rnn = rnn.Apply(g, s.Rnn) };
            if (g.TryGet(embed, out int e)) s = s with { EmbeddingDim = e };
            if (g.TryGet(seq, out int steps)) s = s with { Steps = steps };
            if (g.TryFlag(tbptt, out bool stateful)) s = s with { Stateful = stateful };
            if (normalize.TryGet(g, out var n)) s = s with { Preprocessing = s.Preprocessing with { Normalization = n } };
            if (g.TryFlag(keepLineEndings, out bool keep)) s = s with { Preprocessing = s.Preprocessing with { NormalizeLineEndings = !keep } };
            return s;
        }

        host.SetAction(cmd, p =>
        {
            var resumed = TrainingSession.Resume(p, common, Kind);
            var settings = TrainingSession.Settings(p, cmd, common, d, Apply, resumed, x => x.Training, (x, t) => x with { Training = t });
            if (resumed is null)
            {
                var t = settings.Training;
                if (t.Epochs is null && t.Minutes is null) t = t with { Minutes = CharLmSettings.DefaultMinutes };
                if (t.Data.Length == 0) t = t with { Data = BundledData.Locate().MobyDick };
                settings = settings with { Training = t };
            }
            TextFiles.RequireText(settings.Training.Data, "--data");
            if (settings.Training.Valid is { } v) TextFiles.RequireText(v, "--valid");
            foreach (var w in RecurrentOptions.Warnings(settings.Rnn, "--dropout")) host.Warn(w);
            var started = Stopwatch.StartNew();
            var prepared = ReadingProgress.Run(host.Out, progress => CharLmTraining.Prepare(settings, (TrainedCharLm?)resumed?.Model, progress: progress));
            double readSeconds = started.Elapsed.TotalSeconds;
            foreach (var a in prepared.Adjustments) host.Warn(a);
            settings = prepared.Settings;
            var c = prepared.Config;
            var o = host.Out;
            void Describe()
            {
                foreach (var cache in prepared.Caches.Where(c => c.Built))
                    o.WriteLine($"token cache: read {cache.FileBytes / 1e6:N1} MB once into {cache.CachePath} in {readSeconds:F1} s; later runs on this file reuse it");
                o.WriteLine($"data: {DataFile.DisplayName(settings.Training.Data)}, {prepared.TrainLength + prepared.ValidLength:N0} characters ({prepared.TrainLength:N0} train, {prepared.ValidLength:N0} held out), vocabulary {prepared.Vocabulary.Count}");
                var network = new CharLanguageModel(c, new Rng(0));
                o.WriteLine($"model: Embedding({c.VocabSize}, {c.EmbeddingDim}) -> {c.Rnn.Describe()} -> Linear({c.Rnn.HiddenSize}, {c.VocabSize}); {network.ParameterCount:N0} parameters");
                o.WriteLine($"chunks: {settings.Training.BatchSize} lanes x {settings.Steps} characters, {(settings.Stateful ? "stateful" : "stateless")} truncated BPTT");
                o.WriteLine(TrainingSession.SettingsLine(settings.Training));
            }
            string prompt = Prompt(prepared.Vocabulary, prepared.TrainingTextStart(4096));
            var sampleRng = new Rng(settings.Training.Seed ^ 0x5A3B1E5UL);
            int every = p.GetValue(sampleEvery);
            var (folder, failed) = TrainingSession.Train(host, p, common, Kind, prepared, resumed, Describe, "chars",
                (progress, folder) => every == 0 ? [] : [new Samples(progress, prepared.Vocabulary, prompt, every, sampleRng, folder.SamplesPath)]);
            if (!File.Exists(folder.WeightsPath)) return 1;
            var best = (TrainedCharLm)TrainedModel.Load(folder.Path, Kind);
            o.WriteLine($"generated text (temperature {SampleTemperature.ToString(CultureInfo.InvariantCulture)}, seed {settings.Training.Seed}):");
            var sb = new StringBuilder(prompt);
            best.Generate(prompt, 600, SampleTemperature, 0, new Rng(settings.Training.Seed), s => sb.Append(s));
            o.WriteLine(sb.ToString());
            return failed ? 1 : 0;
        });
        return cmd;
    }

    /// <summary>A prompt from the training text: its first line's first words (up to about 20 characters), known to the vocabulary.</summary>
    private static string Prompt(Vocabulary vocabulary, string text)
    {
        string line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder();
        foreach (var w in words)
        {
            if (sb.Length > 0 && sb.Length + w.Length > 20) break;
            sb.Append(w).Append(' ');
        }
        string prompt = sb.ToString();
        return prompt.Length > 0 && prompt.EnumerateRunes().All(r => vocabulary.Contains(r.ToString())) ? prompt : vocabulary.Contains(" ") ? " " : vocabulary.Tokens[^1];
    }

    /// <summary>A short sample after every Nth epoch, on one line cut to the terminal width, and kept in the folder's samples.jsonl for the report.</summary>
    private sealed class Samples(TrainingProgress progress, Vocabulary vocabulary, string prompt, int every, Rng rng, string log) : ITrainerCallback
    {
        private Trainer? _trainer;

        public void OnTrainBegin(Trainer trainer) => _trainer = trainer;

        public void OnEpochEnd(EpochRecord record, bool isBest)
        {
            if (record.Epoch % every != 0 || _trainer?.Model is not CharLanguageModel model) return;
            int width = Console.IsOutputRedirected ? 160 : Math.Max(40, Console.WindowWidth);
            var sb = new StringBuilder(prompt);
            int length = Math.Max(10, width - 12 - prompt.Length);
            model.Generate(new CharEncoder(vocabulary).Encode(prompt), length, SampleTemperature, 0, rng, i => sb.Append(vocabulary[i]), vocabulary.UnkIndex);
            EpochSamples.Append(log, new EpochSample(record.Epoch, SampleTemperature, prompt, sb.ToString()));
            string line = sb.ToString().Replace("\r", "").Replace('\n', ' ');
            progress.WriteLine("  sample: " + (line.Length > width - 10 ? line[..(width - 10)] : line));
        }
    }

    public int Eval(CliHost host, TrainedModel model, EvalRequest request)
    {
        var m = (TrainedCharLm)model;
        TextFiles.RequireText(request.Data, "--data");
        var cache = ReadingProgress.Run(host.Out, progress => CharTokenCache.Open(request.Data, m.Preprocessing.Normalization, m.Preprocessing.NormalizeLineEndings,
            CharLmTraining.DefaultCacheFolder, progress is null ? null : new ImmediateProgress<double>(f => progress.Report((DataFile.DisplayName(request.Data), f)))));
        long unknown = ReportUnknownCharacters(host, m.Vocabulary, cache, request.Data);
        var tokens = cache.Encode(m.Vocabulary);
        if (tokens.Length < 2) throw new UserError($"--data {request.Data} has {tokens.Length} character; at least 2 are needed to predict one");
        var clock = Stopwatch.StartNew();
        var (bpc, scored) = m.BitsPerCharacter(tokens, request.Batch, request.Seq);
        int lanes = Math.Max(1, Math.Min(request.Batch, (tokens.Length - 1) / (request.Seq + 1)));
        if (request.Json)
        {
            JsonLines.Write(host.Out, w =>
            {
                w.Number("bits_per_char", bpc);
                w.Number("perplexity", Math.Pow(2, bpc));
                w.WriteNumber("characters", scored);
                w.WriteNumber("unknown_characters", unknown);
            });
            return 0;
        }
        host.Report.Facts([
            ("model", m.Source),
            ("text", $"{request.Data}, {tokens.Length:N0} characters"),
            ("scored", $"{scored:N0} characters in {lanes} lane{(lanes == 1 ? "" : "s")} of {scored / lanes:N0}, chunks of {request.Seq}, {clock.Elapsed.TotalSeconds:F1} s"),
            ("bits per character", new Cell(bpc.ToString("F4", CultureInfo.InvariantCulture), Tone.Accent)),
            ("perplexity", new Cell(Math.Pow(2, bpc).ToString("F3", CultureInfo.InvariantCulture), Tone.Accent)),
        ]);
        return 0;
    }

    /// <summary>Names the characters of the text that the model has never seen: a warning when they can be scored as UNK, an error otherwise. Returns how many there are.</summary>
    private static long ReportUnknownCharacters(CliHost host, Vocabulary vocabulary, CharTokenCache text, string path)
    {
        var unknown = text.Unknown(vocabulary).Select(s => (Rune: new Rune(text.CodePoint(s)), Count: text.Count(s)))
            .OrderByDescending(u => u.Count).ThenBy(u => u.Rune).ToList();
        if (unknown.Count == 0) return 0;
        const int shown = 10;
        string list = string.Join(", ", unknown.Take(shown).Select(u => $"{TextFiles.Describe(u.Rune)} x{u.Count}"))
            + (unknown.Count > shown ? $" and {unknown.Count - shown} more" : "");
        if (vocabulary.UnkIndex is not { } unk)
            throw new UserError($"--data {path} has characters the model does not know: {list}");
        host.Warn($"--data {path} has characters the model does not know, scored as {vocabulary[unk]}: {list}");
        return unknown.Sum(u => u.Count);
    }

    public int Predict(CliHost host, TrainedModel model, PredictRequest request)
    {
        var m = (TrainedCharLm)model;
        var rng = new Rng(request.Seed);
        using var reader = new Utf8LineReader(request.Data);
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty) continue;
            string prompt = line.ToString();
            if (prompt.EnumerateRunes().Any(r => !m.Vocabulary.Contains(m.Preprocessing.Apply(r.ToString()))) && m.Vocabulary.UnkIndex is null)
                throw reader.Error("the prompt has characters the model does not know (and it has no <unk>)");
            var sb = new StringBuilder();
            m.Generate(prompt, request.Length, request.Temperature, request.TopK, rng, s => sb.Append(s));
            long n = reader.LineNumber;
            JsonLines.Write(request.Output, w =>
            {
                w.WriteNumber("line", n);
                w.WriteString("prompt", prompt);
                w.WriteString("text", sb.ToString());
            });
        }
        return 0;
    }

    public void Describe(TrainedModel model, Report report)
    {
        var m = (TrainedCharLm)model;
        var v = m.Vocabulary;
        var specials = v.Specials.Present().ToList();
        report.Heading("Vocabulary");
        report.Facts([
            ("size", $"{v.Count} tokens" + (specials.Count > 0 ? $" ({string.Join(", ", specials)} and {v.Count - specials.Count} characters)" : "")),
            ("characters", Characters(v)),
            ("text", $"Unicode {ConfigJson.Name(m.Preprocessing.Normalization)}, {(m.Preprocessing.NormalizeLineEndings ? "line ends read as \\n" : "line ends as written")}"),
        ]);
    }

    /// <summary>The ordinary characters of the vocabulary in index order, control characters escaped (\n, \t, \u0001).</summary>
    private static string Characters(Vocabulary v)
    {
        const int maxShown = 120;
        var sb = new StringBuilder();
        var specials = v.Specials.Present().ToHashSet();
        int count = 0;
        foreach (string t in v.Tokens.Where(t => !specials.Contains(t)))
        {
            if (count++ == maxShown) { sb.Append($" ... ({v.Count - specials.Count - maxShown} more)"); break; }
            sb.Append(t switch
            {
                "\n" => "\\n",
                "\t" => "\\t",
                "\r" => "\\r",
                " " => "␣",
                "\\" => "\\\\",
                _ when t.Length == 1 && char.IsControl(t[0]) => $"\\u{(int)t[0]:X4}",
                _ => t,
            });
        }
        return sb.ToString();
    }
}
