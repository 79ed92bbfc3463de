using System.Text.Json.Nodes;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Kernels;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;

namespace Recur.Tasks.Tagging;

/// <summary>
/// <c>recur train tag</c> as a library call. <see cref="Prepare"/> reads the corpus (slash-tagged, CoNLL-U or CoNLL,
/// detected), holds out a seeded share of the sentences for validation (or reads a validation file), builds the word,
/// character and tag vocabularies from the training part and encodes everything before anything is written.
/// <see cref="Run"/> trains into a <see cref="ModelFolder"/>, keeping the epoch with the best validation token accuracy.
/// </summary>
public sealed class TaggerTraining : ITaskTraining
{
    /// <summary>Most sentences validated each epoch unless --valid-size says otherwise.</summary>
    public const int DefaultValidSize = 10_000;

    /// <summary>The generator key of word dropout in checkpoints.</summary>
    public const string WordDropoutRng = "word_dropout";

    private TaggerTraining(TaggerSettings settings, TaggedCorpusFormat format, List<TaggedSentence> train, List<TaggedSentence> valid,
        Vocabulary words, Vocabulary chars, LabelEncoder tags, IReadOnlyList<DataFingerprint> data)
    {
        Settings = settings;
        Format = format;
        Train = train;
        Valid = valid;
        WordVocabulary = words;
        CharVocabulary = chars;
        Tags = tags;
        Data = data;
        TrainEncoded = [.. train.Select(s => TrainedTagger.Encode(settings.Words, words, chars, s.Words))];
        ValidEncoded = [.. valid.Select(s => TrainedTagger.Encode(settings.Words, words, chars, s.Words))];
        TrainTags = TrainedTagger.GoldTags(tags, train);
        ValidTags = TrainedTagger.GoldTags(tags, valid);
        Config = new WordTaggerConfig(words.Count, settings.WordEmbeddingDim, chars.Count, settings.CharEmbeddingDim, settings.CharHiddenSize,
            settings.Rnn, tags.Count, settings.Dropout, settings.Crf, words.PadIndex, chars.PadIndex);
    }

    /// <summary>The settings.</summary>
    public TaggerSettings Settings { get; }

    /// <summary>The corpus format read.</summary>
    public TaggedCorpusFormat Format { get; }

    /// <summary>Training sentences.</summary>
    public IReadOnlyList<TaggedSentence> Train { get; }

    /// <summary>Validation sentences.</summary>
    public IReadOnlyList<TaggedSentence> Valid { get; }

    /// <summary>Embedding keys of the training words.</summary>
    public Vocabulary WordVocabulary { get; }

    /// <summary>Characters of the training words.</summary>
    public Vocabulary CharVocabulary { get; }

    /// <summary>The tag set of the training part.</summary>
    public LabelEncoder Tags { get; }

    /// <summary>The files' fingerprints.</summary>
    public IReadOnlyList<DataFingerprint> Data { get; }

    /// <summary>The network's configuration.</summary>
    public WordTaggerConfig Config { get; }

    internal EncodedSentence[] TrainEncoded { get; }

    internal EncodedSentence[] ValidEncoded { get; }

    internal int[][] TrainTags { get; }

    internal int[][] ValidTags { get; }

    /// <summary>Words of the validation part not seen in training.</summary>
    public long ValidUnseen => ValidEncoded.Sum(e => e.Seen.Count(s => !s));

    /// <summary>Reads and encodes the corpus; with <paramref name="resumed"/>, its vocabularies are kept and the files must be unchanged.</summary>
    /// <exception cref="DataFormatException">A line that does not parse (file:line:column), a validation tag unseen in training, or too few sentences.</exception>
    public static TaggerTraining Prepare(TaggerSettings settings, TrainedTagger? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var s = settings.Training;
        InputSize.RequireFits(s.Data, "--data");
        var format = new TaggedCorpusFormat(settings.Format ?? Detect(s.Data), settings.Column);
        var sentences = TaggedTextReader.Read(s.Data, format.Format, format.Column).ToList();
        if (sentences.Count == 0) throw new DataFormatException(DataFile.DisplayName(s.Data), 0, "the corpus holds no tagged sentences");
        if (sentences.SelectMany(x => x.Tags).Distinct().Take(2).Count() < 2)
            throw new DataFormatException(DataFile.DisplayName(s.Data), 0, $"the corpus has one tag only ({sentences[0].Tags[0]}); a tagger needs at least two");
        List<TaggedSentence> train, valid;
        var data = new List<DataFingerprint>();
        if (s.Valid is { } validPath)
        {
            InputSize.RequireFits(validPath, "--valid");
            train = sentences;
            valid = TaggedTextReader.Read(validPath, settings.Format ?? Detect(validPath), format.Column).ToList();
            data.Add(DataFingerprint.Of("train", s.Data, train.Count));
            data.Add(DataFingerprint.Of("valid", validPath, valid.Count));
        }
        else
        {
            var order = Enumerable.Range(0, sentences.Count).ToArray();
            new Rng(s.Seed).Shuffle<int>(order);
            int held = (int)Math.Round(sentences.Count * s.ValidFraction, MidpointRounding.AwayFromZero);
            if (held < 1 || held >= sentences.Count)
                throw new DataFormatException(DataFile.DisplayName(s.Data), 0, $"{sentences.Count} sentences are too few to hold out {s.ValidFraction:P0} for validation; give more data or a --valid file");
            var heldSet = order.Take(held).ToHashSet();
            train = [.. Enumerable.Range(0, sentences.Count).Where(i => !heldSet.Contains(i)).Select(i => sentences[i])];
            valid = [.. Enumerable.Range(0, sentences.Count).Where(heldSet.Contains).Select(i => sentences[i])];
            data.Add(DataFingerprint.Of("train+valid", s.Data, sentences.Count));
        }
        valid = s.ValidationSample(valid, DefaultValidSize);
        if (valid.Count == 0) throw new DataFormatException(DataFile.DisplayName(s.Valid ?? s.Data), 0, "the validation corpus holds no tagged sentences");
        if (resumed is not null)
        {
            resumed.Manifest.Training?.RequireUnchangedData();
            return new TaggerTraining(settings, resumed.Format, train, valid, resumed.WordVocabulary, resumed.CharVocabulary, resumed.Tags, data);
        }
        var wordCounts = new TokenCounter();
        foreach (var sentence in train)
            foreach (string w in sentence.Words) wordCounts.Add(settings.Words.Key(settings.Words.Normalize(w)));
        var words = Vocabulary.FromCounts(wordCounts.Counts, new VocabularyOptions { Specials = new SpecialTokens("<pad>", "<unk>", null, null), MaxSize = settings.MaxVocabulary });
        var chars = Spelling.Vocabulary(train.SelectMany(x => x.Words).Select(settings.Words.Normalize), settings.Words.MaxWordLength);
        // The tag set covers the validation part too: a rare tag that only occurs there (a large tag set has a long
        // tail) is a class the model cannot learn, not a reason to refuse the data.
        var tags = LabelEncoder.Fit(train.Concat(valid).SelectMany(x => x.Tags));
        return new TaggerTraining(settings, format, train, valid, words, chars, tags, data);
    }

    private static TaggedFormat Detect(string path) =>
        TaggedTextReader.DetectFormat(path) ?? throw new DataFormatException(DataFile.DisplayName(path), 0, "the file is empty: no tagged sentences");

    /// <inheritdoc />
    public ModelManifest Manifest(TrainingRecord training) =>
        TrainedTagger.BuildManifest(Config, Settings.Words, Format, WordVocabulary, CharVocabulary, Tags, training);

    /// <inheritdoc />
    public TrainingRecord Record(string commandLine) => TrainingRecord.Start(commandLine, Settings, Data);

    /// <inheritdoc />
    public TrainingHistory Run(ModelFolder folder, ModelManifest manifest, IEnumerable<ITrainerCallback> callbacks, Checkpoint? resume, CancellationToken cancel)
    {
        var s = Settings.Training;
        var model = new WordTagger(Config, new Rng(s.Seed));
        int wordPad = WordVocabulary.PadIndex ?? 0, charPad = CharVocabulary.PadIndex ?? 0, unk = WordVocabulary.UnkIndex ?? 0;
        // Word dropout: a word seen once in training is read as <unk> with probability p, so <unk> learns from rare words' contexts.
        var singletons = new bool[WordVocabulary.Count];
        var counts = new int[WordVocabulary.Count];
        foreach (var e in TrainEncoded) foreach (int w in e.Words) counts[w]++;
        for (int w = 0; w < counts.Length; w++) singletons[w] = counts[w] == 1;
        var dropRng = new Rng(s.Seed ^ 0x5EED_D50Bul);
        if (resume?.Rngs.TryGetValue(WordDropoutRng, out var state) == true) dropRng.SetState(state);
        float p = Settings.WordDropout;
        int Replace(int w) => p > 0 && singletons[w] && dropRng.NextDouble() < p ? unk : w;
        var loop = new TaskLoop<TagBatch>(
            new BucketedBatches<TagBatch>(TrainEncoded.Select(e => e.Words.Length).ToArray(), s.BatchSize,
                rows => TagBatch.Make(TrainEncoded, rows, TrainTags, wordPad, charPad, Replace), shuffle: true),
            new BucketedBatches<TagBatch>(ValidEncoded.Select(e => e.Words.Length).ToArray(), s.BatchSize,
                rows => TagBatch.Make(ValidEncoded, rows, ValidTags, wordPad, charPad), shuffle: false),
            (tape, b, o) =>
            {
                var emissions = model.Emissions(tape, b.Words, b.Chars, b.BatchSize, b.Steps, b.Lengths);
                o.Logits = emissions.Value;
                o.Targets = b.Tags;
                o.Count = b.TokenCount;
                return model.Loss(tape, emissions, b.Tags, b.Lengths);
            },
            [new Accuracy()],
            "val_accuracy",
            DefaultEpochs: 20);
        var writer = new ModelFolderWriter(folder, manifest, resume?.History) { BeforeSave = c => c.Rngs[WordDropoutRng] = dropRng.GetState() };
        return TaskFit.Run(model, s, loop, writer, callbacks, resume, cancel);
    }
}
