using Recur.Tasks.Classification;

namespace Recur.Tasks.Tagging;

/// <summary>
/// How well predicted tags match gold ones: token accuracy, accuracy on words not seen in training, per-tag precision,
/// recall and F1, and for chunk tag sets (BIO and relatives) exact-span precision, recall and F1 as conlleval computes them.
/// </summary>
public sealed class TaggingReport
{
    /// <summary>Builds the report from tag names.</summary>
    /// <param name="tags">The model's tag set, in index order (gold tags outside it are scored as errors and listed after it).</param>
    /// <param name="gold">Gold tags of each sentence.</param>
    /// <param name="predicted">Predicted tags, the same shape.</param>
    /// <param name="seen">Whether each word was seen in training, the same shape.</param>
    public TaggingReport(IReadOnlyList<string> tags, IReadOnlyList<string[]> gold, IReadOnlyList<string[]> predicted, IReadOnlyList<bool[]> seen)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(seen);
        if (predicted.Count != gold.Count || seen.Count != gold.Count)
            throw new ArgumentException($"{gold.Count} gold sentences, {predicted.Count} predicted, {seen.Count} seen flags");
        var names = tags.ToList();
        var index = names.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        int Index(string tag)
        {
            if (index.TryGetValue(tag, out int i)) return i;
            names.Add(tag);
            return index[tag] = names.Count - 1;
        }
        var allGold = new List<int>();
        var allPredicted = new List<int>();
        long unseen = 0, unseenCorrect = 0, goldSpans = 0, guessedSpans = 0, correctSpans = 0;
        bool chunks = BioSpans.IsChunkTagSet(tags);
        for (int s = 0; s < gold.Count; s++)
        {
            if (predicted[s].Length != gold[s].Length || seen[s].Length != gold[s].Length)
                throw new ArgumentException($"sentence {s}: {gold[s].Length} gold tags, {predicted[s].Length} predicted, {seen[s].Length} seen flags");
            for (int i = 0; i < gold[s].Length; i++)
            {
                allGold.Add(Index(gold[s][i]));
                allPredicted.Add(Index(predicted[s][i]));
                if (!seen[s][i]) { unseen++; if (gold[s][i] == predicted[s][i]) unseenCorrect++; }
            }
            if (!chunks) continue;
            var g = BioSpans.Spans(gold[s]);
            var p = BioSpans.Spans(predicted[s]);
            goldSpans += g.Count;
            guessedSpans += p.Count;
            correctSpans += p.Intersect(g).Count();
        }
        UnknownTags = names.Skip(tags.Count).ToList();
        UnknownTagTokens = UnknownTags.Count == 0 ? 0 : allGold.Count(g => g >= tags.Count);
        PerTag = ClassificationReport.From(names, allGold.ToArray(), allPredicted.ToArray());
        Tokens = allGold.Count;
        UnseenTokens = unseen;
        AccuracyUnseen = unseen == 0 ? double.NaN : (double)unseenCorrect / unseen;
        if (chunks)
        {
            SpanPrecision = guessedSpans == 0 ? 0 : (double)correctSpans / guessedSpans;
            SpanRecall = goldSpans == 0 ? 0 : (double)correctSpans / goldSpans;
            SpanF1 = SpanPrecision + SpanRecall == 0 ? 0 : 2 * SpanPrecision * SpanRecall / (SpanPrecision + SpanRecall);
        }
    }

    /// <summary>Gold tags that are not in the model's tag set (each of their tokens is an error).</summary>
    public IReadOnlyList<string> UnknownTags { get; }

    /// <summary>Tokens whose gold tag is not in the model's tag set.</summary>
    public long UnknownTagTokens { get; }

    /// <summary>Tokens scored.</summary>
    public long Tokens { get; }

    /// <summary>Fraction of tokens tagged right.</summary>
    public double Accuracy => PerTag.Accuracy;

    /// <summary>Tokens whose word was not seen in training.</summary>
    public long UnseenTokens { get; }

    /// <summary>Accuracy on those (NaN when there are none).</summary>
    public double AccuracyUnseen { get; }

    /// <summary>Per-tag scores and the token confusion matrix.</summary>
    public ClassificationReport PerTag { get; }

    /// <summary>Exact-span precision (chunk tag sets only).</summary>
    public double? SpanPrecision { get; }

    /// <summary>Exact-span recall (chunk tag sets only).</summary>
    public double? SpanRecall { get; }

    /// <summary>Exact-span F1 (chunk tag sets only).</summary>
    public double? SpanF1 { get; }
}
