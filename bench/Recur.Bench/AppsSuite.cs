using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Bench.Rnn;
using Recur.Data.Bundled;
using Recur.Data.Fetch;
using Recur.Data.Formats;
using Recur.Kernels;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Classification;
using Recur.Tasks.Tagging;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Bench;

/// <summary>
/// Issue #12's quality targets, each application trained by Recur with its defaults (the library calls behind
/// <c>recur train classify|tag</c>) and compared on a fixed seeded split with a classical baseline
/// (bench/peers/apps_baseline.py) and the same architecture trained by PyTorch for the same wall-clock budget
/// (bench/peers/apps_torch.py, validation counted in both budgets, keep-best on validation accuracy):
/// <list type="bullet">
/// <item><c>sentiment</c>: the bundled UCI sentences, 80/10/10 (seed 1); baseline TF-IDF (1-2 grams) + logistic regression.</item>
/// <item><c>pos</c>: the Brown corpus (<c>recur fetch brown</c>) with its full tag set, 90/10 train/test and 10% of the
/// training part for validation (seed 1); baseline the most frequent tag per word.</item>
/// </list>
/// <item><c>cmudict</c>, <c>ding</c>: sequence to sequence (issue #13, <see cref="AppsSeq2Seq"/>): WER/PER, BLEU/chrF
/// against the same encoder-decoder trained by PyTorch (bench/peers/seq2seq_torch.py); 45 and 30 min per side by default.</item>
/// Rows: test accuracy (and macro F1, accuracy on unseen words) with the ratio Recur / peer, training throughput.
/// Sentiment's 300 test sentences make one run's accuracy noisy (±2%), so both sides train with seeds 1..K and the
/// rows give the means. Options: <c>--task sentiment|pos</c> (default both), <c>--minutes M</c> per side and run
/// (default 1 for sentiment, 10 for pos; <c>--quick</c>: 0.5 and 3), <c>--seeds K</c> (sentiment; default 3,
/// <c>--quick</c> 1), <c>--threads N</c> (default 2), <c>--work DIR</c> (keep the splits and models there).
/// </summary>
public sealed class AppsSuite : IBenchSuite
{
    private const ulong Seed = 1;

    /// <inheritdoc />
    public string Name => "apps";

    /// <inheritdoc />
    public string Description => "application quality at equal time: sentiment, Brown POS, CMUdict and Ding seq2seq, Recur vs a classical baseline and PyTorch (--task sentiment|pos|cmudict|ding, --minutes, --threads)";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        string task = Value(options, "--task") ?? "all";
        int threads = int.Parse(Value(options, "--threads") ?? "2", CultureInfo.InvariantCulture);
        double? minutes = Value(options, "--minutes") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : null;
        string? keep = Value(options, "--work");
        string work = keep ?? Path.Combine(Path.GetTempPath(), $"recur-apps-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        BenchReport.Note(MachineInfo.Summary());
        int saved = KernelConfig.Threads;
        KernelConfig.Threads = threads;
        try
        {
            int seeds = int.Parse(Value(options, "--seeds") ?? (options.Quick ? "1" : "3"), CultureInfo.InvariantCulture);
            if (task is "all" or "sentiment") Sentiment(report, Path.Combine(work, "sentiment"), minutes ?? (options.Quick ? 0.5 : 1), threads, seeds);
            if (task is "all" or "pos") Pos(report, Path.Combine(work, "pos"), minutes ?? (options.Quick ? 3 : 10), threads);
            if (task is "all" or "cmudict") AppsSeq2Seq.Cmudict(report, Name, Path.Combine(work, "cmudict"), minutes ?? (options.Quick ? 3 : 45), threads, Value(options, "--recur-model"), RunPeer);
            if (task is "all" or "ding")
                AppsSeq2Seq.Ding(report, Name, Path.Combine(work, "ding"), minutes ?? (options.Quick ? 3 : 30), threads,
                    int.Parse(Value(options, "--test-sources") ?? "2000", CultureInfo.InvariantCulture), Value(options, "--recur-model"), RunPeer);
        }
        finally
        {
            KernelConfig.Threads = saved;
            if (keep is null) Directory.Delete(work, recursive: true);
        }
    }

    private void Sentiment(BenchReport report, string dir, double minutes, int threads, int seeds)
    {
        Directory.CreateDirectory(dir);
        var all = BundledDatasets.SentimentSentences();
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Rng(Seed).Shuffle<int>(order);
        int nTrain = all.Count * 8 / 10, nValid = all.Count / 10;
        string Write(string name, IEnumerable<int> rows)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllLines(path, rows.Select(i => $"{all[i].Text}\t{all[i].Label}").Prepend("text\tlabel"));
            return path;
        }
        string train = Write("train.tsv", order[..nTrain]), valid = Write("valid.tsv", order[nTrain..(nTrain + nValid)]), test = Write("test.tsv", order[(nTrain + nValid)..]);
        BenchReport.Note($"sentiment: {all.Count:N0} sentences, {nTrain:N0} train / {nValid:N0} valid / {all.Count - nTrain - nValid:N0} test (seed {Seed}); {minutes} min per side at {threads} threads; load {MachineInfo.LoadAverage()}");

        var recurRuns = new List<(double Accuracy, double MacroF1, double Throughput)>();
        var peerRuns = new List<(double Accuracy, double MacroF1, double Throughput)>();
        var test_ = LabelledRecords.Read(test, null, null, null).Records;
        for (int k = 0; k < seeds; k++)
        {
            ulong seed = Seed + (ulong)k;
            var settings = new ClassifierSettings();
            settings = settings with { Training = settings.Training with { Data = train, Valid = valid, Epochs = null, Minutes = minutes, Seed = seed } };
            var prepared = ClassifierTraining.Prepare(settings);
            var (folder, history, seconds) = TrainRecur(dir, prepared.Manifest(prepared.Record("apps bench")), prepared.Run);
            var model = (TrainedClassifier)TrainedModel.Load(folder.Path, TaskKind.Classify);
            var recur = model.Evaluate(test_, "test.tsv").Report;
            recurRuns.Add((recur.Accuracy, recur.MacroF1, Throughput(history)));
            BenchReport.Note($"recur seed {seed}: {history.Epochs.Count} epochs in {seconds:F0} s, best epoch {history.BestEpoch}; test accuracy {recur.Accuracy:F4}, macro F1 {recur.MacroF1:F4}");

            // The peer reads the same splits encoded with Recur's vocabulary.
            string Encode(string name, List<LabelledText> records)
            {
                string path = Path.Combine(dir, name);
                using var w = new StreamWriter(path, false, new UTF8Encoding(false));
                foreach (var r in records)
                {
                    var e = model.Encode(r.Text);
                    w.WriteLine(JsonSerializer.Serialize(new { tokens = e.Tokens, label = model.Labels.Encode(r.Label), chars = e.Chars }));
                }
                return path;
            }
            var c = model.Network.Config!;
            var peer = RunPeer("apps_torch.py", threads, JsonSerializer.Serialize(new
            {
                task = "classify", train = Encode("train.jsonl", [.. prepared.Train]), valid = Encode("valid.jsonl", [.. prepared.Valid]),
                test = Encode("test.jsonl", test_), seconds = minutes * 60, budget_includes_validation = true, seed = (int)seed,
                batch = settings.Training.BatchSize, lr = settings.Training.LearningRate, clip = settings.Training.Clip, monitor = "accuracy",
                vocab = c.VocabSize, pad = c.PaddingIndex ?? 0, classes = c.Classes, embed = c.EmbeddingDim, cell = ConfigJson.Name(c.Rnn.Cell),
                hidden = c.Rnn.HiddenSize, layers = c.Rnn.NumLayers, bidirectional = c.Rnn.Bidirectional, rnn_dropout = c.Rnn.Dropout,
                embed_dropout = c.EmbeddingDropout, pooling = ConfigJson.Name(c.Pooling), attention_dim = c.AttentionDim, dropout = c.Dropout,
                class_weights = (float[]?)null, char_hidden = c.CharHiddenSize, chars_vocab = c.CharVocabSize, char_embed = c.CharEmbeddingDim,
                char_pad = c.CharPaddingIndex ?? 0,
            }));
            double P(string key) => peer?["test"]?[key]?.GetValue<double>() ?? double.NaN;
            peerRuns.Add((P("accuracy"), P("macro_f1"), peer?["sentences_per_second"]?.GetValue<double>() ?? double.NaN));
        }
        var baseline = RunPeer("apps_baseline.py", threads, "classify", train, valid, test);
        string mm = minutes.ToString(CultureInfo.InvariantCulture), n = seeds == 1 ? "" : $" mean of {seeds} seeds";
        report.Add(new BenchRow(Name, $"sentiment test accuracy vs torch M{mm}min t{threads}{n}", recurRuns.Average(r => r.Accuracy), peerRuns.Average(r => r.Accuracy), "accuracy", true));
        report.Add(new BenchRow(Name, $"sentiment test macro_f1 vs torch M{mm}min t{threads}{n}", recurRuns.Average(r => r.MacroF1), peerRuns.Average(r => r.MacroF1), "F1", true));
        report.Add(new BenchRow(Name, $"sentiment texts/s vs torch M{mm}min t{threads}", Median(recurRuns.Select(r => r.Throughput)), Median(peerRuns.Select(r => r.Throughput)), "texts/s", true));
        report.Add(new BenchRow(Name, $"sentiment test accuracy vs TF-IDF+LR{n}", recurRuns.Average(r => r.Accuracy), baseline?["accuracy"]?.GetValue<double>() ?? double.NaN, "accuracy", true));
        report.Add(new BenchRow(Name, $"sentiment test macro_f1 vs TF-IDF+LR{n}", recurRuns.Average(r => r.MacroF1), baseline?["macro_f1"]?.GetValue<double>() ?? double.NaN, "F1", true));
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToList();
        return v.Count == 0 ? double.NaN : v[v.Count / 2];
    }

    private void Pos(BenchReport report, string dir, double minutes, int threads)
    {
        Directory.CreateDirectory(dir);
        var all = BrownCorpus.Read(BrownCorpus.Fetch());
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Rng(Seed).Shuffle<int>(order);
        int nTest = all.Count / 10, nTrainAll = all.Count - nTest, nValid = nTrainAll / 10;
        string Write(string name, IEnumerable<int> rows)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllLines(path, rows.Select(i => string.Join(" ", all[i].Words.Zip(all[i].Tags, (w, t) => $"{w}/{t}"))));
            return path;
        }
        var trainRows = order[..(nTrainAll - nValid)];
        var validRows = order[(nTrainAll - nValid)..nTrainAll];
        string train = Write("train.txt", trainRows), valid = Write("valid.txt", validRows), test = Write("test.txt", order[nTrainAll..]);
        string trainAll = Write("train-all.txt", order[..nTrainAll]);
        BenchReport.Note($"pos: Brown, {all.Count:N0} sentences, {trainRows.Length:N0} train / {validRows.Length:N0} valid / {nTest:N0} test (seed {Seed}), full tag set; {minutes} min per side at {threads} threads; load {MachineInfo.LoadAverage()}");

        var settings = new TaggerSettings();
        settings = settings with { Training = settings.Training with { Data = train, Valid = valid, Epochs = null, Minutes = minutes, Seed = Seed } };
        var prepared = TaggerTraining.Prepare(settings);
        var (folder, history, seconds) = TrainRecur(dir, prepared.Manifest(prepared.Record("apps bench")), prepared.Run);
        var model = (TrainedTagger)TrainedModel.Load(folder.Path, TaskKind.Tag);
        var testSentences = TaggedTextReader.Read(test, TaggedFormat.Slash).ToList();
        var recur = model.Evaluate(testSentences);
        BenchReport.Note($"recur: {history.Epochs.Count} epochs in {seconds:F0} s, best epoch {history.BestEpoch}; test accuracy {recur.Accuracy:F4}, unseen {recur.AccuracyUnseen:F4} ({recur.UnseenTokens:N0} tokens)");

        string Encode(string name, IEnumerable<TaggedSentence> sentences)
        {
            string path = Path.Combine(dir, name);
            using var w = new StreamWriter(path, false, new UTF8Encoding(false));
            foreach (var s in sentences)
            {
                var e = model.Encode(s.Words);
                w.WriteLine(JsonSerializer.Serialize(new
                {
                    words = e.Words, chars = e.Chars, tags = s.Tags.Select(t => model.Tags.Vocabulary.TryGetIndex(t, out int k) ? k : -1).ToArray(), seen = e.Seen.Select(b => b ? 1 : 0).ToArray(),
                }));
            }
            return path;
        }
        var c = model.Network.Config;
        var peer = RunPeer("apps_torch.py", threads, JsonSerializer.Serialize(new
        {
            task = "tag", train = Encode("train.jsonl", prepared.Train), valid = Encode("valid.jsonl", prepared.Valid), test = Encode("test.jsonl", testSentences),
            seconds = minutes * 60, budget_includes_validation = true, seed = (int)Seed, batch = settings.Training.BatchSize,
            lr = settings.Training.LearningRate, clip = settings.Training.Clip, monitor = "accuracy",
            words_vocab = c.WordVocabSize, word_pad = c.WordPaddingIndex ?? 0, chars_vocab = c.CharVocabSize, char_pad = c.CharPaddingIndex ?? 0,
            tags = c.Tags, word_embed = c.WordEmbeddingDim, char_embed = c.CharEmbeddingDim, char_hidden = c.CharHiddenSize,
            hidden = c.Rnn.HiddenSize, layers = c.Rnn.NumLayers, dropout = c.Dropout, crf = c.Crf,
            word_dropout = settings.WordDropout, word_unk = model.WordVocabulary.UnkIndex ?? 0,
        }));
        var baseline = RunPeer("apps_baseline.py", threads, "tag", trainAll, test);
        double P(JsonNode? n, string key) => n?["test"]?[key]?.GetValue<double>() ?? double.NaN;
        string mm = minutes.ToString(CultureInfo.InvariantCulture);
        report.Add(new BenchRow(Name, $"pos test accuracy vs torch M{mm}min t{threads}", recur.Accuracy, P(peer, "accuracy"), "accuracy", true));
        report.Add(new BenchRow(Name, $"pos test accuracy_unseen vs torch M{mm}min t{threads}", recur.AccuracyUnseen, P(peer, "accuracy_unseen"), "accuracy", true));
        double tokensPerSentence = prepared.Train.Average(x => x.Words.Length); // Recur's throughput counts tokens
        report.Add(new BenchRow(Name, $"pos sentences/s vs torch M{mm}min t{threads}", Throughput(history) / tokensPerSentence,
            peer?["sentences_per_second"]?.GetValue<double>() ?? double.NaN, "sentences/s", true));
        report.Add(new BenchRow(Name, "pos test accuracy vs most-frequent-tag", recur.Accuracy, baseline?["accuracy"]?.GetValue<double>() ?? double.NaN, "accuracy", true));
    }

    private static (ModelFolder Folder, TrainingHistory History, double Seconds) TrainRecur(string dir, ModelManifest manifest,
        Func<ModelFolder, ModelManifest, IEnumerable<ITrainerCallback>, IO.Checkpoints.Checkpoint?, CancellationToken, TrainingHistory> run)
    {
        var folder = ModelFolder.Create(Path.Combine(dir, "recur-model"), overwrite: true);
        var clock = Stopwatch.StartNew();
        var history = run(folder, manifest, [new TextProgress(Console.Error, "items") { Interval = TimeSpan.FromSeconds(30) }], null, default);
        return (folder, history, clock.Elapsed.TotalSeconds);
    }

    // Median training throughput over the epochs (texts or sentences per second of training).
    private static double Throughput(TrainingHistory history)
    {
        var values = history.Epochs.Select(e => e["items_per_second"]).Where(double.IsFinite).Order().ToList();
        return values.Count == 0 ? double.NaN : values[values.Count / 2];
    }

    /// <summary>Runs a Python peer script and returns its last JSON line, or null (with a note) when it is missing or fails.</summary>
    private static JsonNode? RunPeer(string script, int threads, params string[] args)
    {
        if (PeerProcess.FindPeerScript(script) is not { } path) { BenchReport.Note($"{script} not found: no peer row"); return null; }
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        if (script is "apps_torch.py" or "seq2seq_torch.py") { psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture)); psi.ArgumentList.Add(TorchPeer.Policy(threads)); }
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? last = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || last is null) { BenchReport.Note($"{script} failed (exit {p.ExitCode}); see its stderr above"); return null; }
        var node = JsonNode.Parse(last)!;
        BenchReport.Note($"{script}: {last}");
        return node;
    }

    private static string? Value(BenchOptions options, string name)
    {
        int i = options.Extra.ToList().IndexOf(name);
        return i >= 0 && i + 1 < options.Extra.Count ? options.Extra[i + 1] : null;
    }
}
