using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Products with few rows (m &lt;= <see cref="MaxRows"/>, e.g. an RNN time step at batch 1..4) read op(B) in place:
/// packing B would cost about as much as the product, since each element of B is used only m times.
/// <list type="bullet">
/// <item>Row-major B (op(B)[p, j] = b[p*ldb + j]): <c>acc[i, :] += a[i, p] * b[p, :]</c> over p in order, streaming
/// B row after row through accumulators in L1 (axpy form), all rows of A at once.</item>
/// <item>Transposed B (op(B)[p, j] = b[j*ldb + p]): each c[i, j] is a dot product of two contiguous rows, four
/// columns by two rows per pass.</item>
/// </list>
/// Each element gets the same arithmetic whichever block or thread computes it (per-lane FMAs in p order, one fixed
/// reduction), so results do not depend on the thread count. 256-bit vectors: used for the AVX2 and AVX-512 paths.
/// </summary>
internal static unsafe class GemmSmallM
{
    /// <summary>Largest m handled here.</summary>
    public const int MaxRows = 4;

    private const int MaxChunkCols = 1024;

    private struct Job
    {
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public bool TransB;
        public int M, N, K, ChunkCols;
        public float Alpha, Beta;
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C for m &lt;= MaxRows and m, n, k &gt; 0 (arguments validated).</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        if (transA)
        {
            // op(A) rows made contiguous: the dot form loads them as vectors, the axpy form reads them in order.
            float* rows = GemmScratch.Current.RowsA(m * k);
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) rows[i * k + p] = a[p * lda + i];
            a = rows;
            lda = k;
        }
        var job = new Job { A = a, Lda = lda, B = b, Ldb = ldb, TransB = transB, C = c, Ldc = ldc, M = m, N = n, K = k, Alpha = alpha, Beta = beta };
        int threads = KernelConfig.Threads;
        // A chunk per thread, at most MaxChunkCols wide (the accumulators of the streamed form stay in L1).
        job.ChunkCols = Math.Clamp(GemmDriver.RoundUp((n + threads - 1) / threads, 64), 64, MaxChunkCols);
        ParallelLoop.For((n + job.ChunkCols - 1) / job.ChunkCols, &RunChunk, &job);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunChunk(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        int j0 = index * job.ChunkCols, j1 = Math.Min(job.N, j0 + job.ChunkCols);
        if (!job.TransB)
        {
            switch (job.M)
            {
                case 1: StreamColumns<GemmRows.R1>(ref job, j0, j1); break;
                case 2: StreamColumns<GemmRows.R2>(ref job, j0, j1); break;
                case 3: StreamColumns<GemmRows.R3>(ref job, j0, j1); break;
                default: StreamColumns<GemmRows.R4>(ref job, j0, j1); break;
            }
            return;
        }
        for (int i = 0; i < job.M; i += 2)
        {
            float* a = job.A + i * job.Lda;
            float* c = job.C + i * job.Ldc;
            if (i + 1 < job.M) DotColumns<GemmRows.R2>(ref job, a, c, j0, j1);
            else DotColumns<GemmRows.R1>(ref job, a, c, j0, j1);
        }
    }

    // All m rows of A times op(B)[:, j0..j1), row-major B. Streams B row after row (sequential, prefetch-friendly)
    // into accumulators acc[i, j] kept in L1, four rows of B per pass over them; per element this is the same FMA
    // chain over p in order as a register accumulator would be.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StreamColumns<TRows>(ref Job job, int j0, int j1) where TRows : struct, GemmRows.ICount
    {
        int k = job.K, w = j1 - j0, wv = w & ~7;
        nint ldb = job.Ldb, lda = job.Lda;
        float* acc = GemmScratch.Current.Accumulators(TRows.Count * w);
        new Span<float>(acc, TRows.Count * w).Clear();
        float* a0 = job.A, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        float* acc0 = acc, acc1 = acc0 + w, acc2 = acc1 + w, acc3 = acc2 + w;
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* b0 = job.B + p * ldb + j0, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            int j = 0;
            for (; j < wv; j += 8)
            {
                Vector256<float> v0 = Vector256.Load(b0 + j), v1 = Vector256.Load(b1 + j), v2 = Vector256.Load(b2 + j), v3 = Vector256.Load(b3 + j);
                Step4(acc0 + j, a0 + p, v0, v1, v2, v3);
                if (TRows.Count > 1) Step4(acc1 + j, a1 + p, v0, v1, v2, v3);
                if (TRows.Count > 2) Step4(acc2 + j, a2 + p, v0, v1, v2, v3);
                if (TRows.Count > 3) Step4(acc3 + j, a3 + p, v0, v1, v2, v3);
            }
            for (; j < w; j++)
                for (int i = 0; i < TRows.Count; i++)
                {
                    float* ai = job.A + i * lda + p;
                    float x = acc[i * w + j];
                    x = MathF.FusedMultiplyAdd(ai[0], b0[j], x);
                    x = MathF.FusedMultiplyAdd(ai[1], b1[j], x);
                    x = MathF.FusedMultiplyAdd(ai[2], b2[j], x);
                    acc[i * w + j] = MathF.FusedMultiplyAdd(ai[3], b3[j], x);
                }
        }
        for (; p < k; p++)
        {
            float* b0 = job.B + p * ldb + j0;
            int j = 0;
            for (; j < wv; j += 8)
            {
                var v0 = Vector256.Load(b0 + j);
                for (int i = 0; i < TRows.Count; i++)
                    Vector256.FusedMultiplyAdd(Vector256.Create(job.A[i * lda + p]), v0, Vector256.Load(acc + i * w + j)).Store(acc + i * w + j);
            }
            for (; j < w; j++)
                for (int i = 0; i < TRows.Count; i++)
                    acc[i * w + j] = MathF.FusedMultiplyAdd(job.A[i * lda + p], b0[j], acc[i * w + j]);
        }
        for (int i = 0; i < TRows.Count; i++)
        {
            float* ci = job.C + i * job.Ldc + j0;
            for (int j = 0; j < w; j++) ci[j] = Combine(acc[i * w + j], job.Alpha, job.Beta, ci[j]);
        }
    }

    // acc += a[0] b0 + a[1] b1 + a[2] b2 + a[3] b3 as four FMAs in that order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step4(float* acc, float* a, Vector256<float> b0, Vector256<float> b1, Vector256<float> b2, Vector256<float> b3)
    {
        var x = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, Vector256.Load(acc));
        x = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b1, x);
        x = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b2, x);
        Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b3, x).Store(acc);
    }

    // Rows a (and a + lda) times op(B)[:, j0..j1) with op(B)[p, j] = b[j*ldb + p]: dot products of contiguous rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotColumns<TRows>(ref Job job, float* a, float* c, int j0, int j1) where TRows : struct, GemmRows.ICount
    {
        int k = job.K, kv = k & ~7;
        nint ldb = job.Ldb, ldc = job.Ldc;
        float* a1 = a + job.Lda;
        float alpha = job.Alpha, beta = job.Beta;
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            float* b0 = job.B + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector256<float> x0 = default, x1 = default, x2 = default, x3 = default;
            Vector256<float> y0 = default, y1 = default, y2 = default, y3 = default;
            for (int p = 0; p < kv; p += 8)
            {
                Vector256<float> v0 = Vector256.Load(b0 + p), v1 = Vector256.Load(b1 + p), v2 = Vector256.Load(b2 + p), v3 = Vector256.Load(b3 + p);
                var s = Vector256.Load(a + p);
                x0 = Vector256.FusedMultiplyAdd(s, v0, x0);
                x1 = Vector256.FusedMultiplyAdd(s, v1, x1);
                x2 = Vector256.FusedMultiplyAdd(s, v2, x2);
                x3 = Vector256.FusedMultiplyAdd(s, v3, x3);
                if (TRows.Count == 2)
                {
                    s = Vector256.Load(a1 + p);
                    y0 = Vector256.FusedMultiplyAdd(s, v0, y0);
                    y1 = Vector256.FusedMultiplyAdd(s, v1, y1);
                    y2 = Vector256.FusedMultiplyAdd(s, v2, y2);
                    y3 = Vector256.FusedMultiplyAdd(s, v3, y3);
                }
            }
            c[j] = Combine(Finish(x0, a, b0, kv, k), alpha, beta, c[j]);
            c[j + 1] = Combine(Finish(x1, a, b1, kv, k), alpha, beta, c[j + 1]);
            c[j + 2] = Combine(Finish(x2, a, b2, kv, k), alpha, beta, c[j + 2]);
            c[j + 3] = Combine(Finish(x3, a, b3, kv, k), alpha, beta, c[j + 3]);
            if (TRows.Count == 2)
            {
                float* c1 = c + ldc;
                c1[j] = Combine(Finish(y0, a1, b0, kv, k), alpha, beta, c1[j]);
                c1[j + 1] = Combine(Finish(y1, a1, b1, kv, k), alpha, beta, c1[j + 1]);
                c1[j + 2] = Combine(Finish(y2, a1, b2, kv, k), alpha, beta, c1[j + 2]);
                c1[j + 3] = Combine(Finish(y3, a1, b3, kv, k), alpha, beta, c1[j + 3]);
            }
        }
        for (; j < j1; j++)
        {
            float* b0 = job.B + j * ldb;
            Vector256<float> x0 = default, y0 = default;
            for (int p = 0; p < kv; p += 8)
            {
                var v0 = Vector256.Load(b0 + p);
                x0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + p), v0, x0);
                if (TRows.Count == 2) y0 = Vector256.FusedMultiplyAdd(Vector256.Load(a1 + p), v0, y0);
            }
            c[j] = Combine(Finish(x0, a, b0, kv, k), alpha, beta, c[j]);
            if (TRows.Count == 2) c[ldc + j] = Combine(Finish(y0, a1, b0, kv, k), alpha, beta, c[ldc + j]);
        }
    }

    // The dot product's lanes summed in a fixed order, then the k % 8 tail.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(Vector256<float> lanes, float* a, float* b, int kv, int k)
    {
        Vector128<float> h = lanes.GetLower() + lanes.GetUpper();
        float sum = (h.GetElement(0) + h.GetElement(1)) + (h.GetElement(2) + h.GetElement(3));
        for (int p = kv; p < k; p++) sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        return sum;
    }

    // The micro-kernels' update rule, per element: alpha * acc, plus beta * c unless beta == 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Combine(float acc, float alpha, float beta, float c)
    {
        float t = acc * alpha;
        return beta == 0 ? t : beta == 1 ? c + t : MathF.FusedMultiplyAdd(c, beta, t);
    }
}
