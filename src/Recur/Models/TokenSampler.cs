using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Picks the next token from a row of logits: the arg max when <c>temperature</c> is 0, otherwise a sample from
/// softmax(logits / temperature), restricted to the <c>topK</c> most likely tokens when topK &gt; 0. Shared by the
/// generating models so that they sample the same way.
/// </summary>
internal static class TokenSampler
{
    /// <summary>Draws one index; <paramref name="probs"/> is scratch of at least logits.Length.</summary>
    public static int Pick(ReadOnlySpan<float> logits, double temperature, int topK, Rng rng, double[] probs)
    {
        int best = 0;
        for (int j = 1; j < logits.Length; j++) if (logits[j] > logits[best]) best = j;
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
}
