namespace Recur.Training.Metrics.Text;

/// <summary>
/// Corpus chrF (Popović 2015) as sacreBLEU's default computes it: character n-grams of orders 1..6 with white space
/// removed, statistics summed over the corpus, β = 2:
/// <code>
///   per order n (counted when both sides have n-grams):  P_n = matches_n / hyp_n,   R_n = matches_n / ref_n
///   P = mean P_n,  R = mean R_n  (over the orders counted)
///   chrF = 100 · (1 + β²) P R / (β² P + R)
/// </code>
/// With several references a segment contributes the statistics of the reference with the best segment-level chrF
/// (the first on a tie).
/// </summary>
public sealed class CorpusChrF
{
    /// <summary>Character n-gram orders 1..CharOrder.</summary>
    public const int CharOrder = 6;

    /// <summary>β: recall weighs β times as much as precision.</summary>
    public const double Beta = 2;

    private readonly long[] _stats = new long[3 * CharOrder]; // per order: hyp n-grams, ref n-grams, matches

    /// <summary>Adds one output and its references (at least one).</summary>
    public void Add(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("a segment needs at least one reference", nameof(references));
        var hyp = Grams(hypothesis);
        long[]? best = null;
        double bestF = -1;
        foreach (var r in references)
        {
            var stats = Statistics(hyp, Grams(r));
            double f = FScore(stats);
            if (f > bestF) { bestF = f; best = stats; }
        }
        for (int i = 0; i < _stats.Length; i++) _stats[i] += best![i];
    }

    /// <summary>chrF in [0, 100] of the segments added so far.</summary>
    public double Score() => FScore(_stats);

    private static double FScore(long[] stats)
    {
        double precision = 0, recall = 0;
        int orders = 0;
        for (int n = 0; n < CharOrder; n++)
        {
            long hyp = stats[3 * n], reference = stats[3 * n + 1], match = stats[3 * n + 2];
            if (hyp == 0 || reference == 0) continue;
            precision += (double)match / hyp;
            recall += (double)match / reference;
            orders++;
        }
        if (orders == 0) return 0;
        precision /= orders;
        recall /= orders;
        double b2 = Beta * Beta;
        return precision + recall == 0 ? 0 : 100 * (1 + b2) * precision * recall / (b2 * precision + recall);
    }

    private static long[] Statistics(Dictionary<string, int>[] hyp, Dictionary<string, int>[] reference)
    {
        var s = new long[3 * CharOrder];
        for (int n = 0; n < CharOrder; n++)
        {
            s[3 * n] = hyp[n].Values.Sum();
            s[3 * n + 1] = reference[n].Values.Sum();
            foreach (var (g, c) in hyp[n]) s[3 * n + 2] += Math.Min(c, reference[n].GetValueOrDefault(g));
        }
        return s;
    }

    // Counts of the character n-grams (by code point) of the text without its white space, per order.
    private static Dictionary<string, int>[] Grams(string text)
    {
        var chars = string.Concat(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).EnumerateRunes().Select(r => r.ToString()).ToArray();
        var result = new Dictionary<string, int>[CharOrder];
        for (int n = 1; n <= CharOrder; n++)
        {
            var counts = result[n - 1] = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i + n <= chars.Length; i++)
            {
                string g = string.Concat(chars.AsSpan(i, n));
                counts[g] = counts.GetValueOrDefault(g) + 1;
            }
        }
        return result;
    }
}
