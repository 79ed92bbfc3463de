using Recur.Tasks.Classification;

namespace Recur.Tasks.Tagging;

/// <summary>
/// How well predicted tags match gold ones: token accuracy, accuracy on words not seen in training, per-tag precision,
/// recall and F1, and for chunk tag sets (BIO and relatives) exact-span precision, recall and F1 as conlleval computes them.
/// </summary>
public sealed class TaggingReport
{
    /// <summary>Builds the report.</summary>
    /// <param name="tags">The tag names in index order.</param>
    /// <param name="gold">Gold tag indices of each sentence.</param>
    /// <param name="predicted">Predicted tag indices, the same shape.</param>
    /// <param name="seen">Whether each word was seen in training, the same shape.</param>
    public TaggingReport(IReadOnlyList<string> tags, IReadOnlyList<int[]> gold, IReadOnlyList<int[]> predicted, IReadOnlyList<bool[]> seen)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(seen);
        if (predicted.Count != gold.Count || seen.Count != gold.Count)
            throw new ArgumentException($"{gold.Count} gold sentences, {predicted.Count} predicted, {seen.Count} seen flags");
        var allGold = new List<int>();
        var allPredicted = new List<int>();
        long unseen = 0, unseenCorrect = 0, goldSpans = 0, guessedSpans = 0, correctSpans = 0;
        bool chunks = BioSpans.IsChunkTagSet(tags);
        for (int s = 0; s < gold.Count; s++)
        {
            if (predicted[s].Length != gold[s].Length || seen[s].Length != gold[s].Length)
                throw new ArgumentException($"sentence {s}: {gold[s].Length} gold tags, {predicted[s].Length} predicted, {seen[s].Length} seen flags");
            allGold.AddRange(gold[s]);
            allPredicted.AddRange(predicted[s]);
            for (int i = 0; i < gold[s].Length; i++)
                if (!seen[s][i]) { unseen++; if (gold[s][i] == predicted[s][i]) unseenCorrect++; }
            if (!chunks) continue;
            var g = BioSpans.Spans([.. gold[s].Select(k => tags[k])]);
            var p = BioSpans.Spans([.. predicted[s].Select(k => tags[k])]);
            goldSpans += g.Count;
            guessedSpans += p.Count;
            correctSpans += p.Intersect(g).Count();
        }
        PerTag = ClassificationReport.From(tags, allGold.ToArray(), allPredicted.ToArray());
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
