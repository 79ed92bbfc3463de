using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Kernels;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tasks.Classification;

/// <summary>A text as the classifier reads it.</summary>
/// <param name="Tokens">Vocabulary indices, at most MaxLength.</param>
/// <param name="Chars">Each token's character indices for the spelling network, or null without one.</param>
/// <param name="Unknown">Tokens not in the vocabulary (read as &lt;unk&gt;).</param>
/// <param name="Truncated">Tokens cut off beyond MaxLength.</param>
public readonly record struct EncodedText(int[] Tokens, int[][]? Chars, int Unknown, int Truncated);

/// <summary>One prediction: the class index and every class's probability.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probabilities">Softmax over the classes, in label order.</param>
public readonly record struct ClassPrediction(int Label, float[] Probabilities);

/// <summary>A classifier's scores on labelled data and what it met there.</summary>
/// <param name="Report">Accuracy, F1s, confusion matrix.</param>
/// <param name="Tokens">Tokens read.</param>
/// <param name="UnknownTokens">Tokens not in the vocabulary.</param>
/// <param name="TruncatedTexts">Texts cut at MaxLength.</param>
/// <param name="UnknownLabels">Labels of the data the model does not know (their records count as errors).</param>
public sealed record ClassifierEvaluation(ClassificationReport Report, long Tokens, long UnknownTokens, long TruncatedTexts, IReadOnlyList<string> UnknownLabels);

/// <summary>
/// A trained text classifier (<c>recur train classify</c>): raw text in, a label and class probabilities out, read
/// exactly as in training (normalisation, tokenizer, vocabulary, length limit from model.json).
/// <para>model.json sections: <c>architecture</c> = <see cref="SequenceClassifierConfig"/>; <c>preprocessing</c> =
/// <c>text</c> (<see cref="TextPreprocessing"/>), <c>columns</c> of the training file and, with a spelling network,
/// <c>max_word_length</c>; <c>vocabularies</c> = <c>tokens</c>, <c>labels</c> and, with a spelling network, <c>chars</c>.</para>
/// </summary>
public sealed class TrainedClassifier : TrainedModel
{
    private readonly object _gate = new();
    private readonly ITokenizer _tokenizer;

    internal TrainedClassifier(ModelManifest manifest, SequenceClassifier network, TextPreprocessing preprocessing, Vocabulary tokens,
        LabelEncoder labels, ClassifierColumns columns, Spelled? spelling, string source)
        : base(manifest, network, source)
    {
        Network = network;
        Preprocessing = preprocessing;
        Vocabulary = tokens;
        Labels = labels;
        Columns = columns;
        Spelling = spelling;
        _tokenizer = preprocessing.CreateTokenizer();
    }

    /// <summary>The spelling network's characters and word length, or null without one.</summary>
    public Spelled? Spelling { get; }

    /// <summary>The network.</summary>
    public new SequenceClassifier Network { get; }

    /// <summary>How text becomes tokens.</summary>
    public TextPreprocessing Preprocessing { get; }

    /// <summary>The token vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The classes.</summary>
    public LabelEncoder Labels { get; }

    /// <summary>The text and label columns of the training file (the defaults when reading new files).</summary>
    public ClassifierColumns Columns { get; }

    /// <summary>The manifest sections of a classifier (shared by training and loading so they are written and read in one place).</summary>
    internal static ModelManifest BuildManifest(SequenceClassifierConfig config, TextPreprocessing preprocessing, ClassifierColumns columns,
        Vocabulary tokens, LabelEncoder labels, Spelled? spelling, TrainingRecord? training)
    {
        var manifest = new ModelManifest
        {
            Kind = TaskKind.Classify,
            Architecture = (JsonObject)ModelManifest.ToNode(config),
            Preprocessing = new JsonObject
            {
                ["text"] = ModelManifest.ToNode(preprocessing),
                ["columns"] = ModelManifest.ToNode(columns),
            },
            Vocabularies = new JsonObject
            {
                ["tokens"] = ModelManifest.ToNode(tokens.ToDocument()),
                ["labels"] = ModelManifest.ToNode(labels.Vocabulary.ToDocument()),
            },
            Training = training,
        };
        if (spelling is not null)
        {
            manifest.Preprocessing["max_word_length"] = spelling.MaxWordLength;
            manifest.Vocabularies["chars"] = ModelManifest.ToNode(spelling.Chars.ToDocument());
        }
        return manifest;
    }

    /// <summary>Rebuilds the classifier of a model folder.</summary>
    internal static TrainedClassifier Load(ModelFolder folder, ModelManifest manifest)
    {
        string source = folder.ManifestPath;
        var config = ModelManifest.Read<SequenceClassifierConfig>(manifest.Architecture, "architecture", source);
        var preprocessing = ModelManifest.Read<TextPreprocessing>(manifest.Preprocessing["text"], "preprocessing.text", source);
        var columns = ModelManifest.Read<ClassifierColumns>(manifest.Preprocessing["columns"], "preprocessing.columns", source);
        var tokens = ModelManifest.ReadVocabulary(manifest.Vocabularies["tokens"], "vocabularies.tokens", source);
        var labels = new LabelEncoder(ModelManifest.ReadVocabulary(manifest.Vocabularies["labels"], "vocabularies.labels", source));
        if (tokens.Count != config.VocabSize) throw new InvalidDataException($"{source}: the token vocabulary has {tokens.Count} entries but the architecture {config.VocabSize}");
        if (labels.Count != config.Classes) throw new InvalidDataException($"{source}: {labels.Count} labels but the architecture has {config.Classes} classes");
        Spelled? spelling = null;
        if (config.CharHiddenSize > 0)
        {
            var chars = ModelManifest.ReadVocabulary(manifest.Vocabularies["chars"], "vocabularies.chars", source);
            if (chars.Count != config.CharVocabSize) throw new InvalidDataException($"{source}: {chars.Count} characters but the architecture has {config.CharVocabSize}");
            spelling = new Spelled(chars, ModelManifest.Read<int>(manifest.Preprocessing["max_word_length"], "preprocessing.max_word_length", source));
        }
        var network = new SequenceClassifier(config, new Rng(0));
        network.LoadSafetensors(folder.WeightsPath);
        return new TrainedClassifier(manifest, network, preprocessing, tokens, labels, columns, spelling, folder.Path);
    }

    /// <summary>The tokens of <paramref name="text"/> as the network reads them.</summary>
    public EncodedText Encode(string text) => Encode(_tokenizer, Preprocessing, Vocabulary, Spelling, text);

    internal static EncodedText Encode(ITokenizer tokenizer, TextPreprocessing preprocessing, Vocabulary vocabulary, Spelled? spelling, string text)
    {
        var words = preprocessing.Tokenize(tokenizer, text);
        int keep = preprocessing.MaxLength > 0 ? Math.Min(words.Count, preprocessing.MaxLength) : words.Count;
        var ids = new int[keep];
        int unknown = 0, unk = vocabulary.UnkIndex ?? 0;
        for (int i = 0; i < keep; i++)
            if (!vocabulary.TryGetIndex(words[i], out ids[i])) { ids[i] = unk; unknown++; }
        int[][]? chars = spelling is null ? null : [.. words.Take(keep).Select(w => Tasks.Spelling.Encode(w, spelling.Chars, spelling.MaxWordLength))];
        return new EncodedText(ids, chars, unknown, words.Count - keep);
    }

    /// <summary>
    /// Classifies <paramref name="texts"/> (in batches of similar length; results in input order).
    /// </summary>
    /// <exception cref="ArgumentException">A text has no tokens (empty or only white space); the message gives its position.</exception>
    public ClassPrediction[] Predict(IReadOnlyList<string> texts, int batchSize = 64) => Predict(EncodeAll(texts, 0), batchSize);

    /// <summary>
    /// Classifies a stream of texts lazily, <paramref name="block"/> at a time, in input order: memory depends on the
    /// block, not on the input, so a file of any size can be classified as it is read.
    /// </summary>
    /// <exception cref="ArgumentException">A text has no tokens; the message gives its position in the stream.</exception>
    public IEnumerable<ClassPrediction> PredictStream(IEnumerable<string> texts, int block = 512)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        long done = 0;
        foreach (var chunk in texts.Chunk(block))
        {
            foreach (var p in Predict(EncodeAll(chunk, done))) yield return p;
            done += chunk.Length;
        }
    }

    // The texts encoded; one without tokens is an error numbered from offset + 1.
    private EncodedText[] EncodeAll(IReadOnlyList<string> texts, long offset)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = new EncodedText[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            encoded[i] = Encode(texts[i]);
            if (encoded[i].Tokens.Length == 0) throw new ArgumentException($"text {offset + i + 1} has no tokens (it is empty or only white space)", nameof(texts));
        }
        return encoded;
    }

    /// <summary>Classifies already encoded texts (each at least one token), in input order.</summary>
    public ClassPrediction[] Predict(IReadOnlyList<EncodedText> encoded, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var result = new ClassPrediction[encoded.Count];
        int c = Labels.Count;
        // One forward at a time: the layers keep per-call workspaces.
        lock (_gate)
        {
            var tape = new Tape();
            var batch = new IndexBatch(1, 1, 0);
            var tokens = encoded.Select(e => e.Tokens).ToArray();
            foreach (var rows in BatchSampler.Bucketed(tokens.Select(e => e.Length).ToArray(), batchSize, null))
            {
                tape.Reset();
                SequencePadding.Pad(tokens, rows, Vocabulary.PadIndex ?? 0, batch);
                var chars = Spelling is null ? (CharBatch?)null : CharBatch.Pad(r => encoded[r].Chars!, rows, batch.Steps, Spelling.Chars.PadIndex ?? 0);
                var logits = Network.Logits(tape, batch.Indices, batch.BatchSize, batch.Steps, batch.Lengths, chars).Value;
                for (int k = 0; k < rows.Length; k++)
                {
                    var p = new float[c];
                    Softmax.Forward(logits.Span.Slice(k * c, c), p, 1, c);
                    int best = 0;
                    for (int j = 1; j < c; j++) if (p[j] > p[best]) best = j;
                    result[rows[k]] = new ClassPrediction(best, p);
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Scores the classifier on labelled texts. A label the model does not know is scored as an error, with its own row
    /// of the confusion matrix after the model's classes.
    /// </summary>
    /// <exception cref="DataFormatException">A text has no tokens.</exception>
    public ClassifierEvaluation Evaluate(IReadOnlyList<LabelledText> records, string source)
    {
        ArgumentNullException.ThrowIfNull(records);
        var names = Labels.Classes.ToList();
        var truth = new int[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            if (Labels.Vocabulary.TryGetIndex(records[i].Label, out truth[i])) continue;
            truth[i] = names.IndexOf(records[i].Label);
            if (truth[i] < 0) { names.Add(records[i].Label); truth[i] = names.Count - 1; }
        }
        var encoded = new EncodedText[records.Count];
        long tokens = 0, unknown = 0, truncated = 0;
        for (int i = 0; i < records.Count; i++)
        {
            var e = Encode(records[i].Text);
            if (e.Tokens.Length == 0) throw new DataFormatException(source, records[i].Line, "the text has no tokens (it is empty or only white space)");
            encoded[i] = e;
            tokens += e.Tokens.Length;
            unknown += e.Unknown;
            if (e.Truncated > 0) truncated++;
        }
        var predicted = Predict(encoded).Select(p => p.Label).ToArray();
        return new ClassifierEvaluation(ClassificationReport.From(names, truth, predicted), tokens, unknown, truncated, names.Skip(Labels.Count).ToList());
    }
}

/// <summary>The spelling network's input: its characters and how many of a word it reads.</summary>
/// <param name="Chars">The character vocabulary (padding and &lt;unk&gt; first).</param>
/// <param name="MaxWordLength">Characters read per word (<see cref="Tasks.Spelling.Characters"/>).</param>
public sealed record Spelled(Vocabulary Chars, int MaxWordLength);

/// <summary>The columns (CSV/TSV header names or JSON keys) a classifier was trained from.</summary>
/// <param name="Text">The text column.</param>
/// <param name="Label">The label column.</param>
public sealed record ClassifierColumns(string Text, string Label);
