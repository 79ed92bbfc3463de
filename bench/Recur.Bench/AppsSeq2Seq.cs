using System.Globalization;
using System.Text;
using System.Text.Json;
using Recur.Bench.Rnn;
using Recur.Data.Bundled;
using Recur.Data.Fetch;
using Recur.Data.Formats;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Seq2Seq;
using Recur.Training;

namespace Recur.Bench;

/// <summary>
/// Issue #13's quality rows of the <c>apps</c> suite: <c>recur train seq2seq</c>'s defaults on the CMU dictionary
/// (spelling to phonemes, word targets) and on Ding German-English (characters), each on the fixed seeded 90/10 split
/// by source of <c>recur fetch cmudict|ding --out</c>, against the same architecture trained by PyTorch
/// (bench/peers/seq2seq_torch.py) for the same wall clock. Both sides decode the test sources greedily and are scored by
/// Recur's metrics (<see cref="SequenceScores"/>); Recur's beam-5 scores are given in a note. Ding's test part is
/// sampled to its first <c>--test-sources</c> distinct sources (default 2,000) to bound decoding time. With
/// <c>--recur-model DIR</c> Recur's side is a folder written by <c>recur train seq2seq</c> on the same split (its
/// recorded settings give the same training and validation pairs) instead of a training run of the suite's own; it is
/// scored after the peer, so the two can train at the same time.
/// </summary>
internal static class AppsSeq2Seq
{
    private const ulong Seed = 1;

    public static void Cmudict(BenchReport report, string suite, string dir, double minutes, int threads, string? recurModel, Func<string, int, string[], System.Text.Json.Nodes.JsonNode?> runPeer)
    {
        var settings = new Seq2SeqSettings();
        settings = settings with { Preprocessing = settings.Preprocessing with { TargetTokens = TokenUnit.Word } };
        Run(report, suite, "cmudict", PairDatasets.CmuDict(BundledData.Locate().CmuDict), settings, dir, minutes, threads, int.MaxValue, recurModel, runPeer);
    }

    public static void Ding(BenchReport report, string suite, string dir, double minutes, int threads, int testSources, string? recurModel, Func<string, int, string[], System.Text.Json.Nodes.JsonNode?> runPeer)
    {
        var settings = new Seq2SeqSettings();
        settings = settings with { Preprocessing = settings.Preprocessing with { MaxSourceLength = 60, MaxTargetLength = 60 } };
        Run(report, suite, "ding", DingDictionary.Read(DingDictionary.Fetch()), settings, dir, minutes, threads, testSources, recurModel, runPeer);
    }

    private static void Run(BenchReport report, string suite, string name, List<SentencePair> pairs, Seq2SeqSettings settings, string dir, double minutes,
        int threads, int testSources, string? recurModel, Func<string, int, string[], System.Text.Json.Nodes.JsonNode?> runPeer)
    {
        Directory.CreateDirectory(dir);
        var (trainPath, trainPairs, testPath, testPairs) = PairDatasets.WriteSplit(pairs, dir);
        TrainedSeq2Seq? given = null;
        if (recurModel is not null)
        {
            // A model trained by `recur train seq2seq` on this split (perhaps still training): its recorded settings give
            // the same training and validation pairs; it is scored after the peer has run, so a run in progress can finish.
            given = (TrainedSeq2Seq)TrainedModel.Load(recurModel, TaskKind.Seq2Seq);
            settings = JsonSerializer.Deserialize<Seq2SeqSettings>(given.Manifest.Training!.Settings.ToJsonString(), ConfigJson.Options)!;
            BenchReport.Note($"{name}: Recur's model from {recurModel} ({given.Manifest.Training.CommandLine})");
        }
        settings = settings with { Training = settings.Training with { Data = trainPath, Valid = null, Epochs = null, Minutes = minutes, Seed = Seed } };
        var prepared = Seq2SeqTraining.Prepare(settings);
        var test = PairReader.Read(testPath).Pairs;
        var sources = test.Select(p => p.Source).Distinct(StringComparer.Ordinal).Take(testSources).ToHashSet(StringComparer.Ordinal);
        test = [.. test.Where(p => sources.Contains(p.Source))];
        BenchReport.Note($"{name}: {trainPairs:N0} train pairs ({prepared.TrainPairs.Count:N0} trained, {prepared.ValidPairs.Count:N0} validated), {test.Count:N0} test pairs of {sources.Count:N0} sources (seed {PairDatasets.SplitSeed}); {minutes} min per side at {threads} threads; load {MachineInfo.LoadAverage()}");

        TrainingHistory? history = null;
        double seconds = double.NaN;
        string folderPath = recurModel ?? Path.Combine(dir, "recur-model");
        if (given is null)
        {
            var folder = ModelFolder.Create(folderPath, overwrite: true);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            history = prepared.Run(folder, prepared.Manifest(prepared.Record("apps bench")), [new Training.TextProgress(Console.Error, "target tokens") { Interval = TimeSpan.FromSeconds(30) }], null, default);
            seconds = clock.Elapsed.TotalSeconds;
        }
        var model = given ?? (TrainedSeq2Seq)TrainedModel.Load(folderPath, TaskKind.Seq2Seq);

        // The peer reads the same pairs encoded with Recur's vocabularies; its outputs are scored here.
        string Encode(string file, IEnumerable<SentencePair> rows)
        {
            string path = Path.Combine(dir, file);
            using var w = new StreamWriter(path, false, new UTF8Encoding(false));
            int unk = model.TargetVocabulary.UnkIndex ?? 0;
            foreach (var p in rows)
                w.WriteLine(JsonSerializer.Serialize(new
                {
                    source = model.EncodeSource(p.Source).Tokens,
                    target = model.Preprocessing.Target(p.Target).Select(t => model.TargetVocabulary.TryGetIndex(t, out int k) ? k : unk).ToArray(),
                }));
            return path;
        }
        var groups = test.GroupBy(p => p.Source, StringComparer.Ordinal).ToList();
        string testFile = Path.Combine(dir, "test-sources.jsonl");
        File.WriteAllLines(testFile, groups.Select(g => JsonSerializer.Serialize(new { source = model.EncodeSource(g.Key, model.Preprocessing.MaxSourceLength).Tokens })));
        string outFile = Path.Combine(dir, "torch-outputs.jsonl");
        var c = model.Network.Config;
        var peer = runPeer("seq2seq_torch.py", threads, [JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["train"] = Encode("train.jsonl", prepared.TrainPairs), ["valid"] = Encode("valid.jsonl", prepared.ValidPairs), ["test"] = testFile, ["out"] = outFile,
            ["seconds"] = minutes * 60, ["seed"] = (int)Seed, ["batch"] = settings.Training.BatchSize, ["lr"] = settings.Training.LearningRate,
            ["clip"] = settings.Training.Clip, ["source_vocab"] = c.SourceVocab, ["target_vocab"] = c.TargetVocab, ["source_pad"] = c.SourcePaddingIndex ?? 0,
            ["target_pad"] = c.TargetPaddingIndex ?? 0, ["bos"] = model.TargetVocabulary.BosIndex!.Value, ["eos"] = model.TargetVocabulary.EosIndex!.Value,
            ["embed"] = c.SourceEmbeddingDim, ["cell"] = ConfigJson.Name(c.Encoder.Cell), ["hidden"] = c.Encoder.HiddenSize, ["layers"] = c.Encoder.NumLayers,
            ["bidirectional"] = c.Encoder.Bidirectional, ["rnn_dropout"] = c.Encoder.Dropout, ["decoder_hidden"] = c.Decoder.HiddenSize,
            ["decoder_layers"] = c.Decoder.NumLayers, ["attention"] = ConfigJson.Name(c.Attention), ["attention_dim"] = c.AttentionDim, ["dropout"] = c.Dropout,
            ["label_smoothing"] = settings.LabelSmoothing, ["max_steps"] = model.DefaultMaxSteps,
        })]);
        var torch = new SequenceScores(model.Preprocessing.TargetTokens);
        if (peer is not null && File.Exists(outFile))
        {
            var outputs = File.ReadAllLines(outFile).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToList();
            for (int i = 0; i < groups.Count; i++)
                torch.Add(model.Preprocessing.JoinTarget(model.TargetVocabulary.Decode(outputs[i])),
                    [.. groups[i].Select(p => model.Preprocessing.CanonicalTarget(p.Target)).Distinct()]);
            BenchReport.Note($"torch {name}: greedy {Describe(torch)}");
        }
        if (given is not null) model = (TrainedSeq2Seq)TrainedModel.Load(recurModel!, TaskKind.Seq2Seq); // the run's final best epoch
        var greedy = model.Evaluate(test, new BeamOptions(1, 0, model.DefaultMaxSteps), TooLongSource.Truncate, "test.tsv").Scores;
        var beam = model.Evaluate(test, new BeamOptions(5, 0.6, model.DefaultMaxSteps), TooLongSource.Truncate, "test.tsv").Scores;
        var record = model.Manifest.Training;
        BenchReport.Note($"recur {name}: {record?.Epochs} epochs in {(history is null ? record?.Seconds : seconds):F0} s, best epoch {record?.BestEpoch}; greedy {Describe(greedy)}; beam 5 {Describe(beam)}");
        double T(Func<SequenceScores, double> f) => torch.Count == 0 ? double.NaN : f(torch);
        string mm = minutes.ToString(CultureInfo.InvariantCulture);
        if (model.Preprocessing.TargetTokens == TokenUnit.Word)
        {
            report.Add(new BenchRow(suite, $"{name} test wer vs torch M{mm}min t{threads} greedy", greedy.Wer, T(s => s.Wer), "WER", false));
            report.Add(new BenchRow(suite, $"{name} test per vs torch M{mm}min t{threads} greedy", greedy.Per, T(s => s.Per), "PER", false));
        }
        report.Add(new BenchRow(suite, $"{name} test bleu vs torch M{mm}min t{threads} greedy", greedy.Bleu.Score, T(s => s.Bleu.Score), "BLEU", true));
        report.Add(new BenchRow(suite, $"{name} test chrf vs torch M{mm}min t{threads} greedy", greedy.ChrF, T(s => s.ChrF), "chrF", true));
        var rates = (history?.Epochs.Select(e => e["items_per_second"]) ?? []).Where(double.IsFinite).Order().ToList();
        double tokensPerPair = prepared.TrainPairs.Average(p => model.Preprocessing.Target(p.Target).Count + 1.0);
        // With --recur-model there is no history here: the run's pairs over its seconds (a partial last epoch counted whole).
        double recurRate = rates.Count > 0 ? rates[rates.Count / 2] / tokensPerPair
            : record is { Seconds: > 0 } r ? (double)r.Epochs * prepared.TrainPairs.Count / r.Seconds : double.NaN;
        report.Add(new BenchRow(suite, $"{name} pairs/s vs torch M{mm}min t{threads}", recurRate,
            peer?["pairs_per_second"]?.GetValue<double>() ?? double.NaN, "pairs/s", true));
    }

    private static string Describe(SequenceScores s) => string.Create(CultureInfo.InvariantCulture,
        $"exact {s.ExactMatch:F4}, WER {s.Wer:F4}, PER {s.Per:F4}, CER {s.Cer:F4}, BLEU {s.Bleu.Score:F2}, chrF {s.ChrF:F2}");
}
