using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Picks the next token from a row of logits: the arg max when <c>temperature</c> is 0, otherwise a sample from
/// softmax(logits / temperature), restricted to the <c>topK</c> most likely tokens when topK &gt; 0. Shared by the
/// generating models so that they sample the same way. A banned token (e.g. &lt;unk&gt;, which is no text) is never
/// picked: greedy takes the best other token, sampling draws again (so the distribution of the other tokens is exactly
/// the conditional one, and a run that never draws it is unchanged).
/// </summary>
internal static class TokenSampler
{
    /// <summary>Draws one index; <paramref name="probs"/> is scratch of at least logits.Length.</summary>
    public static int Pick(ReadOnlySpan<float> logits, double temperature, int topK, Rng rng, double[] probs, int? banned = null)
    {
        if (banned is { } ban && logits.Length > 1)
        {
            if (temperature == 0) return Best(logits, ban);
            // Top-k may leave almost nothing but the banned token: after a few draws, take the best other one.
            for (int attempt = 0; attempt < 64; attempt++)
            {
                int j = Pick(logits, temperature, topK, rng, probs);
                if (j != ban) return j;
            }
            return Best(logits, ban);
        }
        int best = Best(logits, -1);
        if (temperature == 0) return best;
        double cutoff = double.NegativeInfinity;
        if (topK > 0 && topK < logits.Length)
        {
            var sorted = logits.ToArray();
            Array.Sort(sorted);
            cutoff = sorted[^topK];
        }
        double sum = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            probs[j] = logits[j] < cutoff ? 0 : Math.Exp((logits[j] - logits[best]) / temperature);
            sum += probs[j];
        }
        double u = rng.NextDouble() * sum;
        for (int j = 0; j < logits.Length; j++)
        {
            u -= probs[j];
            if (u < 0) return j;
        }
        return best;
    }

    // Arg max over the tokens other than `skip`.
    private static int Best(ReadOnlySpan<float> logits, int skip)
    {
        int best = skip == 0 ? 1 : 0;
        for (int j = best + 1; j < logits.Length; j++) if (j != skip && logits[j] > logits[best]) best = j;
        return best;
    }
}
