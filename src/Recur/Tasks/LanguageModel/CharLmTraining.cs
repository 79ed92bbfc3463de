using System.Text.Json.Nodes;
using Recur.Data.Batching;
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

    private CharLmTraining(CharLmSettings settings, Vocabulary vocabulary, int[] train, int[] valid, IReadOnlyList<DataFingerprint> data, IReadOnlyList<string> adjustments)
    {
        Settings = settings;
        Vocabulary = vocabulary;
        TrainTokens = train;
        ValidTokens = valid;
        Data = data;
        Adjustments = adjustments;
        Config = new CharLanguageModelConfig(vocabulary.Count, settings.EmbeddingDim, settings.Rnn);
    }

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

    internal int[] TrainTokens { get; }

    internal int[] ValidTokens { get; }

    /// <summary>Characters trained on.</summary>
    public int TrainLength => TrainTokens.Length;

    /// <summary>Characters held out.</summary>
    public int ValidLength => ValidTokens.Length;

    /// <summary>
    /// Reads the text. A text too short for the batch shape gets fewer lanes (and, if need be, shorter chunks), said in
    /// <see cref="Adjustments"/>; with <paramref name="resumed"/> the vocabulary is kept and the files must be unchanged.
    /// </summary>
    /// <exception cref="DataFormatException">Fewer than the 4 characters a split needs (2 to train on, 2 to validate).</exception>
    public static CharLmTraining Prepare(CharLmSettings settings, TrainedCharLm? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var s = settings.Training;
        InputSize.RequireFits(s.Data, "--data");
        string text = TrainedCharLm.Read(settings.Preprocessing, s.Data), validText;
        var data = new List<DataFingerprint>();
        if (s.Valid is { } validPath)
        {
            validText = TrainedCharLm.Read(settings.Preprocessing, validPath);
            data.Add(DataFingerprint.Of("train", s.Data, text.Length));
            data.Add(DataFingerprint.Of("valid", validPath, validText.Length));
        }
        else
        {
            // The end of the text is held out: a language model's validation text must not interleave with its training text.
            int split = (int)(text.Length * (1 - s.ValidFraction));
            if (split > 0 && char.IsLowSurrogate(text[split])) split--;
            validText = text[split..];
            text = text[..split];
            data.Add(DataFingerprint.Of("train+valid", s.Data, text.Length + validText.Length));
        }
        // Validation reads a bounded, contiguous start of the held-out text, the same every epoch.
        int validSize = s.ValidSize ?? DefaultValidSize;
        if (validText.Length > validSize) validText = validText[..(char.IsHighSurrogate(validText[validSize - 1]) ? validSize - 1 : validSize)];
        resumed?.Manifest.Training?.RequireUnchangedData();
        var vocabulary = resumed?.Vocabulary ?? Vocabulary.ForCharacters(text);
        var encoder = new CharEncoder(vocabulary);
        int[] train = encoder.Encode(text), valid = encoder.Encode(validText);
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
        return new CharLmTraining(settings, vocabulary, train, valid, data, adjustments);
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
        var train = new LanguageModelBatcher(TrainTokens, Vocabulary.Count, s.BatchSize, Settings.Steps);
        var valid = new LanguageModelBatcher(ValidTokens, Vocabulary.Count, Math.Max(1, Math.Min(s.BatchSize, (ValidTokens.Length - 1) / (Settings.Steps + 1))), Settings.Steps);
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
