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
/// <param name="Unknown">Tokens not in the vocabulary (read as &lt;unk&gt;).</param>
/// <param name="Truncated">Tokens cut off beyond MaxLength.</param>
public readonly record struct EncodedText(int[] Tokens, int Unknown, int Truncated);

/// <summary>One prediction: the class index and every class's probability.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probabilities">Softmax over the classes, in label order.</param>
public readonly record struct ClassPrediction(int Label, float[] Probabilities);

/// <summary>A classifier's scores on labelled data and what it met there.</summary>
/// <param name="Report">Accuracy, F1s, confusion matrix.</param>
/// <param name="Tokens">Tokens read.</param>
/// <param name="UnknownTokens">Tokens not in the vocabulary.</param>
/// <param name="TruncatedTexts">Texts cut at MaxLength.</param>
public sealed record ClassifierEvaluation(ClassificationReport Report, long Tokens, long UnknownTokens, long TruncatedTexts);

/// <summary>
/// A trained text classifier (<c>recur train classify</c>): raw text in, a label and class probabilities out, read
/// exactly as in training (normalisation, tokenizer, vocabulary, length limit from model.json).
/// <para>model.json sections: <c>architecture</c> = <see cref="SequenceClassifierConfig"/>; <c>preprocessing</c> =
/// <see cref="TextPreprocessing"/> plus the training file's <c>text_column</c> and <c>label_column</c>;
/// <c>vocabularies</c> = <c>tokens</c> and <c>labels</c> (vocabulary documents).</para>
/// </summary>
public sealed class TrainedClassifier : TrainedModel
{
    private readonly object _gate = new();
    private readonly ITokenizer _tokenizer;

    internal TrainedClassifier(ModelManifest manifest, SequenceClassifier network, TextPreprocessing preprocessing, Vocabulary tokens,
        LabelEncoder labels, ClassifierColumns columns, string source)
        : base(manifest, network, source)
    {
        Network = network;
        Preprocessing = preprocessing;
        Vocabulary = tokens;
        Labels = labels;
        Columns = columns;
        _tokenizer = preprocessing.CreateTokenizer();
    }

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
        Vocabulary tokens, LabelEncoder labels, TrainingRecord? training) => new()
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
        var network = new SequenceClassifier(config, new Rng(0));
        network.LoadSafetensors(folder.WeightsPath);
        return new TrainedClassifier(manifest, network, preprocessing, tokens, labels, columns, folder.Path);
    }

    /// <summary>The tokens of <paramref name="text"/> as the network reads them.</summary>
    public EncodedText Encode(string text) => Encode(_tokenizer, Preprocessing, Vocabulary, text);

    internal static EncodedText Encode(ITokenizer tokenizer, TextPreprocessing preprocessing, Vocabulary vocabulary, string text)
    {
        var words = preprocessing.Tokenize(tokenizer, text);
        int keep = preprocessing.MaxLength > 0 ? Math.Min(words.Count, preprocessing.MaxLength) : words.Count;
        var ids = new int[keep];
        int unknown = 0, unk = vocabulary.UnkIndex ?? 0;
        for (int i = 0; i < keep; i++)
            if (!vocabulary.TryGetIndex(words[i], out ids[i])) { ids[i] = unk; unknown++; }
        return new EncodedText(ids, unknown, words.Count - keep);
    }

    /// <summary>
    /// Classifies <paramref name="texts"/> (in batches of similar length; results in input order).
    /// </summary>
    /// <exception cref="ArgumentException">A text has no tokens (empty or only white space); the message gives its position.</exception>
    public ClassPrediction[] Predict(IReadOnlyList<string> texts, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var encoded = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
        {
            encoded[i] = Encode(texts[i]).Tokens;
            if (encoded[i].Length == 0) throw new ArgumentException($"text {i + 1} has no tokens (it is empty or only white space)", nameof(texts));
        }
        return Predict(encoded, batchSize);
    }

    /// <summary>Classifies already encoded texts (each at least one token), in input order.</summary>
    public ClassPrediction[] Predict(IReadOnlyList<int[]> encoded, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var result = new ClassPrediction[encoded.Count];
        int c = Labels.Count;
        // One forward at a time: the layers keep per-call workspaces.
        lock (_gate)
        {
            var tape = new Tape();
            var batch = new IndexBatch(1, 1, 0);
            foreach (var rows in BatchSampler.Bucketed(encoded.Select(e => e.Length).ToArray(), batchSize, null))
            {
                tape.Reset();
                SequencePadding.Pad(encoded, rows, Vocabulary.PadIndex ?? 0, batch);
                var logits = Network.Logits(tape, batch.Indices, batch.BatchSize, batch.Steps, batch.Lengths).Value;
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

    /// <summary>Scores the classifier on labelled texts.</summary>
    /// <exception cref="DataFormatException">A record's label was not seen in training, or its text has no tokens.</exception>
    public ClassifierEvaluation Evaluate(IReadOnlyList<LabelledText> records, string source)
    {
        ArgumentNullException.ThrowIfNull(records);
        var truth = Labels.Encode(records, source);
        var encoded = new int[records.Count][];
        long tokens = 0, unknown = 0, truncated = 0;
        for (int i = 0; i < records.Count; i++)
        {
            var e = Encode(records[i].Text);
            if (e.Tokens.Length == 0) throw new DataFormatException(source, records[i].Line, "the text has no tokens (it is empty or only white space)");
            encoded[i] = e.Tokens;
            tokens += e.Tokens.Length;
            unknown += e.Unknown;
            if (e.Truncated > 0) truncated++;
        }
        var predicted = Predict(encoded).Select(p => p.Label).ToArray();
        return new ClassifierEvaluation(ClassificationReport.From(Labels.Classes, truth, predicted), tokens, unknown, truncated);
    }
}

/// <summary>The columns (CSV/TSV header names or JSON keys) a classifier was trained from.</summary>
/// <param name="Text">The text column.</param>
/// <param name="Label">The label column.</param>
public sealed record ClassifierColumns(string Text, string Label);
