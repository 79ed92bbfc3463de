namespace Recur.Bench.Kernels;

/// <summary>
/// Deterministic inputs shared by the kernel benchmarks. Every benchmark method is named <c>Kernel_Implementation</c>
/// (implementation = Recur, TensorPrimitives or Scalar) so that <see cref="KernelsSuite"/> can pair them up.
/// </summary>
public static class KernelBenchmarkData
{
    /// <summary>n values uniform in [lo, hi).</summary>
    public static float[] Uniform(int n, float lo, float hi, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }
}
