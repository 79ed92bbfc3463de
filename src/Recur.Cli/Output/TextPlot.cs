using System.Text;

namespace Recur.Cli.Output;

/// <summary>Tiny text plots for terminals and logs: bars and sparklines scaled between a series' minimum and maximum.</summary>
internal static class TextPlot
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>A bar of 1..<paramref name="width"/> characters, longest for <paramref name="max"/> (NaN: empty).</summary>
    public static string Bar(double value, double min, double max, int width, char fill)
    {
        if (!double.IsFinite(value)) return "";
        double f = max > min ? (value - min) / (max - min) : 1;
        return new string(fill, 1 + (int)Math.Round(f * (width - 1)));
    }

    /// <summary>
    /// One block character per value (eighth-height steps between the series' minimum and maximum); at most
    /// <paramref name="width"/> characters, longer series averaged in equal buckets.
    /// </summary>
    public static string Sparkline(IReadOnlyList<double> values, int width = 60)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return "";
        double min = finite.Min(), max = finite.Max();
        int n = Math.Min(width, values.Count);
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++)
        {
            int from = i * values.Count / n, to = (i + 1) * values.Count / n;
            var bucket = Enumerable.Range(from, to - from).Select(j => values[j]).Where(double.IsFinite).ToList();
            if (bucket.Count == 0) { sb.Append(' '); continue; }
            double f = max > min ? (bucket.Average() - min) / (max - min) : 0.5;
            sb.Append(Blocks[(int)Math.Round(f * (Blocks.Length - 1))]);
        }
        return sb.ToString();
    }
}
