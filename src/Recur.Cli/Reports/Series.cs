namespace Recur.Cli.Reports;

/// <summary>
/// One named line of a chart: x and y values of the same length. Non-finite y values (NaN, infinities) are not
/// drawn: the line breaks there and <see cref="Gaps"/> names them, so that a page can say what is missing.
/// </summary>
/// <param name="Name">The legend text.</param>
/// <param name="X">X values, increasing.</param>
/// <param name="Y">Y values; NaN and infinities become gaps.</param>
internal sealed record Series(string Name, double[] X, double[] Y)
{
    /// <summary>The points whose y is not finite: their x and what they are ("NaN", "+Inf", "-Inf").</summary>
    public IReadOnlyList<(double X, string What)> Gaps => [.. Enumerable.Range(0, Y.Length).Where(i => !double.IsFinite(Y[i]))
        .Select(i => (X[i], double.IsNaN(Y[i]) ? "NaN" : double.IsPositiveInfinity(Y[i]) ? "+Inf" : "-Inf"))];

    /// <summary>Whether any point can be drawn.</summary>
    public bool HasFinite => Y.Any(double.IsFinite);

    /// <summary>
    /// The runs of consecutive finite points, each thinned to at most about <paramref name="maxPoints"/> points over
    /// the whole series (see <see cref="Downsample"/>): what a chart draws as separate line pieces.
    /// </summary>
    public IEnumerable<(double[] X, double[] Y)> FiniteRuns(int maxPoints)
    {
        int finite = Y.Count(double.IsFinite);
        int start = -1;
        for (int i = 0; i <= Y.Length; i++)
        {
            bool ok = i < Y.Length && double.IsFinite(Y[i]);
            if (ok && start < 0) start = i;
            if (!ok && start >= 0)
            {
                int length = i - start;
                // Each run gets its share of the point budget (at least 2, so that a short run still draws a line).
                int budget = Math.Max(2, (int)((long)maxPoints * length / Math.Max(1, finite)));
                yield return Downsample(X.AsSpan(start, length), Y.AsSpan(start, length), budget);
                start = -1;
            }
        }
    }

    /// <summary>
    /// At most about <paramref name="maxPoints"/> points that draw like all of them: the range is cut into buckets
    /// and each bucket keeps its smallest and largest value in their order (so spikes survive), plus the first and last
    /// points. Shorter inputs are returned whole.
    /// </summary>
    public static (double[] X, double[] Y) Downsample(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int maxPoints)
    {
        if (x.Length <= Math.Max(maxPoints, 4)) return (x.ToArray(), y.ToArray());
        int buckets = Math.Max(1, (maxPoints - 2) / 2);
        var keep = new List<int>(buckets * 2 + 2) { 0 };
        for (int b = 0; b < buckets; b++)
        {
            int from = 1 + (int)((long)(x.Length - 2) * b / buckets), to = 1 + (int)((long)(x.Length - 2) * (b + 1) / buckets);
            if (to <= from) continue;
            int min = from, max = from;
            for (int i = from + 1; i < to; i++)
            {
                if (y[i] < y[min]) min = i;
                if (y[i] > y[max]) max = i;
            }
            keep.Add(Math.Min(min, max));
            if (max != min) keep.Add(Math.Max(min, max));
        }
        keep.Add(x.Length - 1);
        var xs = new double[keep.Count];
        var ys = new double[keep.Count];
        for (int i = 0; i < keep.Count; i++) (xs[i], ys[i]) = (x[keep[i]], y[keep[i]]);
        return (xs, ys);
    }
}
