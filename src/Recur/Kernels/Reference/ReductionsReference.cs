namespace Recur.Kernels.Reference;

/// <summary>Scalar double-precision reductions (ground truth for <see cref="Reductions"/>).</summary>
internal static class ReductionsReference
{
    /// <summary>Σ x[i] in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    /// <summary>Σ x[i]² in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return s;
    }

    /// <summary>Index of the first NaN, else of the first maximum; −1 for an empty span.</summary>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = -1;
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i])) return i;
            if (best < 0 || x[i] > x[best]) best = i;
        }
        return best;
    }
}
