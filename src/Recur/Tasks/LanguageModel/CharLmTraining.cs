using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Fetch;
using Recur.Data.Files;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Kernels;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;

namespace Recur.Tasks.LanguageModel;

/// <summary>
/// <c>recur train charlm</c> as a library call: <see cref="Prepare"/> reads the text (normalised as the settings say),
/// builds the character vocabulary from the training part, holds out the end of the text (or reads a validation file)
/// and fits the batch shape to a small text, before anything is written; <see cref="Run"/> trains by truncated BPTT
/// into a <see cref="ModelFolder"/>, keeping the epoch with the lowest validation bits per character.
/// </summary>
public sealed class CharLmTraining : ITaskTraining
{
    /// <summary>Most characters validated each epoch unless --valid-size says otherwise (a few seconds of work).</summary>
    public const int DefaultValidSize = 250_000;

    private CharLmTraining(CharLmSettings settings, Vocabulary vocabulary, TokenStream train, TokenStream valid, IReadOnlyList<DataFingerprint> data, IReadOnlyList<string> adjustments)
    {
        Settings = settings;
        Vocabulary = vocabulary;
        TrainTokens = train;
        ValidTokens = valid;
        Data = data;
        Adjustments = adjustments;
        Config = new CharLanguageModelConfig(vocabulary.Count, settings.EmbeddingDim, settings.Rnn);
    }

    /// <summary>Where token caches live unless told otherwise: <c>tokens</c> in <see cref="DataCache.Root"/>.</summary>
    public static string DefaultCacheFolder => Path.Combine(DataCache.Root, "tokens");

    /// <summary>The settings (batch size and chunk length fitted to the text).</summary>
    public CharLmSettings Settings { get; }

    /// <summary>The characters of the training part, with &lt;unk&gt;.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The network's configuration.</summary>
    public CharLanguageModelConfig Config { get; }

    /// <summary>The files' fingerprints.</summary>
    public IReadOnlyList<DataFingerprint> Data { get; }

    /// <summary>What was changed to fit a small text (for the user to read), e.g. a smaller batch.</summary>
    public IReadOnlyList<string> Adjustments { get; }

    /// <summary>The token caches read (or built, <see cref="CharTokenCache.Built"/>) for the text and the validation text.</summary>
    public IReadOnlyList<CharTokenCache> Caches { get; private init; } = [];

    internal TokenStream TrainTokens { get; }

    internal TokenStream ValidTokens { get; }

    /// <summary>Characters trained on.</summary>
    public int TrainLength => TrainTokens.Length;

    /// <summary>Characters held out (and validated each epoch: at most --valid-size).</summary>
    public int ValidLength => ValidTokens.Length;

    /// <summary>The first <paramref name="length"/> characters of the training text (or all of it when shorter).</summary>
    public string TrainingTextStart(int length)
    {
        var ids = new int[Math.Min(length, TrainTokens.Length)];
        TrainTokens.CopyTo(0, ids);
        return string.Concat(ids.Select(i => Vocabulary[i]));
    }

    /// <summary>
    /// Reads the text through a token cache in <paramref name="cacheFolder"/> (built on the first run over a file, with
    /// <paramref name="progress"/> told each file's name and the fraction read; reused after), so memory does not grow
    /// with the text. A text too short for the batch shape gets fewer lanes (and, if need be, shorter chunks), said in
    /// <see cref="Adjustments"/>; with <paramref name="resumed"/> the vocabulary is kept and the files must be unchanged.
    /// </summary>
    /// <exception cref="DataFormatException">Fewer than the 4 characters a split needs (2 to train on, 2 to validate).</exception>
    /// <exception cref="IOException">The token cache cannot be written.</exception>
    public static CharLmTraining Prepare(CharLmSettings settings, TrainedCharLm? resumed = null, string? cacheFolder = null,
        IProgress<(string File, double Fraction)>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var s = settings.Training;
        CharTokenCache Open(string path)
        {
            string name = DataFile.DisplayName(path);
            return CharTokenCache.Open(path, settings.Preprocessing.Normalization, settings.Preprocessing.NormalizeLineEndings,
                cacheFolder ?? DefaultCacheFolder, progress is null ? null : new ImmediateProgress<double>(f => progress.Report((name, f))), cancel);
        }
        static DataFingerprint Fingerprint(string role, string path, CharTokenCache c) => new(role, Path.GetFullPath(path), c.FileBytes, c.Sha256, c.Length);

        var text = Open(s.Data);
        var caches = new List<CharTokenCache> { text };
        var data = new List<DataFingerprint>();
        Vocabulary vocabulary;
        TokenStream train, valid;
        if (s.Valid is { } validPath)
        {
            var validText = Open(validPath);
            caches.Add(validText);
            data.Add(Fingerprint("train", s.Data, text));
            data.Add(Fingerprint("valid", validPath, validText));
            vocabulary = resumed?.Vocabulary ?? text.VocabularyOfPrefix(long.MaxValue);
            train = text.Encode(vocabulary);
            valid = validText.Encode(vocabulary);
        }
        else
        {
            // The end of the text is held out: a language model's validation text must not interleave with its training text.
            int split = (int)(text.Length * (1 - s.ValidFraction));
            data.Add(Fingerprint("train+valid", s.Data, text));
            vocabulary = resumed?.Vocabulary ?? text.VocabularyOfPrefix(split);
            var all = text.Encode(vocabulary);
            train = all.Slice(0, split);
            valid = all.Slice(split, all.Length - split);
        }
        // Validation reads a bounded, contiguous start of the held-out text, the same every epoch.
        valid = valid.Slice(0, Math.Min(valid.Length, s.ValidSize ?? DefaultValidSize));
        resumed?.Manifest.Training?.RequireUnchangedData(data);
        string source = DataFile.DisplayName(s.Data);
        if (train.Length < 3 || valid.Length < 2)
            throw new DataFormatException(source, 0, $"{train.Length + valid.Length} characters are too few: training needs at least 3 and validation 2");
        var adjustments = new List<string>();
        int steps = settings.Steps, batch = s.BatchSize;
        if (train.Length < steps + 1)
        {
            steps = train.Length - 1;
            adjustments.Add($"--seq {settings.Steps} is longer than the {train.Length:N0} training characters allow; using --seq {steps}");
        }
        int lanes = (train.Length - 1) / steps;
        if (lanes < batch)
        {
            batch = Math.Max(1, lanes);
            adjustments.Add($"{train.Length:N0} training characters fill {batch} lane{(batch == 1 ? "" : "s")} of {steps} characters, not --batch {s.BatchSize}; using --batch {batch}");
        }
        settings = settings with { Steps = steps, Training = s with { BatchSize = batch } };
        return new CharLmTraining(settings, vocabulary, train, valid, data, adjustments) { Caches = caches };
    }

    /// <inheritdoc />
    public ModelManifest Manifest(TrainingRecord training) => TrainedCharLm.BuildManifest(Config, Settings.Preprocessing, Vocabulary, training);

    /// <inheritdoc />
    public TrainingRecord Record(string commandLine) => TrainingRecord.Start(commandLine, Settings, Data);

    /// <inheritdoc />
    public TrainingHistory Run(ModelFolder folder, ModelManifest manifest, IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel)
    {
        var s = Settings.Training;
        var model = new CharLanguageModel(Config, new Rng(s.Seed)) { Stateful = Settings.Stateful };
        var train = new LanguageModelBatcher(TrainTokens, s.BatchSize, Settings.Steps);
        var valid = new LanguageModelBatcher(ValidTokens, Math.Max(1, Math.Min(s.BatchSize, (ValidTokens.Length - 1) / (Settings.Steps + 1))), Settings.Steps);
        var loop = new TaskLoop<LanguageModelBatch>(new LanguageModelBatchSource(train), new LanguageModelBatchSource(valid),
            (tape, b, o) =>
            {
                o.Count = b.BatchSize * b.Steps;
                return model.Loss(tape, b.Inputs, b.Targets, b.BatchSize, b.Steps);
            },
            [new Perplexity(bits: true)], "val_bpc", DefaultEpochs: int.MaxValue, OnEpochBegin: _ => model.ResetState());
        return TaskFit.Run(model, s, loop, new ModelFolderWriter(folder, manifest, resume?.History), callbacks, resume, cancel);
    }
}
