namespace Recur.Tests.Kernels;

/// <summary>Float-accuracy helpers for kernel tests: errors in units in the last place of the float result.</summary>
internal static class KernelAssert
{
    /// <summary>Spacing of floats at the magnitude of <paramref name="reference"/> (the subnormal spacing below FLT_MIN).</summary>
    public static double Ulp(double reference)
    {
        float f = (float)Math.Abs(reference);
        if (float.IsInfinity(f)) f = float.MaxValue;
        return (double)MathF.BitIncrement(f) - f;
    }

    /// <summary>|actual − reference| in ulps of the reference; 0 when both are the same NaN/infinity.</summary>
    public static double UlpError(float actual, double reference)
    {
        if (double.IsNaN(reference)) return float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (double.IsInfinity(reference) || float.IsInfinity(actual)) return actual == reference ? 0 : double.PositiveInfinity;
        return Math.Abs(actual - reference) / Ulp(reference);
    }

    /// <summary>Asserts <paramref name="actual"/> is within <paramref name="maxUlps"/> of the reference, with context.</summary>
    public static void WithinUlps(float actual, double reference, double maxUlps, string context)
    {
        double err = UlpError(actual, reference);
        if (!(err <= maxUlps))
            Assert.Fail($"{context}: got {actual:R}, expected {reference:R} ({err:F2} ulps > {maxUlps})");
    }

    /// <summary>Asserts |actual − expected| ≤ tol·(1 + |expected|).</summary>
    public static void Close(double actual, double expected, double tol, string context)
    {
        if (!(Math.Abs(actual - expected) <= tol * (1 + Math.Abs(expected))))
            Assert.Fail($"{context}: got {actual:R}, expected {expected:R} (tolerance {tol})");
    }

    /// <summary>Deterministic values uniform in [lo, hi).</summary>
    public static float[] Uniform(int n, float lo, float hi, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    /// <summary>Lengths that exercise empty, sub-vector, exact-vector and ragged tails, plus a few large ones.</summary>
    public static readonly int[] Lengths = [.. Enumerable.Range(0, 68), 255, 1024, 4099, 65541];
}
