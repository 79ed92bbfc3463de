using System.Text.Json.Nodes;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.IO.Checkpoints;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tasks.Seq2Seq;

/// <summary>What to do with a source longer than the longest the model was trained on.</summary>
public enum TooLongSource
{
    /// <summary>Keep its first MaxSourceLength tokens (and count it).</summary>
    Truncate,

    /// <summary>Stop with an error naming the record.</summary>
    Refuse,
}

/// <summary>A source as the encoder reads it.</summary>
/// <param name="Tokens">Source vocabulary indices (unknown tokens read as &lt;unk&gt;).</param>
/// <param name="Unknown">The tokens not in the source vocabulary, in order.</param>
/// <param name="Truncated">Tokens cut off beyond the limit.</param>
public readonly record struct EncodedSource(int[] Tokens, IReadOnlyList<string> Unknown, int Truncated);

/// <summary>One output for a source.</summary>
/// <param name="Output">The target text (characters concatenated, words joined by a space).</param>
/// <param name="Hypothesis">The decoded tokens, scores and attention weights.</param>
public sealed record TranslationCandidate(string Output, BeamHypothesis Hypothesis);

/// <summary>A sequence-to-sequence model's scores on pairs and what it met there.</summary>
/// <param name="Scores">exact match, CER, WER, PER, BLEU, chrF.</param>
/// <param name="Pairs">Pairs read.</param>
/// <param name="Sources">Distinct sources scored (their references grouped).</param>
/// <param name="SourceTokens">Source tokens read.</param>
/// <param name="UnknownTokens">Source tokens not in the vocabulary, by token.</param>
/// <param name="Truncated">Sources cut at the model's longest source.</param>
/// <param name="Examples">The first outputs with their references, for people.</param>
public sealed record Seq2SeqEvaluation(SequenceScores Scores, int Pairs, int Sources, long SourceTokens, IReadOnlyDictionary<string, int> UnknownTokens,
    int Truncated, IReadOnlyList<(string Source, string Output, IReadOnlyList<string> References)> Examples);

/// <summary>
/// A trained sequence-to-sequence model (<c>recur train seq2seq</c>): source text in, target text out by greedy or beam
/// decoding, read exactly as in training (normalisation, token units, vocabularies from model.json).
/// <para>model.json sections: <c>architecture</c> = <see cref="EncoderDecoderConfig"/>; <c>preprocessing</c> =
/// <c>pairs</c> (<see cref="PairPreprocessing"/>) and <c>columns</c> (<see cref="PairColumns"/>, absent for plain
/// pairs); <c>vocabularies</c> = <c>source</c> and <c>target</c> (with &lt;bos&gt; and &lt;eos&gt;).</para>
/// </summary>
public sealed class TrainedSeq2Seq : TrainedModel
{
    private readonly object _gate = new();

    internal TrainedSeq2Seq(ModelManifest manifest, EncoderDecoder network, PairPreprocessing preprocessing, Vocabulary source, Vocabulary target,
        PairColumns? columns, string path)
        : base(manifest, network, path)
    {
        Network = network;
        Preprocessing = preprocessing;
        SourceVocabulary = source;
        TargetVocabulary = target;
        Columns = columns;
    }

    /// <summary>The network.</summary>
    public new EncoderDecoder Network { get; }

    /// <summary>How each side becomes tokens; MaxSourceLength and MaxTargetLength are the longest of training.</summary>
    public PairPreprocessing Preprocessing { get; }

    /// <summary>The source tokens.</summary>
    public Vocabulary SourceVocabulary { get; }

    /// <summary>The target tokens (with &lt;bos&gt; and &lt;eos&gt;).</summary>
    public Vocabulary TargetVocabulary { get; }

    /// <summary>The columns of the training file, or null for plain pairs.</summary>
    public PairColumns? Columns { get; }

    /// <summary>The default output limit: twice the longest training target plus 10 tokens.</summary>
    public int DefaultMaxSteps => 2 * Math.Max(1, Preprocessing.MaxTargetLength) + 10;

    internal static ModelManifest BuildManifest(EncoderDecoderConfig config, PairPreprocessing preprocessing, PairColumns? columns,
        Vocabulary source, Vocabulary target, TrainingRecord? training)
    {
        var manifest = new ModelManifest
        {
            Kind = TaskKind.Seq2Seq,
            Architecture = (JsonObject)ModelManifest.ToNode(config),
            Preprocessing = new JsonObject { ["pairs"] = ModelManifest.ToNode(preprocessing) },
            Vocabularies = new JsonObject
            {
                ["source"] = ModelManifest.ToNode(source.ToDocument()),
                ["target"] = ModelManifest.ToNode(target.ToDocument()),
            },
            Training = training,
        };
        if (columns is not null) manifest.Preprocessing["columns"] = ModelManifest.ToNode(columns);
        return manifest;
    }

    internal static TrainedSeq2Seq Load(ModelFolder folder, ModelManifest manifest)
    {
        string path = folder.ManifestPath;
        var config = ModelManifest.Read<EncoderDecoderConfig>(manifest.Architecture, "architecture", path);
        var preprocessing = ModelManifest.Read<PairPreprocessing>(manifest.Preprocessing["pairs"], "preprocessing.pairs", path);
        var columns = manifest.Preprocessing["columns"] is { } c ? ModelManifest.Read<PairColumns>(c, "preprocessing.columns", path) : null;
        var source = ModelManifest.ReadVocabulary(manifest.Vocabularies["source"], "vocabularies.source", path);
        var target = ModelManifest.ReadVocabulary(manifest.Vocabularies["target"], "vocabularies.target", path);
        if (source.Count != config.SourceVocab) throw new InvalidDataException($"{path}: the source vocabulary has {source.Count} entries but the architecture {config.SourceVocab}");
        if (target.Count != config.TargetVocab) throw new InvalidDataException($"{path}: the target vocabulary has {target.Count} entries but the architecture {config.TargetVocab}");
        if (target.BosIndex is null || target.EosIndex is null) throw new InvalidDataException($"{path}: the target vocabulary has no <bos> or <eos>");
        var network = new EncoderDecoder(config, new Rng(0));
        network.LoadSafetensors(folder.WeightsPath);
        return new TrainedSeq2Seq(manifest, network, preprocessing, source, target, columns, folder.Path);
    }

    /// <summary>The source tokens of <paramref name="text"/>, cut at <paramref name="maxLength"/> when given.</summary>
    public EncodedSource EncodeSource(string text, int maxLength = 0) => EncodeSource(Preprocessing, SourceVocabulary, text, maxLength);

    internal static EncodedSource EncodeSource(PairPreprocessing preprocessing, Vocabulary vocabulary, string text, int maxLength)
    {
        var tokens = preprocessing.Source(text);
        int keep = maxLength > 0 ? Math.Min(maxLength, tokens.Count) : tokens.Count;
        var ids = new int[keep];
        List<string>? unknown = null;
        int unk = vocabulary.UnkIndex ?? 0;
        for (int i = 0; i < keep; i++)
            if (!vocabulary.TryGetIndex(tokens[i], out ids[i])) { ids[i] = unk; (unknown ??= []).Add(tokens[i]); }
        return new EncodedSource(ids, (IReadOnlyList<string>?)unknown ?? [], tokens.Count - keep);
    }

    /// <summary>
    /// Decodes sources (each at least one token), in batches of similar length, results in input order: per source up
    /// to <see cref="BeamOptions.NBest"/> candidates, best first.
    /// </summary>
    public TranslationCandidate[][] Translate(IReadOnlyList<EncodedSource> sources, BeamOptions options, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var result = new TranslationCandidate[sources.Count][];
        int bos = TargetVocabulary.BosIndex!.Value, eos = TargetVocabulary.EosIndex!.Value, pad = SourceVocabulary.PadIndex ?? 0;
        var tokens = sources.Select(s => s.Tokens).ToArray();
        for (int i = 0; i < tokens.Length; i++)
            if (tokens[i].Length == 0) throw new ArgumentException($"source {i + 1} has no tokens", nameof(sources));
        lock (_gate)
        {
            foreach (var rows in BatchSampler.Bucketed(tokens.Select(t => t.Length).ToArray(), batchSize, null))
            {
                var batch = SequencePadding.Pad(tokens, rows, pad);
                var decoded = options.BeamSize == 1
                    ? Network.Greedy(batch.Indices, batch.BatchSize, batch.Steps, batch.Lengths, bos, eos, options.MaxSteps, options.LengthPenalty).Select(h => new[] { h }).ToArray()
                    : Network.BeamSearch(batch.Indices, batch.BatchSize, batch.Steps, batch.Lengths, bos, eos, options);
                for (int k = 0; k < rows.Length; k++)
                    result[rows[k]] = [.. decoded[k].Select(h => new TranslationCandidate(Preprocessing.JoinTarget(TargetVocabulary.Decode(h.Tokens)), h))];
            }
        }
        return result;
    }

    /// <summary>
    /// Scores the model on pairs: pairs with the same source are one source with several references (a dictionary's
    /// variants); each distinct source is decoded once and scored against all its references.
    /// </summary>
    /// <param name="pairs">Labelled pairs.</param>
    /// <param name="options">Decoding.</param>
    /// <param name="tooLong">A source longer than the longest of training: cut it, or stop.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="examples">How many outputs to keep for showing.</param>
    /// <exception cref="DataFormatException">A source with no tokens, or too long under <see cref="TooLongSource.Refuse"/>.</exception>
    public Seq2SeqEvaluation Evaluate(IReadOnlyList<SentencePair> pairs, BeamOptions options, TooLongSource tooLong, string file, int examples = 10)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        var sources = new List<(string Text, long Line)>();
        var references = new List<List<string>>();
        foreach (var p in pairs)
        {
            if (!groups.TryGetValue(p.Source, out int g))
            {
                groups[p.Source] = g = sources.Count;
                sources.Add((p.Source, p.Line));
                references.Add([]);
            }
            string reference = Preprocessing.CanonicalTarget(p.Target);
            if (!references[g].Contains(reference)) references[g].Add(reference);
        }
        var encoded = new EncodedSource[sources.Count];
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        long tokens = 0;
        int truncated = 0;
        for (int i = 0; i < sources.Count; i++)
        {
            encoded[i] = EncodeChecked(sources[i].Text, tooLong, file, sources[i].Line);
            tokens += encoded[i].Tokens.Length;
            foreach (var u in encoded[i].Unknown) unknown[u] = unknown.GetValueOrDefault(u) + 1;
            if (encoded[i].Truncated > 0) truncated++;
        }
        var outputs = Translate(encoded, options with { NBest = 1 });
        var scores = new SequenceScores(Preprocessing.TargetTokens);
        for (int i = 0; i < sources.Count; i++) scores.Add(outputs[i][0].Output, references[i]);
        var shown = Enumerable.Range(0, Math.Min(examples, sources.Count))
            .Select(i => (sources[i].Text, outputs[i][0].Output, (IReadOnlyList<string>)references[i])).ToList();
        return new Seq2SeqEvaluation(scores, pairs.Count, sources.Count, tokens, unknown, truncated, shown);
    }

    /// <summary>Encodes a source of a file, applying the length policy; errors name the file and line.</summary>
    /// <exception cref="DataFormatException">No tokens, or too long under <see cref="TooLongSource.Refuse"/>.</exception>
    public EncodedSource EncodeChecked(string text, TooLongSource tooLong, string file, long line)
    {
        int limit = Preprocessing.MaxSourceLength;
        var e = EncodeSource(text, tooLong == TooLongSource.Truncate ? limit : 0);
        if (e.Tokens.Length == 0) throw new DataFormatException(file, line, "the source has no tokens");
        if (tooLong == TooLongSource.Refuse && limit > 0 && e.Tokens.Length > limit)
            throw new DataFormatException(file, line, $"the source has {e.Tokens.Length} tokens, more than the longest the model was trained on ({limit}); pass --too-long truncate to keep its first {limit}");
        return e;
    }
}
