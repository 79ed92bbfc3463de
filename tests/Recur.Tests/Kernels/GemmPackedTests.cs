using Recur.Kernels;

namespace Recur.Tests.Kernels;

[Collection(KernelConfigCollection.Name)]
public sealed class GemmPackedTests
{
    [Theory]
    [InlineData(KernelIsa.Avx2, 1)]
    [InlineData(KernelIsa.Avx2, 2)]
    [InlineData(KernelIsa.Vector128, 2)]
    [InlineData(KernelIsa.Avx512, 2)]
    public void PrePackedBMatchesReference(KernelIsa isa, int threads)
    {
        using var _ = new KernelSettings(isa, threads);
        var rng = new Random(42 + (int)isa);
        var shapes = isa == KernelIsa.Avx512
            ? new[] { (1, 5, 3), (4, 33, 40), (3, 10, 100), (150, 20, 33) }
            : new[] { (1, 5, 3), (1, 256, 100), (4, 33, 40), (7, 300, 65), (150, 270, 33), (300, 20, 290) };
        foreach (var (m, k, n) in shapes)
        {
            var packed = new PackedMatrix(k, n);
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    // Repacking the same PackedMatrix in place with new data.
                    GemmTests.CheckAgainstReference(rng, transA, transB, m, n, k, 1f, 0f, padA: 1, padB: 2, padC: 0, nanC: true, packed: packed);
                    GemmTests.CheckAgainstReference(rng, transA, transB, m, n, k, -0.75f, 0.5f, padA: 0, padB: 0, padC: 3, packed: packed);
                }
        }
    }

    [Fact]
    public void PackedMatrixKeepsTheKernelItWasPackedFor()
    {
        using var _ = new KernelSettings(KernelIsa.Vector128, 2);
        var rng = new Random(9);
        const int m = 10, k = 40, n = 50;
        float[] a = GemmTests.Random(rng, m * k), b = GemmTests.Random(rng, k * n);
        var packed = new PackedMatrix(k, n);
        packed.Pack(false, b, n);
        KernelConfig.Isa = KernelIsa.Avx2; // a different panel width than the one packed
        float[] got = new float[m * n], want = new float[m * n];
        Gemm.Sgemm(false, m, 1, a, k, packed, 0, got, n);
        KernelConfig.Isa = KernelIsa.Vector128;
        Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n);
        Assert.Equal(want, got);
    }

    [Fact]
    public void UnpackedOrMismatchedArgumentsAreRejected()
    {
        var packed = new PackedMatrix(3, 4);
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, 2, 1, new float[6], 3, packed, 0, new float[8], 4));
        Assert.Equal("b", e.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() => packed.Pack(false, new float[11], 4));
        Assert.Equal("b", e2.ParamName);
        Assert.Contains("needs 12", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(true, new float[12], 2));
        Assert.Equal("ldb", e3.ParamName);
        packed.Pack(false, new float[12], 4);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, 2, 1, new float[6], 2, packed, 0, new float[8], 4));
        Assert.Equal("lda", e4.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedMatrix(-1, 4));
    }

    [Fact]
    public void NoAllocationAfterWarmUp()
    {
        using var _ = new KernelSettings(KernelIsa.Avx2, 2);
        var rng = new Random(1);
        float[] a = GemmTests.Random(rng, 300 * 200), b = GemmTests.Random(rng, 200 * 260), c = new float[300 * 260];
        var packed = new PackedMatrix(200, 260);
        packed.Pack(true, b, 200);
        void Calls()
        {
            Gemm.Sgemm(false, false, 8, 260, 200, 1, a, 200, b, 260, 0, c, 260);   // small m, B read in place
            Gemm.Sgemm(false, true, 8, 260, 200, 1, a, 200, b, 200, 0, c, 260);
            Gemm.Sgemm(true, false, 40, 260, 200, 1, a, 40, b, 260, 1, c, 260);    // one row block, B packed per task
            Gemm.Sgemm(false, true, 300, 260, 200, 1, a, 200, b, 200, 0, c, 260);  // B packed once, shared
            Gemm.Sgemm(false, 300, 1, a, 200, packed, 0.5f, c, 260);                // pre-packed
            packed.Pack(true, b, 200);
        }
        for (int i = 0; i < 3; i++) Calls(); // warm-up: JIT, worker threads, per-thread buffers
        // Allocation by our code would show in every window; the runtime (tiered JIT recompiling in the background)
        // or the test host may allocate now and then on their own threads, so the quietest window is judged.
        long thread = long.MaxValue, total = long.MaxValue;
        for (int window = 0; window < 8; window++)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread(), a0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 5; i++) Calls();
            thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - t0);
            total = Math.Min(total, GC.GetTotalAllocatedBytes(precise: true) - a0); // all threads, workers included
        }
        Assert.Equal(0, thread);
        Assert.True(total < 256, $"{total} bytes allocated on some thread during GEMM calls");
    }
}
