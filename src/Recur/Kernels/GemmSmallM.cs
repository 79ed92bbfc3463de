using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Products with few rows (m &lt;= <see cref="MaxRows"/>, e.g. an RNN time step at batch 1..8) read op(B) in place:
/// packing B would cost about as much as the product, since each element of B is used only m times (measured on
/// Zen 3, 1x256x1024 to 8x256x1024: 1.3x faster than packing up to m = 8, on par at m = 12).
/// <list type="bullet">
/// <item>Row-major B (op(B)[p, j] = b[p*ldb + j]): <c>acc[i, :] += a[i, p] * b[p, :]</c> over p in order, streaming
/// B row after row through accumulators in L1 (axpy form).</item>
/// <item>Transposed B (op(B)[p, j] = b[j*ldb + p]): each c[i, j] is a dot product of two contiguous rows, four
/// columns by two rows per pass.</item>
/// </list>
/// Each element gets the same arithmetic whichever block or thread computes it (per-lane FMAs in p order, one fixed
/// reduction), so results do not depend on the thread count. 256-bit vectors: used for the AVX2 and AVX-512 paths.
/// </summary>
internal static unsafe class GemmSmallM
{
    /// <summary>Largest m handled here.</summary>
    public const int MaxRows = 8;

    // Accumulators of a chunk (m x chunk columns) stay within 16 KB, half of L1; chunks are at most 1024 wide.
    private const int AccumulatorFloats = 4096, MaxChunkCols = 1024;

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
        int threads = GemmDriver.ThreadsFor(m, n, k);
        // One chunk per thread, narrow enough for the accumulators to stay in L1: a thread streams a part of each
        // row of B, and the narrower the parts the slower (1x256x1024 on 2 threads, Zen 3: 12.6 µs a call in 2
        // chunks, 14.6 µs in 4; 1 thread, 1 chunk: 17.6-20 µs). A thread the OS has not scheduled yet delays
        // nothing: ParallelLoop hands its chunk to the caller.
        int chunks = threads;
        int maxCols = Math.Max(64, Math.Min(MaxChunkCols, AccumulatorFloats / m) / 64 * 64);
        job.ChunkCols = Math.Clamp(GemmDriver.RoundUp((n + chunks - 1) / chunks, 64), 64, maxCols);
        ParallelLoop.For((n + job.ChunkCols - 1) / job.ChunkCols, &RunChunk, &job, threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunChunk(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        int j0 = index * job.ChunkCols, j1 = Math.Min(job.N, j0 + job.ChunkCols);
        if (!job.TransB)
        {
            // Chunks pair up and walk away from the column they share (even chunks right to left, odd ones left
            // to right): a row's part ends where the hardware prefetcher, running on past it, reads lines that
            // are the neighbour's. So those lines are at the outer ends of the pair only, not also in the middle.
            StreamColumns(ref job, j0, j1, descending: index % 2 == 0 && j1 < job.N);
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
    // into accumulators acc[i, j] kept in L1: four rows of B (in L1 by then) meet two rows of A at a time, whose
    // eight scalars stay in registers. Per element this is the same FMA chain over p in order as a register
    // accumulator would be.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StreamColumns(ref Job job, int j0, int j1, bool descending)
    {
        int k = job.K, m = job.M, w = j1 - j0;
        nint ldb = job.Ldb, lda = job.Lda;
        float* acc = GemmScratch.Current.Accumulators(m * w);
        new Span<float>(acc, m * w).Clear();
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* b = job.B + p * ldb + j0;
            for (int i = 0; i < m; i += 2)
            {
                if (i + 1 < m) Stream4<GemmRows.R2>(acc + i * w, w, job.A + i * lda + p, lda, b, ldb, descending);
                else Stream4<GemmRows.R1>(acc + i * w, w, job.A + i * lda + p, lda, b, ldb, descending);
            }
        }
        for (; p < k; p++)
        {
            float* b = job.B + p * ldb + j0;
            for (int i = 0; i < m; i++)
            {
                float ai = job.A[i * lda + p];
                float* acci = acc + i * w;
                int j = 0;
                for (; j + 8 <= w; j += 8)
                    Vector256.FusedMultiplyAdd(Vector256.Create(ai), Vector256.Load(b + j), Vector256.Load(acci + j)).Store(acci + j);
                for (; j < w; j++) acci[j] = MathF.FusedMultiplyAdd(ai, b[j], acci[j]);
            }
        }
        for (int i = 0; i < m; i++)
        {
            float* ci = job.C + i * job.Ldc + j0;
            for (int j = 0; j < w; j++) ci[j] = Combine(acc[i * w + j], job.Alpha, job.Beta, ci[j]);
        }
    }

    // For the 1 or 2 rows r of a (lda apart): acc[r, :] += a[r, 0] b[0, :] + ... + a[r, 3] b[3, :] as an FMA chain
    // in that order; b's rows are ldb apart, acc's rows w apart. Columns are independent, so walking them right to
    // left (descending) changes the order of memory accesses only.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stream4<TRows>(float* acc, int w, float* a, nint lda, float* b, nint ldb, bool descending) where TRows : struct, GemmRows.ICount
    {
        float* b1 = b + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
        Vector256<float> x0 = Vector256.Create(a[0]), x1 = Vector256.Create(a[1]), x2 = Vector256.Create(a[2]), x3 = Vector256.Create(a[3]);
        Vector256<float> y0 = default, y1 = default, y2 = default, y3 = default;
        if (TRows.Count > 1)
        {
            y0 = Vector256.Create(a[lda]);
            y1 = Vector256.Create(a[lda + 1]);
            y2 = Vector256.Create(a[lda + 2]);
            y3 = Vector256.Create(a[lda + 3]);
        }
        int vectorEnd = w & ~7;
        if (descending)
            for (int j = vectorEnd - 8; j >= 0; j -= 8)
                Stream4At<TRows>(acc, w, b, b1, b2, b3, j, x0, x1, x2, x3, y0, y1, y2, y3);
        else
            for (int j = 0; j < vectorEnd; j += 8)
                Stream4At<TRows>(acc, w, b, b1, b2, b3, j, x0, x1, x2, x3, y0, y1, y2, y3);
        for (int j = vectorEnd; j < w; j++)
            for (int r = 0; r < TRows.Count; r++)
            {
                float* ar = a + r * lda;
                float x = MathF.FusedMultiplyAdd(ar[0], b[j], acc[r * w + j]);
                x = MathF.FusedMultiplyAdd(ar[1], b1[j], x);
                x = MathF.FusedMultiplyAdd(ar[2], b2[j], x);
                acc[r * w + j] = MathF.FusedMultiplyAdd(ar[3], b3[j], x);
            }
    }

    // Columns j..j+7 of Stream4: the same four FMAs per lane for row 0 (x) and, with two rows, row 1 (y).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Stream4At<TRows>(float* acc, int w, float* b0, float* b1, float* b2, float* b3, int j,
        Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3,
        Vector256<float> y0, Vector256<float> y1, Vector256<float> y2, Vector256<float> y3) where TRows : struct, GemmRows.ICount
    {
        Vector256<float> v0 = Vector256.Load(b0 + j), v1 = Vector256.Load(b1 + j), v2 = Vector256.Load(b2 + j), v3 = Vector256.Load(b3 + j);
        var s = Vector256.FusedMultiplyAdd(x0, v0, Vector256.Load(acc + j));
        s = Vector256.FusedMultiplyAdd(x1, v1, s);
        s = Vector256.FusedMultiplyAdd(x2, v2, s);
        Vector256.FusedMultiplyAdd(x3, v3, s).Store(acc + j);
        if (TRows.Count > 1)
        {
            var t = Vector256.FusedMultiplyAdd(y0, v0, Vector256.Load(acc + w + j));
            t = Vector256.FusedMultiplyAdd(y1, v1, t);
            t = Vector256.FusedMultiplyAdd(y2, v2, t);
            Vector256.FusedMultiplyAdd(y3, v3, t).Store(acc + w + j);
        }
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
