namespace Recur.Training.Metrics.Text;

/// <summary>BLEU-4 of a corpus, with its parts (as sacreBLEU prints them).</summary>
/// <param name="Score">BLEU in [0, 100].</param>
/// <param name="Precisions">The modified n-gram precisions p_1..p_4 in percent (smoothed where a count is 0).</param>
/// <param name="BrevityPenalty">BP = 1 if c &gt;= r else exp(1 - r/c).</param>
/// <param name="HypothesisLength">c, tokens of the outputs.</param>
/// <param name="ReferenceLength">r, the sum over segments of the reference length closest to the output's.</param>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength);

/// <summary>
/// Corpus BLEU-4 (Papineni et al. 2002) exactly as sacreBLEU's default computes it (13a tokenisation, 'exp'
/// smoothing, case-sensitive):
/// <code>
///   p_n  = Σ_seg Σ_g min(count_hyp(g), max_ref count_ref(g)) / Σ_seg #n-grams of hyp     (n = 1..4)
///          (a zero numerator becomes 1 / (2^k · denominator), k counting the zero precisions so far: 'exp')
///   r    = Σ_seg length of the reference closest in length to the output (the shorter on a tie)
///   BP   = 1 if c &gt;= r, else exp(1 - r / c)
///   BLEU = 100 · BP · exp(¼ Σ_n log p_n)
/// </code>
/// Add segments with <see cref="Add"/>, read <see cref="Score"/>.
/// </summary>
public sealed class CorpusBleu
{
    /// <summary>The largest n-gram order.</summary>
    public const int MaxOrder = 4;

    private readonly long[] _matches = new long[MaxOrder], _totals = new long[MaxOrder];
    private long _hypLength, _refLength;

    /// <summary>Whether to lowercase before tokenising (sacreBLEU's -lc); default false.</summary>
    public bool Lowercase { get; init; }

    /// <summary>Adds one output and its references (at least one).</summary>
    public void Add(string hypothesis, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("a segment needs at least one reference", nameof(references));
        var hyp = Tokens(hypothesis);
        var refs = references.Select(Tokens).ToArray();
        _hypLength += hyp.Length;
        int closest = refs[0].Length;
        foreach (var r in refs)
        {
            int d = Math.Abs(r.Length - hyp.Length), best = Math.Abs(closest - hyp.Length);
            if (d < best || (d == best && r.Length < closest)) closest = r.Length;
        }
        _refLength += closest;
        for (int n = 1; n <= MaxOrder; n++)
        {
            var hypCounts = NGrams(hyp, n);
            var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var r in refs)
                foreach (var (g, c) in NGrams(r, n))
                    if (!maxRef.TryGetValue(g, out int m) || c > m) maxRef[g] = c;
            foreach (var (g, c) in hypCounts) _matches[n - 1] += Math.Min(c, maxRef.GetValueOrDefault(g));
            _totals[n - 1] += Math.Max(0, hyp.Length - n + 1);
        }
    }

    /// <summary>The score of the segments added so far.</summary>
    public BleuScore Score()
    {
        var precisions = new double[MaxOrder];
        if (_hypLength == 0) return new BleuScore(0, precisions, 0, 0, _refLength);
        double smooth = 1;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (_totals[n] == 0) break; // every output shorter than n tokens: p_n stays 0 and so does BLEU
            if (_matches[n] == 0) { smooth *= 2; precisions[n] = 100.0 / (smooth * _totals[n]); }
            else precisions[n] = 100.0 * _matches[n] / _totals[n];
        }
        double bp = _hypLength < _refLength ? Math.Exp(1 - (double)_refLength / _hypLength) : 1;
        double score = precisions.Any(p => p == 0) ? 0 : bp * Math.Exp(precisions.Sum(p => Math.Log(p)) / MaxOrder);
        return new BleuScore(score, precisions, bp, _hypLength, _refLength);
    }

    private string[] Tokens(string s) => Tokenizer13a.Tokenize(Lowercase ? s.ToLowerInvariant() : s);

    // n-grams joined with a separator that cannot occur inside a token (tokens hold no white space).
    private static Dictionary<string, int> NGrams(string[] tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            string g = string.Join(' ', tokens, i, n);
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }
        return counts;
    }
}
