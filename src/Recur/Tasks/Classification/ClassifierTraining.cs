using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Splits;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Kernels;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;

namespace Recur.Tasks.Classification;

/// <summary>
/// <c>recur train classify</c> as a library call. <see cref="Prepare"/> reads the data, splits off validation
/// (stratified by label, seeded) or reads the validation file, fits the vocabulary and label set on the training
/// part only and encodes everything — all before anything is written, so bad input leaves no half-made folder.
/// <see cref="Run"/> then trains into a <see cref="ModelFolder"/>, keeping the epoch with the best validation accuracy
/// (macro F1 with <see cref="ClassifierSettings.Balance"/>).
/// </summary>
public sealed class ClassifierTraining : ITaskTraining
{
    /// <summary>Most texts validated each epoch unless --valid-size says otherwise.</summary>
    public const int DefaultValidSize = 20_000;

    /// <summary>The generator key of word dropout in checkpoints.</summary>
    public const string WordDropoutRng = "word_dropout";

    private ClassifierTraining(ClassifierSettings settings, ClassifierColumns columns, List<LabelledText> train, List<LabelledText> valid,
        Vocabulary vocabulary, LabelEncoder labels, Spelled? spelling, IReadOnlyList<DataFingerprint> data)
    {
        Settings = settings;
        Columns = columns;
        Train = train;
        Valid = valid;
        Vocabulary = vocabulary;
        Labels = labels;
        Spelling = spelling;
        Data = data;
        var tokenizer = settings.Preprocessing.CreateTokenizer();
        string trainSource = DataFile.DisplayName(settings.Training.Data), validSource = DataFile.DisplayName(settings.Training.Valid ?? settings.Training.Data);
        TrainTexts = Encode(train, tokenizer, trainSource, out var trainStats);
        ValidTexts = Encode(valid, tokenizer, validSource, out var validStats);
        (TrainStats, ValidStats) = (trainStats, validStats);
        TrainLabels = labels.Encode(train, trainSource);
        ValidLabels = labels.Encode(valid, validSource);
        Config = new SequenceClassifierConfig(vocabulary.Count, settings.EmbeddingDim, settings.Rnn, labels.Count, settings.Pooling,
            settings.AttentionDim, settings.EmbeddingDropout, settings.Dropout, vocabulary.PadIndex,
            spelling?.Chars.Count ?? 0, spelling is null ? 0 : settings.CharEmbeddingDim, spelling is null ? 0 : settings.CharHiddenSize, spelling?.Chars.PadIndex);
    }

    /// <summary>The settings, with the token limit resolved.</summary>
    public ClassifierSettings Settings { get; }

    /// <summary>The columns read.</summary>
    public ClassifierColumns Columns { get; }

    /// <summary>The training records.</summary>
    public IReadOnlyList<LabelledText> Train { get; }

    /// <summary>The validation records.</summary>
    public IReadOnlyList<LabelledText> Valid { get; }

    /// <summary>The token vocabulary (from the training part).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The classes (from the training part).</summary>
    public LabelEncoder Labels { get; }

    /// <summary>The spelling network's characters (from the training part), or null without one.</summary>
    public Spelled? Spelling { get; }

    /// <summary>The files' fingerprints.</summary>
    public IReadOnlyList<DataFingerprint> Data { get; }

    /// <summary>The network's configuration.</summary>
    public SequenceClassifierConfig Config { get; }

    /// <summary>Tokens, unknown tokens and truncated texts of the training part.</summary>
    public TextStats TrainStats { get; }

    /// <summary>The same for the validation part.</summary>
    public TextStats ValidStats { get; }

    internal EncodedText[] TrainTexts { get; }

    internal EncodedText[] ValidTexts { get; }

    internal int[] TrainLabels { get; }

    internal int[] ValidLabels { get; }

    /// <summary>
    /// Reads and encodes the data of <paramref name="settings"/>. When <paramref name="resumed"/> is given (a run being
    /// continued), its vocabulary and labels are used instead of being fitted again, and the files must be unchanged.
    /// </summary>
    /// <exception cref="DataFormatException">Bad records (with file and line), one class only, or a validation label unseen in training.</exception>
    /// <exception cref="ArgumentException">A setting out of range.</exception>
    public static ClassifierTraining Prepare(ClassifierSettings settings, TrainedClassifier? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Preprocessing.MaxLength == 0) settings = settings with { Preprocessing = settings.Preprocessing with { MaxLength = settings.DefaultMaxLength } };
        settings.Validate();
        var s = settings.Training;
        InputSize.RequireFits(s.Data, "--data");
        var (records, columns) = LabelledRecords.Read(s.Data, settings.Format, settings.TextColumn, settings.LabelColumn);
        if (records.Select(r => r.Label).Distinct().Take(2).Count() < 2)
            throw new DataFormatException(DataFile.DisplayName(s.Data), 0, $"the label column \"{columns.Label}\" has one class only ({records[0].Label}); a classifier needs at least two");
        List<LabelledText> train, valid;
        var data = new List<DataFingerprint>();
        if (s.Valid is { } validPath)
        {
            InputSize.RequireFits(validPath, "--valid");
            train = records;
            valid = LabelledRecords.Read(validPath, settings.Format, columns.Text, columns.Label).Records;
            data.Add(DataFingerprint.Of("train", s.Data, train.Count));
            data.Add(DataFingerprint.Of("valid", validPath, valid.Count));
        }
        else
        {
            // Stratify on the labels as written; the label set is fitted on the training part afterwards.
            var byLabel = records.Select(r => r.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var index = byLabel.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
            var (trainRows, validRows) = StratifiedSplit.Split(records.Select(r => index[r.Label]).ToArray(), s.ValidFraction, new Rng(s.Seed));
            if (validRows.Length == 0)
                throw new DataFormatException(DataFile.DisplayName(s.Data), 0, $"{records.Count} records are too few to hold out {s.ValidFraction:P0} for validation; give more data or a --valid file");
            train = [.. trainRows.Select(i => records[i])];
            valid = [.. validRows.Select(i => records[i])];
            data.Add(DataFingerprint.Of("train+valid", s.Data, records.Count));
        }
        valid = s.ValidationSample(valid, DefaultValidSize);
        if (resumed is not null)
        {
            resumed.Manifest.Training?.RequireUnchangedData();
            return new ClassifierTraining(settings, columns, train, valid, resumed.Vocabulary, resumed.Labels, resumed.Spelling, data);
        }
        // The classes cover the validation part too, so that a rare class found only there is scored rather than refused.
        var labels = LabelEncoder.Fit(train.Concat(valid));
        var counts = new TokenCounter();
        var tokenizer = settings.Preprocessing.CreateTokenizer();
        foreach (var r in train)
            foreach (var t in settings.Preprocessing.Tokenize(tokenizer, r.Text).Take(settings.Preprocessing.MaxLength)) counts.Add(t);
        var vocabulary = Vocabulary.FromCounts(counts.Counts, new VocabularyOptions
        {
            Specials = new SpecialTokens("<pad>", "<unk>", null, null),
            MinFrequency = settings.MinFrequency,
            MaxSize = settings.MaxVocabulary,
        });
        var spelling = settings.UsesChars ? new Spelled(Tasks.Spelling.Vocabulary(counts.Counts.Keys, settings.MaxWordLength), settings.MaxWordLength) : null;
        return new ClassifierTraining(settings, columns, train, valid, vocabulary, labels, spelling, data);
    }

    /// <inheritdoc />
    public ModelManifest Manifest(TrainingRecord training) =>
        TrainedClassifier.BuildManifest(Config, Settings.Preprocessing, Columns, Vocabulary, Labels, Spelling, training);

    /// <inheritdoc />
    public TrainingRecord Record(string commandLine) => TrainingRecord.Start(commandLine, Settings, Data);

    /// <inheritdoc />
    public TrainingHistory Run(ModelFolder folder, ModelManifest manifest, IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel)
    {
        var s = Settings.Training;
        var model = new SequenceClassifier(Config, new Rng(s.Seed));
        int[][] trainTokens = [.. TrainTexts.Select(t => t.Tokens)], validTokens = [.. ValidTexts.Select(t => t.Tokens)];
        var dropRng = new Rng(s.Seed ^ 0x5EED_D50Bul);
        if (resume?.Rngs.TryGetValue(WordDropoutRng, out var state) == true) dropRng.SetState(state);
        Func<int, int>? drop = Settings.WordDropout > 0 ? t => dropRng.NextDouble() < Settings.WordDropout ? Vocabulary.UnkIndex ?? t : t : null;
        var options = Settings.Balance ? new CrossEntropyOptions { ClassWeights = BalancedWeights(TrainLabels, Labels.Count) } : CrossEntropyOptions.Default;
        var loop = new TaskLoop<ClassBatch>(
            new BucketedBatches<ClassBatch>(trainTokens.Select(t => t.Length).ToArray(), s.BatchSize, rows => Batch(trainTokens, TrainTexts, TrainLabels, rows, drop), shuffle: true),
            new BucketedBatches<ClassBatch>(validTokens.Select(t => t.Length).ToArray(), s.BatchSize, rows => Batch(validTokens, ValidTexts, ValidLabels, rows), shuffle: false),
            (tape, b, o) =>
            {
                var logits = model.Logits(tape, b.Tokens.Indices, b.Tokens.BatchSize, b.Tokens.Steps, b.Tokens.Lengths, b.Chars);
                o.Logits = logits.Value;
                o.Targets = b.Labels;
                o.Count = b.Labels.Length;
                return tape.CrossEntropy(logits, b.Labels, options);
            },
            [new Accuracy(), new F1Score(macro: true)],
            Settings.Balance ? "val_macro_f1" : "val_accuracy",
            DefaultEpochs: 30);
        var writer = new ModelFolderWriter(folder, manifest, resume?.History) { BeforeSave = c => c.Rngs[WordDropoutRng] = dropRng.GetState() };
        return TaskFit.Run(model, s, loop, writer, callbacks, resume, cancel);
    }

    /// <summary>scikit-learn's "balanced" class weights N / (C · n_c) (a class absent from training gets 1).</summary>
    internal static float[] BalancedWeights(IReadOnlyList<int> labels, int classes)
    {
        var n = new long[classes];
        foreach (int y in labels) n[y]++;
        return [.. n.Select(c => c == 0 ? 1f : (float)((double)labels.Count / (classes * c)))];
    }

    private ClassBatch Batch(int[][] tokenLists, EncodedText[] texts, int[] labels, int[] rows, Func<int, int>? drop = null)
    {
        var tokens = SequencePadding.Pad(tokenLists, rows, Vocabulary.PadIndex ?? 0);
        if (drop is not null)
            for (int b = 0; b < tokens.BatchSize; b++)
                for (int t = 0; t < tokens.Lengths[b]; t++) tokens[b, t] = drop(tokens[b, t]);
        var chars = Spelling is null ? (CharBatch?)null : CharBatch.Pad(r => texts[r].Chars!, rows, tokens.Steps, Spelling.Chars.PadIndex ?? 0);
        return new(tokens, chars, [.. rows.Select(i => labels[i])]);
    }

    private EncodedText[] Encode(List<LabelledText> records, ITokenizer tokenizer, string source, out TextStats stats)
    {
        var result = new EncodedText[records.Count];
        long tokens = 0, unknown = 0;
        int truncated = 0;
        for (int i = 0; i < records.Count; i++)
        {
            var e = TrainedClassifier.Encode(tokenizer, Settings.Preprocessing, Vocabulary, Spelling, records[i].Text);
            if (e.Tokens.Length == 0) throw new DataFormatException(source, records[i].Line, "the text has no tokens (only white space or control characters)");
            result[i] = e;
            tokens += e.Tokens.Length;
            unknown += e.Unknown;
            if (e.Truncated > 0) truncated++;
        }
        stats = new TextStats(records.Count, tokens, unknown, truncated);
        return result;
    }

    private sealed record ClassBatch(IndexBatch Tokens, CharBatch? Chars, int[] Labels);
}

/// <summary>What encoding a set of texts met.</summary>
/// <param name="Texts">Texts.</param>
/// <param name="Tokens">Tokens kept.</param>
/// <param name="Unknown">Tokens not in the vocabulary.</param>
/// <param name="Truncated">Texts cut at the token limit.</param>
public readonly record struct TextStats(int Texts, long Tokens, long Unknown, int Truncated);
