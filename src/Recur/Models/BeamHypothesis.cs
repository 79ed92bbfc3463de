namespace Recur.Models;

/// <summary>One decoded output of an <see cref="EncoderDecoder"/>.</summary>
/// <param name="Tokens">The target tokens, end-of-sequence excluded.</param>
/// <param name="LogProbability">log P(tokens [+ EOS] | source) under the model (natural log).</param>
/// <param name="Score">What ranks hypotheses: LogProbability / lp(|Y|) with GNMT's lp(n) = ((5 + n) / 6)^α, n counting EOS.</param>
/// <param name="Finished">Whether it ended with EOS (false: cut at the maximum length).</param>
/// <param name="Attention">Per output step (EOS included when finished), the weights over the source's valid steps.</param>
public sealed record BeamHypothesis(int[] Tokens, double LogProbability, double Score, bool Finished, float[][] Attention);

/// <summary>How <see cref="EncoderDecoder.BeamSearch"/> decodes.</summary>
/// <param name="BeamSize">K, hypotheses kept per source at each step (1 = greedy).</param>
/// <param name="LengthPenalty">α of GNMT's length normalisation ((5 + n) / 6)^α; 0 = raw log-probability.</param>
/// <param name="MaxSteps">Most tokens written per source (EOS included).</param>
/// <param name="NBest">Hypotheses returned per source, best first (at most <paramref name="BeamSize"/>).</param>
public sealed record BeamOptions(int BeamSize = 5, double LengthPenalty = 0, int MaxSteps = 100, int NBest = 1)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value out of range; the message names the command-line option.</exception>
    public void Validate()
    {
        if (BeamSize < 1) throw new ArgumentException($"--beam must be at least 1, got {BeamSize}");
        if (!(LengthPenalty >= 0)) throw new ArgumentException($"--length-penalty must be >= 0, got {LengthPenalty}");
        if (MaxSteps < 1) throw new ArgumentException($"--max-length must be at least 1, got {MaxSteps}");
        if (NBest < 1 || NBest > BeamSize) throw new ArgumentException($"--nbest must be in [1, --beam {BeamSize}], got {NBest}");
    }

    /// <summary>GNMT's lp(n) = ((5 + n) / 6)^α.</summary>
    public double Penalty(int length) => LengthPenalty == 0 ? 1 : Math.Pow((5.0 + length) / 6.0, LengthPenalty);
}
