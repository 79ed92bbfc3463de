using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;

namespace Recur.Tasks.Seq2Seq;

/// <summary>What reading the pairs met.</summary>
/// <param name="Pairs">Pairs kept.</param>
/// <param name="TooLong">Pairs left out for a side longer than --max-length.</param>
/// <param name="SourceTokens">Source tokens of the pairs kept.</param>
/// <param name="UnknownSourceTokens">Of those, tokens not in the source vocabulary (validation only; read as &lt;unk&gt;).</param>
/// <param name="UnknownTargetTokens">Target tokens not in the target vocabulary (validation only).</param>
public readonly record struct PairStats(int Pairs, int TooLong, long SourceTokens, long UnknownSourceTokens, long UnknownTargetTokens);

/// <summary>
/// <c>recur train seq2seq</c> as a library call. <see cref="Prepare"/> reads the pairs, holds out validation (a seeded
/// share of the distinct sources, so that every pair of a source — all pronunciations of a word — is on the same side)
/// or reads the validation file, fits a vocabulary per side on the training part and encodes everything, all before
/// anything is written. <see cref="Run"/> trains with teacher forcing (label smoothing, optional scheduled sampling),
/// keeping the epoch with the best validation token accuracy.
/// </summary>
public sealed class Seq2SeqTraining : ITaskTraining
{
    /// <summary>Most pairs validated each epoch unless --valid-size says otherwise.</summary>
    public const int DefaultValidSize = 5_000;

    /// <summary>The generator key of scheduled sampling in checkpoints.</summary>
    public const string SamplingRng = "scheduled_sampling";

    private Seq2SeqTraining(Seq2SeqSettings settings, PairColumns? columns, List<SentencePair> train, List<SentencePair> valid,
        Vocabulary source, Vocabulary target, IReadOnlyList<DataFingerprint> data, int trainTooLong, int validTooLong)
    {
        Settings = settings;
        Columns = columns;
        SourceVocabulary = source;
        TargetVocabulary = target;
        Data = data;
        var p = settings.Preprocessing;
        (TrainPairs, TrainEncoded, TrainStats) = Encode(train, trainTooLong);
        (ValidPairs, ValidEncoded, ValidStats) = Encode(valid, validTooLong);
        if (TrainEncoded.Length == 0) throw new DataFormatException(DataFile.DisplayName(settings.Training.Data), 0, $"no training pair fits --max-length {p.MaxSourceLength}");
        if (ValidEncoded.Length == 0) throw new DataFormatException(DataFile.DisplayName(settings.Training.Valid ?? settings.Training.Data), 0, $"no validation pair fits --max-length {p.MaxSourceLength}");
        Preprocessing = p with { MaxSourceLength = TrainEncoded.Max(e => e.Source.Length), MaxTargetLength = TrainEncoded.Max(e => e.Target.Length) };
        Config = new EncoderDecoderConfig(source.Count, target.Count, settings.EmbeddingDim, settings.EmbeddingDim, settings.Encoder, settings.DecoderConfig,
            settings.Attention, settings.AttentionDim, settings.Dropout, source.PadIndex, target.PadIndex);
    }

    /// <summary>The settings.</summary>
    public Seq2SeqSettings Settings { get; }

    /// <summary>How the sides are read, with the longest source and target of the training pairs.</summary>
    public PairPreprocessing Preprocessing { get; }

    /// <summary>The columns read, or null for plain pairs.</summary>
    public PairColumns? Columns { get; }

    /// <summary>Training pairs (those that fit the length limit).</summary>
    public IReadOnlyList<SentencePair> TrainPairs { get; }

    /// <summary>Validation pairs.</summary>
    public IReadOnlyList<SentencePair> ValidPairs { get; }

    /// <summary>Source vocabulary (from the training part).</summary>
    public Vocabulary SourceVocabulary { get; }

    /// <summary>Target vocabulary (from the training part, with &lt;bos&gt; and &lt;eos&gt;).</summary>
    public Vocabulary TargetVocabulary { get; }

    /// <summary>The network's configuration.</summary>
    public EncoderDecoderConfig Config { get; }

    /// <summary>The files' fingerprints.</summary>
    public IReadOnlyList<DataFingerprint> Data { get; }

    /// <summary>What the training pairs held.</summary>
    public PairStats TrainStats { get; }

    /// <summary>What the validation pairs held.</summary>
    public PairStats ValidStats { get; }

    internal (int[] Source, int[] Target)[] TrainEncoded { get; }

    internal (int[] Source, int[] Target)[] ValidEncoded { get; }

    /// <summary>
    /// Reads and encodes the pairs of <paramref name="settings"/>. With <paramref name="resumed"/> (a run being continued)
    /// its vocabularies are used and the files must be unchanged.
    /// </summary>
    /// <exception cref="DataFormatException">Bad lines (file and line), too few pairs to hold some out.</exception>
    /// <exception cref="ArgumentException">A setting out of range.</exception>
    public static Seq2SeqTraining Prepare(Seq2SeqSettings settings, TrainedSeq2Seq? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var s = settings.Training;
        InputSize.RequireFits(s.Data, "--data");
        var (pairs, columns) = PairReader.Read(s.Data, settings.Format, settings.SourceColumn, settings.TargetColumn);
        List<SentencePair> train, valid;
        var data = new List<DataFingerprint>();
        if (s.Valid is { } validPath)
        {
            InputSize.RequireFits(validPath, "--valid");
            train = pairs;
            valid = PairReader.Read(validPath, settings.Format, columns?.Source, columns?.Target).Pairs;
            data.Add(DataFingerprint.Of("train", s.Data, train.Count));
            data.Add(DataFingerprint.Of("valid", validPath, valid.Count));
        }
        else
        {
            (train, valid) = SplitBySource(pairs, s.ValidFraction, s.Seed);
            if (valid.Count == 0 || train.Count == 0)
                throw new DataFormatException(DataFile.DisplayName(s.Data), 0, $"{pairs.Count} pairs are too few to hold out {s.ValidFraction:P0} of their sources for validation; give more pairs or a --valid file");
            data.Add(DataFingerprint.Of("train+valid", s.Data, pairs.Count));
        }
        valid = s.ValidationSample(valid, DefaultValidSize);
        var p = settings.Preprocessing;
        bool Fits(SentencePair x) => p.MaxSourceLength == 0 || (p.Source(x.Source).Count <= p.MaxSourceLength && p.Target(x.Target).Count <= p.MaxSourceLength);
        int trainTooLong = train.Count(x => !Fits(x)), validTooLong = valid.Count(x => !Fits(x));
        train = [.. train.Where(Fits)];
        valid = [.. valid.Where(Fits)];
        if (resumed is not null)
        {
            resumed.Manifest.Training?.RequireUnchangedData();
            return new Seq2SeqTraining(settings, columns, train, valid, resumed.SourceVocabulary, resumed.TargetVocabulary, data, trainTooLong, validTooLong);
        }
        var sourceCounts = new TokenCounter();
        var targetCounts = new TokenCounter();
        foreach (var x in train)
        {
            foreach (var t in p.Source(x.Source)) sourceCounts.Add(t);
            foreach (var t in p.Target(x.Target)) targetCounts.Add(t);
        }
        var sourceVocabulary = Vocabulary.FromCounts(sourceCounts.Counts, new VocabularyOptions { Specials = new SpecialTokens("<pad>", "<unk>", null, null) });
        var targetVocabulary = Vocabulary.FromCounts(targetCounts.Counts, new VocabularyOptions { Specials = SpecialTokens.Default });
        return new Seq2SeqTraining(settings, columns, train, valid, sourceVocabulary, targetVocabulary, data, trainTooLong, validTooLong);
    }

    /// <summary>
    /// A seeded split by source: the distinct sources (in order of first appearance) are shuffled and the first
    /// <paramref name="fraction"/> of them held out with all their pairs.
    /// </summary>
    public static (List<SentencePair> Train, List<SentencePair> Held) SplitBySource(IReadOnlyList<SentencePair> pairs, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sources = pairs.Select(x => x.Source).Distinct(StringComparer.Ordinal).ToArray();
        new Rng(seed).Shuffle<string>(sources);
        int held = (int)Math.Round(sources.Length * fraction, MidpointRounding.AwayFromZero);
        var heldSet = sources.Take(held).ToHashSet(StringComparer.Ordinal);
        return ([.. pairs.Where(x => !heldSet.Contains(x.Source))], [.. pairs.Where(x => heldSet.Contains(x.Source))]);
    }

    /// <inheritdoc />
    public ModelManifest Manifest(TrainingRecord training) =>
        TrainedSeq2Seq.BuildManifest(Config, Preprocessing, Columns, SourceVocabulary, TargetVocabulary, training);

    /// <inheritdoc />
    public TrainingRecord Record(string commandLine) => TrainingRecord.Start(commandLine, Settings, Data);

    /// <inheritdoc />
    public TrainingHistory Run(ModelFolder folder, ModelManifest manifest, IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel)
    {
        var s = Settings.Training;
        var model = new EncoderDecoder(Config, new Rng(s.Seed));
        var samplingRng = new Rng(s.Seed ^ 0x5A3D_5A3Dul);
        if (resume?.Rngs.TryGetValue(SamplingRng, out var state) == true) samplingRng.SetState(state);
        var loss = new CrossEntropyOptions { LabelSmoothing = Settings.LabelSmoothing };
        var loop = new TaskLoop<PairBatch>(
            new BucketedBatches<PairBatch>(TrainEncoded.Select(e => e.Source.Length).ToArray(), s.BatchSize, rows => Batch(TrainEncoded, rows), shuffle: true),
            new BucketedBatches<PairBatch>(ValidEncoded.Select(e => e.Source.Length).ToArray(), s.BatchSize, rows => Batch(ValidEncoded, rows), shuffle: false),
            (tape, b, o) =>
            {
                float rate = model.Training ? Settings.SamplingRate : 0;
                var logits = model.Logits(tape, b.Source.Indices, b.Source.BatchSize, b.Source.Steps, b.Source.Lengths, b.TargetIn, b.TargetSteps, rate, samplingRng);
                o.Logits = logits.Value;
                o.Targets = b.TargetOut;
                o.Count = b.Tokens;
                return tape.CrossEntropy(logits, b.TargetOut, loss);
            },
            [new Accuracy()],
            "val_accuracy",
            DefaultEpochs: 40);
        var writer = new ModelFolderWriter(folder, manifest, resume?.History) { BeforeSave = c => c.Rngs[SamplingRng] = samplingRng.GetState() };
        return TaskFit.Run(model, s, loop, writer, callbacks, resume, cancel);
    }

    // Sources padded [B, S]; target input BOS y_1..y_n and output y_1..y_n EOS, padded [B, T] (output padding ignored).
    private PairBatch Batch((int[] Source, int[] Target)[] pairs, int[] rows)
    {
        var source = SequencePadding.Pad(pairs.Select(p => p.Source).ToArray(), rows, SourceVocabulary.PadIndex ?? 0);
        int steps = rows.Max(r => pairs[r].Target.Length) + 1, bos = TargetVocabulary.BosIndex!.Value, eos = TargetVocabulary.EosIndex!.Value, pad = TargetVocabulary.PadIndex ?? 0;
        var input = new int[rows.Length * steps];
        var output = new int[rows.Length * steps];
        int tokens = 0;
        for (int b = 0; b < rows.Length; b++)
        {
            var y = pairs[rows[b]].Target;
            for (int t = 0; t < steps; t++)
            {
                input[b * steps + t] = t == 0 ? bos : t - 1 < y.Length ? y[t - 1] : pad;
                output[b * steps + t] = t < y.Length ? y[t] : t == y.Length ? eos : CrossEntropyOptions.Default.IgnoreIndex;
            }
            tokens += y.Length + 1;
        }
        return new PairBatch(source, input, output, steps, tokens);
    }

    private (List<SentencePair>, (int[], int[])[], PairStats) Encode(List<SentencePair> pairs, int tooLong)
    {
        var p = Settings.Preprocessing;
        var encoded = new (int[], int[])[pairs.Count];
        long sourceTokens = 0, unknownSource = 0, unknownTarget = 0;
        int unk = TargetVocabulary.UnkIndex ?? 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            var source = TrainedSeq2Seq.EncodeSource(p, SourceVocabulary, pairs[i].Source, 0);
            var target = p.Target(pairs[i].Target).Select(t => TargetVocabulary.TryGetIndex(t, out int k) ? k : -1).ToArray();
            unknownTarget += target.Count(k => k < 0);
            for (int j = 0; j < target.Length; j++) if (target[j] < 0) target[j] = unk;
            if (source.Tokens.Length == 0 || target.Length == 0) throw new DataFormatException(DataFile.DisplayName(Settings.Training.Data), pairs[i].Line, "a side has no tokens");
            sourceTokens += source.Tokens.Length;
            unknownSource += source.Unknown.Count;
            encoded[i] = (source.Tokens, target);
        }
        return (pairs, encoded, new PairStats(pairs.Count, tooLong, sourceTokens, unknownSource, unknownTarget));
    }

    private sealed record PairBatch(IndexBatch Source, int[] TargetIn, int[] TargetOut, int TargetSteps, int Tokens);
}
