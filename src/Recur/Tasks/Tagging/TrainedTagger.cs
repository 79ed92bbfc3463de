using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tasks.Tagging;

/// <summary>A sentence as the tagger reads it.</summary>
/// <param name="Words">Word-vocabulary indices (unknown words: &lt;unk&gt;).</param>
/// <param name="Chars">Each word's character indices (at least one each).</param>
/// <param name="Seen">Whether each word's key is in the vocabulary (was seen in training).</param>
public sealed record EncodedSentence(int[] Words, int[][] Chars, bool[] Seen);

/// <summary>
/// A trained sequence tagger (<c>recur train tag</c>): words in, one tag per word out, each word read as in training
/// (normalisation, embedding key, spelling).
/// <para>model.json sections: <c>architecture</c> = <see cref="WordTaggerConfig"/>; <c>preprocessing</c> =
/// <c>words</c> (<see cref="WordPreprocessing"/>), <c>format</c> and <c>column</c> of the training corpus;
/// <c>vocabularies</c> = <c>words</c>, <c>chars</c>, <c>tags</c>.</para>
/// </summary>
public sealed class TrainedTagger : TrainedModel
{
    private readonly object _gate = new();

    internal TrainedTagger(ModelManifest manifest, WordTagger network, WordPreprocessing words, Vocabulary wordVocabulary, Vocabulary chars,
        LabelEncoder tags, TaggedCorpusFormat format, string source)
        : base(manifest, network, source)
    {
        Network = network;
        Words = words;
        WordVocabulary = wordVocabulary;
        CharVocabulary = chars;
        Tags = tags;
        Format = format;
    }

    /// <summary>The network.</summary>
    public new WordTagger Network { get; }

    /// <summary>How words are read.</summary>
    public WordPreprocessing Words { get; }

    /// <summary>Embedding keys.</summary>
    public Vocabulary WordVocabulary { get; }

    /// <summary>Characters of the spelling network.</summary>
    public Vocabulary CharVocabulary { get; }

    /// <summary>The tag set.</summary>
    public LabelEncoder Tags { get; }

    /// <summary>The training corpus's format (the default for evaluation files).</summary>
    public TaggedCorpusFormat Format { get; }

    internal static ModelManifest BuildManifest(WordTaggerConfig config, WordPreprocessing words, TaggedCorpusFormat format,
        Vocabulary wordVocabulary, Vocabulary chars, LabelEncoder tags, TrainingRecord? training) => new()
        {
            Kind = TaskKind.Tag,
            Architecture = (JsonObject)ModelManifest.ToNode(config),
            Preprocessing = new JsonObject { ["words"] = ModelManifest.ToNode(words), ["corpus"] = ModelManifest.ToNode(format) },
            Vocabularies = new JsonObject
            {
                ["words"] = ModelManifest.ToNode(wordVocabulary.ToDocument()),
                ["chars"] = ModelManifest.ToNode(chars.ToDocument()),
                ["tags"] = ModelManifest.ToNode(tags.Vocabulary.ToDocument()),
            },
            Training = training,
        };

    internal static TrainedTagger Load(ModelFolder folder, ModelManifest manifest)
    {
        string source = folder.ManifestPath;
        var config = ModelManifest.Read<WordTaggerConfig>(manifest.Architecture, "architecture", source);
        var words = ModelManifest.Read<WordPreprocessing>(manifest.Preprocessing["words"], "preprocessing.words", source);
        var format = ModelManifest.Read<TaggedCorpusFormat>(manifest.Preprocessing["corpus"], "preprocessing.corpus", source);
        var wordVocabulary = ModelManifest.ReadVocabulary(manifest.Vocabularies["words"], "vocabularies.words", source);
        var chars = ModelManifest.ReadVocabulary(manifest.Vocabularies["chars"], "vocabularies.chars", source);
        var tags = new LabelEncoder(ModelManifest.ReadVocabulary(manifest.Vocabularies["tags"], "vocabularies.tags", source));
        if (wordVocabulary.Count != config.WordVocabSize || chars.Count != config.CharVocabSize || tags.Count != config.Tags)
            throw new InvalidDataException($"{source}: the vocabularies ({wordVocabulary.Count} words, {chars.Count} characters, {tags.Count} tags) do not match the architecture ({config.WordVocabSize}, {config.CharVocabSize}, {config.Tags})");
        var network = new WordTagger(config, new Rng(0));
        network.LoadSafetensors(folder.WeightsPath);
        return new TrainedTagger(manifest, network, words, wordVocabulary, chars, tags, format, folder.Path);
    }

    /// <summary>A sentence's words as the network reads them.</summary>
    public EncodedSentence Encode(IReadOnlyList<string> words) => Encode(Words, WordVocabulary, CharVocabulary, words);

    internal static EncodedSentence Encode(WordPreprocessing pre, Vocabulary wordVocabulary, Vocabulary chars, IReadOnlyList<string> words)
    {
        int n = words.Count, unk = wordVocabulary.UnkIndex ?? 0;
        var ids = new int[n];
        var spelled = new int[n][];
        var seen = new bool[n];
        for (int i = 0; i < n; i++)
        {
            string word = pre.Normalize(words[i]);
            seen[i] = wordVocabulary.TryGetIndex(pre.Key(word), out ids[i]);
            if (!seen[i]) ids[i] = unk;
            spelled[i] = Spelling.Encode(word, chars, pre.MaxWordLength);
        }
        return new EncodedSentence(ids, spelled, seen);
    }

    /// <summary>Tags each sentence (results in input order, one tag per word).</summary>
    /// <exception cref="ArgumentException">A sentence has no words.</exception>
    public string[][] Tag(IReadOnlyList<IReadOnlyList<string>> sentences, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var encoded = new EncodedSentence[sentences.Count];
        for (int i = 0; i < sentences.Count; i++)
        {
            if (sentences[i].Count == 0) throw new ArgumentException($"sentence {i + 1} has no words", nameof(sentences));
            encoded[i] = Encode(sentences[i]);
        }
        return [.. Predict(encoded, batchSize).Select(tags => tags.Select(Tags.Decode).ToArray())];
    }

    /// <summary>Tag indices for encoded sentences, in input order.</summary>
    public int[][] Predict(IReadOnlyList<EncodedSentence> encoded, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var result = new int[encoded.Count][];
        lock (_gate) // one forward at a time: the layers keep per-call workspaces
        {
            var tape = new Tape();
            foreach (var rows in BatchSampler.Bucketed(encoded.Select(e => e.Words.Length).ToArray(), batchSize, null))
            {
                tape.Reset();
                var b = TagBatch.Make(encoded, rows, null, WordVocabulary.PadIndex ?? 0, CharVocabulary.PadIndex ?? 0);
                var emissions = Network.Emissions(tape, b.Words, b.Chars, b.BatchSize, b.Steps, b.Lengths);
                var tags = new int[b.BatchSize * b.Steps];
                Network.Decode(emissions.Value, b.Lengths, tags);
                for (int k = 0; k < rows.Length; k++) result[rows[k]] = tags.AsSpan(k * b.Steps, b.Lengths[k]).ToArray();
            }
        }
        return result;
    }

    /// <summary>Scores the tagger on a gold-tagged corpus; a gold tag the model does not know is scored as an error (and listed).</summary>
    public TaggingReport Evaluate(IReadOnlyList<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var encoded = sentences.Select(s => Encode(s.Words)).ToList();
        var predicted = Predict(encoded);
        return new TaggingReport(Tags.Classes, [.. sentences.Select(s => s.Tags)],
            [.. predicted.Select(p => p.Select(Tags.Decode).ToArray())], [.. encoded.Select(e => e.Seen)]);
    }

    /// <summary>Tag indices of <paramref name="sentences"/>; a tag outside the tag set is <paramref name="unknown"/>.</summary>
    internal static int[][] GoldTags(LabelEncoder tags, IReadOnlyList<TaggedSentence> sentences, int unknown = -100) =>
        [.. sentences.Select(s => s.Tags.Select(t => tags.Vocabulary.TryGetIndex(t, out int k) ? k : unknown).ToArray())];
}

/// <summary>How the training corpus was read: its format and, for CoNLL-U, the tag column.</summary>
/// <param name="Format">Slash-tagged, CoNLL-U or two-column CoNLL.</param>
/// <param name="Column">The CoNLL-U tag column.</param>
public sealed record TaggedCorpusFormat(TaggedFormat Format, ConlluTagColumn Column = ConlluTagColumn.Upos);

/// <summary>One padded batch of sentences for the tagger.</summary>
internal sealed class TagBatch
{
    public int BatchSize, Steps, TokenCount;
    public int[] Words = [], Lengths = [], Tags = [];
    public CharBatch Chars;

    /// <summary>
    /// Pads <paramref name="rows"/> of <paramref name="sentences"/>: words [B, T], their characters, sentence lengths
    /// [B], and with <paramref name="gold"/> the tags [B·T] (-100 at padding). <paramref name="replace"/> may substitute
    /// a word index (word dropout in training).
    /// </summary>
    public static TagBatch Make(IReadOnlyList<EncodedSentence> sentences, int[] rows, IReadOnlyList<int[]>? gold, int wordPad, int charPad, Func<int, int>? replace = null)
    {
        int b = rows.Length, t = 0;
        foreach (int r in rows) t = Math.Max(t, sentences[r].Words.Length);
        var batch = new TagBatch
        {
            BatchSize = b, Steps = t, Words = new int[b * t], Lengths = new int[b], Tags = new int[b * t],
            Chars = CharBatch.Pad(r => sentences[r].Chars, rows, t, charPad),
        };
        Array.Fill(batch.Words, wordPad);
        Array.Fill(batch.Tags, -100);
        for (int k = 0; k < b; k++)
        {
            var s = sentences[rows[k]];
            batch.Lengths[k] = s.Words.Length;
            batch.TokenCount += s.Words.Length;
            for (int i = 0; i < s.Words.Length; i++)
            {
                batch.Words[k * t + i] = replace is null ? s.Words[i] : replace(s.Words[i]);
                if (gold is not null) batch.Tags[k * t + i] = gold[rows[k]][i];
            }
        }
        return batch;
    }
}
