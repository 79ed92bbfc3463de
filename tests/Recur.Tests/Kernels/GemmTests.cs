using Recur.Kernels;
using Recur.Kernels.Reference;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

[Collection(KernelConfigCollection.Name)]
public sealed class GemmTests
{
    // m x k x n: tiny, odd (not multiples of any vector width or tile), small m (the unpacked path), m above MC
    // (B packed once and shared), k above KC (several K blocks), n past one column chunk.
    private static readonly (int M, int K, int N)[] Shapes =
    [
        (1, 1, 1), (1, 7, 3), (2, 33, 17), (3, 5, 100), (4, 300, 37), (5, 3, 9), (6, 16, 16), (7, 1, 31),
        (13, 29, 45), (31, 300, 7), (64, 64, 64), (97, 130, 161), (150, 40, 70), (290, 37, 33), (12, 260, 290),
        (3, 200, 700), // small m, large enough (m*n*k > GemmDriver.SingleThreadWork) to be split across threads
    ];

    // The emulated AVX-512 path is slow on machines without it: fewer, smaller shapes.
    private static readonly (int M, int K, int N)[] SmallShapes =
    [
        (1, 1, 1), (2, 33, 17), (5, 3, 9), (5, 20, 70), (13, 29, 45), (12, 32, 32), (150, 20, 40), (25, 270, 33),
    ];

    public static TheoryData<KernelIsa, int> IsaAndThreads() => new()
    {
        { KernelIsa.Avx2, 1 }, { KernelIsa.Avx2, 2 },
        { KernelIsa.Vector128, 1 }, { KernelIsa.Vector128, 2 },
        { KernelIsa.Avx512, 1 }, { KernelIsa.Avx512, 2 },
    };

    [Theory]
    [MemberData(nameof(IsaAndThreads))]
    public void MatchesReferenceForEveryTransposeAlphaBetaAndStride(KernelIsa isa, int threads)
    {
        using var _ = new KernelSettings(isa, threads);
        var rng = new Random(1234 + (int)isa * 10 + threads);
        foreach (var (m, k, n) in isa == KernelIsa.Avx512 ? SmallShapes : Shapes)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    var (alpha, beta) = rng.Next(3) switch { 0 => (1f, 0f), 1 => (-0.5f, 1f), _ => (2.25f, 0.7f) };
                    CheckAgainstReference(rng, transA, transB, m, n, k, alpha, beta, padA: rng.Next(3), padB: rng.Next(3), padC: rng.Next(3));
                }
    }

    [Theory]
    [InlineData(KernelIsa.Avx2)]
    [InlineData(KernelIsa.Vector128)]
    [InlineData(KernelIsa.Avx512)]
    public void BetaZeroIgnoresNaNInC(KernelIsa isa)
    {
        using var _ = new KernelSettings(isa, 2);
        var rng = new Random(5);
        foreach (var (m, k, n) in new[] { (3, 9, 40), (20, 9, 21), (150, 3, 17) })
            CheckAgainstReference(rng, false, true, m, n, k, 1.5f, 0f, padA: 0, padB: 1, padC: 2, nanC: true);
    }

    [Theory]
    [InlineData(KernelIsa.Avx2, 1, 0, false)]  // one row of A: chunks walked right to left and left to right
    [InlineData(KernelIsa.Avx2, 2, 0, false)]
    [InlineData(KernelIsa.Avx2, 2, 0, true)]   // paired tiles
    [InlineData(KernelIsa.Avx2, 40, 2, false)] // one row block, B packed per task
    [InlineData(KernelIsa.Vector128, 5, 1, false)]
    [InlineData(KernelIsa.Avx512, 170, 1, false)]
    [InlineData(KernelIsa.Avx2, 300, 1, false)] // A transposed over several row blocks: packed a KC slab at a time
    public void ResultsAreBitIdenticalForAnyThreadCount(KernelIsa isa, int m, int transposes, bool prePacked)
    {
        var rng = new Random(77);
        bool transA = (transposes & 1) != 0, transB = transposes != 0;
        // Large enough (m*n*k > GemmDriver.SingleThreadWork) to be split across threads.
        int k = isa == KernelIsa.Avx512 ? 70 : 300, n = isa == KernelIsa.Avx512 ? 90 : m <= 4 ? 1000 : 333;
        Assert.True((long)m * n * k > GemmDriver.SingleThreadWork);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 5 })
        {
            using var _ = new KernelSettings(isa, threads);
            float[] c = (float[])c0.Clone();
            if (prePacked)
            {
                var packed = new PackedMatrix(k, n);
                packed.Pack(transB, b, transB ? k : n);
                Gemm.Sgemm(transA, m, 0.5f, a, transA ? m : k, packed, 0.25f, c, n);
            }
            else Gemm.Sgemm(transA, transB, m, n, k, 0.5f, a, transA ? m : k, b, transB ? k : n, 0.25f, c, n);
            if (first is null) first = c;
            else Assert.True(first.AsSpan().SequenceEqual(c), $"{isa}: the result with {threads} threads differs from 1 thread");
        }
    }

    [Fact]
    public void TheBatchOneLstmStepIsSplitAcrossThreads()
    {
        // h [1, 256] x W [256, 1024] streams 1 MB of B: two threads halve the stream (measured 1.6-2x faster).
        using var _ = new KernelSettings(KernelIsa.Avx2, 2);
        Assert.Equal(2, GemmDriver.ThreadsFor(1, 1024, 256, helpersStalled: false));
        Assert.Equal(1, GemmDriver.ThreadsFor(1, 512, 128, helpersStalled: false));
        // While other processes are stalling the helper threads, small products stay on one thread; large ones do not.
        Assert.Equal(1, GemmDriver.ThreadsFor(1, 1024, 256, helpersStalled: true));
        Assert.Equal(2, GemmDriver.ThreadsFor(64, 1024, 256, helpersStalled: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TransposedAIsPackedOneKcSlabAtATimeForAllRows(int threads)
    {
        // dW = dGᵀ x shapes: A stored [K, M] with M over several row blocks, K over several KC blocks, two column passes.
        using var _ = new KernelSettings(KernelIsa.Avx2, threads);
        long saved = GemmDriver.PackedBLimit;
        try
        {
            GemmDriver.PackedBLimit = 600 * 48; // 48 columns of op(B) per pass: 2 passes for n = 70
            var rng = new Random(21 + threads);
            foreach (bool transB in new[] { false, true })
                CheckAgainstReference(rng, true, transB, 301, 70, 600, 1f, 0.5f, padA: 3, padB: 1, padC: 2);
        }
        finally
        {
            GemmDriver.PackedBLimit = saved;
        }
    }

    [Fact]
    public void WideProductsAreDoneInColumnPasses()
    {
        using var _ = new KernelSettings(KernelIsa.Avx2, 2);
        long saved = GemmDriver.PackedBLimit;
        try
        {
            GemmDriver.PackedBLimit = 1000; // 40 x 16 floats of op(B) per pass: 5 passes for n = 70
            var rng = new Random(11);
            foreach (bool transB in new[] { false, true })
                CheckAgainstReference(rng, true, transB, 150, 70, 40, 0.5f, 2f, padA: 1, padB: 0, padC: 1);
        }
        finally
        {
            GemmDriver.PackedBLimit = saved;
        }
    }

    [Fact]
    public void DetectedIsaIsTheDefaultAndAutoRedetects()
    {
        using var _ = new KernelSettings(KernelIsa.Vector128, 1);
        Assert.Equal(KernelIsa.Vector128, KernelConfig.Isa);
        KernelConfig.Isa = KernelIsa.Auto;
        Assert.Equal(KernelConfig.Detect(), KernelConfig.Isa);
        Assert.NotEqual(KernelIsa.Auto, KernelConfig.Detect());
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelConfig.Threads = 0);
    }

    [Fact]
    public void ZeroSizesAndZeroAlphaScaleC()
    {
        using var _ = new KernelSettings(KernelIsa.Avx2, 2);
        float[] c = [1, 2, 3, 4];
        Gemm.Sgemm(false, false, 2, 2, 0, 1, [], 0, [], 2, 0.5f, c, 2); // k == 0: C = beta * C
        Assert.Equal([0.5f, 1, 1.5f, 2], c);
        float[] nan = [float.NaN, float.NaN, float.NaN, float.NaN];
        Gemm.Sgemm(false, false, 2, 2, 0, 1, [], 0, [], 2, 0, nan, 2);
        Assert.Equal([0f, 0, 0, 0], nan);
        Gemm.Sgemm(false, false, 2, 2, 3, 0, new float[6], 3, new float[6], 2, 2, c, 2); // alpha == 0: C = beta * C
        Assert.Equal([1f, 2, 3, 4], c);
        Gemm.Sgemm(false, false, 0, 5, 3, 1, [], 3, new float[15], 5, 0, [], 5); // m == 0: nothing to do
    }

    [Fact]
    public void TimeStepOfBatchFirstTensorIsAnOperandWithoutCopy()
    {
        using var _ = new KernelSettings(KernelIsa.Auto, 2);
        const int batch = 9, steps = 5, features = 24, hidden = 40;
        var rng = new Random(3);
        float[] x = Random(rng, batch * steps * features), w = Random(rng, hidden * features);
        float[] y = new float[batch * steps * hidden];
        for (int t = 0; t < steps; t++)
        {
            var xt = new StridedMatrix(x, t * features, batch, features, steps * features);
            var yt = new StridedMatrix(y, t * hidden, batch, hidden, steps * hidden);
            Gemm.Sgemm(xt, false, new StridedMatrix(w, 0, hidden, features, features), true, yt); // y_t = x_t W^T
        }
        for (int bi = 0; bi < batch; bi++)
            for (int t = 0; t < steps; t++)
                for (int h = 0; h < hidden; h++)
                {
                    double sum = 0, scale = 0;
                    for (int f = 0; f < features; f++)
                    {
                        double xv = x[(bi * steps + t) * features + f], wv = w[h * features + f];
                        sum += xv * wv;
                        scale += Math.Abs(xv * wv);
                    }
                    Assert.True(Math.Abs(y[(bi * steps + t) * hidden + h] - sum) <= Tolerance(features, scale), $"y[{bi}, {t}, {h}]");
                }
    }

    [Fact]
    public void BadArgumentsNameTheArgumentAndTheSizes()
    {
        float[] a = new float[12], b = new float[12], c = new float[16];
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 4, 4, 3, 1, a, 2, b, 4, 0, c, 4));
        Assert.Equal("lda", e1.ParamName);
        Assert.Contains("at least 3", e1.Message);
        Assert.Contains("got 2", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, true, 4, 4, 3, 1, a, 3, b, 2, 0, c, 4));
        Assert.Equal("ldb", e2.ParamName);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 4, 4, 3, 1, a, 3, b, 4, 0, c, 3));
        Assert.Equal("ldc", e3.ParamName);
        var e4 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 4, 4, 3, 1, a.AsSpan(0, 11), 3, b, 4, 0, c, 4));
        Assert.Equal("a", e4.ParamName);
        Assert.Contains("needs 12", e4.Message);
        Assert.Contains("got 11", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 4, 4, 3, 1, a, 3, b, 4, 0, c.AsSpan(0, 15), 4));
        Assert.Equal("c", e5.ParamName);
        var e6 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 4, 3, 1, a, 3, b, 4, 0, c, 4));
        Assert.Equal("m", e6.ParamName);
        var e7 = Assert.Throws<ShapeMismatchException>(() => Gemm.Sgemm(
            new StridedMatrix(a, 0, 4, 3, 3), false, new StridedMatrix(b, 0, 4, 3, 3), false, new StridedMatrix(c, 0, 4, 3, 3)));
        Assert.Equal("b", e7.ParamName);
        var e8 = Assert.Throws<ShapeMismatchException>(() => Gemm.Sgemm(
            new StridedMatrix(a, 0, 4, 3, 3), false, new StridedMatrix(b, 0, 3, 4, 4), false, new StridedMatrix(c, 0, 4, 3, 3)));
        Assert.Equal("c", e8.ParamName);
        Assert.Contains("[4, 4]", e8.Message);
    }

    // Runs Sgemm and GemmReference on the same random operands (stored with ld = cols + pad) and compares, also
    // checking that the padding between C's rows is untouched.
    internal static void CheckAgainstReference(Random rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta,
        int padA, int padB, int padC, bool nanC = false, PackedMatrix? packed = null)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
        float[] a = Random(rng, Math.Max(0, (aRows - 1) * lda + aCols));
        float[] b = Random(rng, Math.Max(0, (bRows - 1) * ldb + bCols));
        float[] c = Random(rng, m * ldc);
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++) c[i * ldc + j] = 12345f; // sentinel in the gaps
        if (nanC)
            for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Fill(float.NaN);
        float[] original = (float[])c.Clone(), expected = (float[])c.Clone();
        GemmReference.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        if (packed is null) Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
        {
            packed.Pack(transB, b, ldb);
            Gemm.Sgemm(transA, m, alpha, a, lda, packed, beta, c, ldc);
        }
        string label = $"{KernelConfig.Isa} t{KernelConfig.Threads} {(transA ? "T" : "N")}{(transB ? "T" : "N")} m={m} n={n} k={k} alpha={alpha} beta={beta}{(packed is null ? "" : " packed")}";
        for (int i = 0; i < m; i++)
        {
            for (int j = n; j < ldc; j++) Assert.True(c[i * ldc + j] == 12345f, $"{label}: padding C[{i}, {j}] overwritten");
            for (int j = 0; j < n; j++)
            {
                double scale = 0;
                for (int p = 0; p < k; p++)
                    scale += Math.Abs((double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]));
                scale = Math.Abs(alpha) * scale + (beta == 0 ? 0 : Math.Abs(beta * original[i * ldc + j]));
                float got = c[i * ldc + j], want = expected[i * ldc + j];
                Assert.True(Math.Abs(got - want) <= Tolerance(k, scale), $"{label}: C[{i}, {j}] = {got}, reference {want}");
            }
        }
    }

    // Worst-case float32 rounding of a k-term dot product plus the alpha/beta update, relative to sum |a||b|.
    internal static double Tolerance(int k, double scale) => (k + 4) * 1.2e-7 * scale + 1e-30;

    internal static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
