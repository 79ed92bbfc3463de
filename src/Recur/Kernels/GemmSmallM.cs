using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Products with few rows (m &lt;= <see cref="MaxRows"/>, e.g. an RNN time step at batch 1..4) read op(B) in place:
/// packing B would cost about as much as the product, since each element of B is used only m times.
/// <list type="bullet">
/// <item>Row-major B (op(B)[p, j] = b[p*ldb + j]): <c>c[i, j..j+32] += a[i, p] * b[p, j..j+32]</c> over p in
/// order (axpy form), two rows of A per pass.</item>
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

    private struct Job
    {
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public bool TransB;
        public int M, N, K, ChunkCols;
        public float Alpha, Beta;
    }

    private interface IRows { static abstract int Count { get; } }
    private struct OneRow : IRows { public static int Count => 1; }
    private struct TwoRows : IRows { public static int Count => 2; }

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
        int chunks = threads == 1 ? 1 : Math.Clamp(n / 128, 1, 2 * threads);
        job.ChunkCols = GemmDriver.RoundUp((n + chunks - 1) / chunks, 32);
        ParallelLoop.For((n + job.ChunkCols - 1) / job.ChunkCols, &RunChunk, &job);
    }

    private static void RunChunk(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        int j0 = index * job.ChunkCols, j1 = Math.Min(job.N, j0 + job.ChunkCols);
        for (int i = 0; i < job.M; i += 2)
        {
            bool two = i + 1 < job.M;
            float* a = job.A + i * job.Lda;
            float* c = job.C + i * job.Ldc;
            if (job.TransB)
            {
                if (two) DotColumns<TwoRows>(ref job, a, c, j0, j1);
                else DotColumns<OneRow>(ref job, a, c, j0, j1);
            }
            else
            {
                if (two) AxpyColumns<TwoRows>(ref job, a, c, j0, j1);
                else AxpyColumns<OneRow>(ref job, a, c, j0, j1);
            }
        }
    }

    // Rows a (and a + lda) times op(B)[:, j0..j1), row-major B.
    private static void AxpyColumns<TRows>(ref Job job, float* a, float* c, int j0, int j1) where TRows : struct, IRows
    {
        int k = job.K;
        nint ldb = job.Ldb, ldc = job.Ldc;
        float* a1 = a + job.Lda;
        var alpha = Vector256.Create(job.Alpha);
        float beta = job.Beta;
        int j = j0;
        for (; j + 32 <= j1; j += 32)
        {
            Vector256<float> x0 = default, x1 = default, x2 = default, x3 = default;
            Vector256<float> y0 = default, y1 = default, y2 = default, y3 = default;
            float* b = job.B + j;
            for (int p = 0; p < k; p++, b += ldb)
            {
                Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8), b2 = Vector256.Load(b + 16), b3 = Vector256.Load(b + 24);
                var s = Vector256.Create(a[p]);
                x0 = Vector256.FusedMultiplyAdd(s, b0, x0);
                x1 = Vector256.FusedMultiplyAdd(s, b1, x1);
                x2 = Vector256.FusedMultiplyAdd(s, b2, x2);
                x3 = Vector256.FusedMultiplyAdd(s, b3, x3);
                if (TRows.Count == 2)
                {
                    s = Vector256.Create(a1[p]);
                    y0 = Vector256.FusedMultiplyAdd(s, b0, y0);
                    y1 = Vector256.FusedMultiplyAdd(s, b1, y1);
                    y2 = Vector256.FusedMultiplyAdd(s, b2, y2);
                    y3 = Vector256.FusedMultiplyAdd(s, b3, y3);
                }
            }
            float* cj = c + j;
            Store(cj, x0, alpha, beta);
            Store(cj + 8, x1, alpha, beta);
            Store(cj + 16, x2, alpha, beta);
            Store(cj + 24, x3, alpha, beta);
            if (TRows.Count == 2)
            {
                Store(cj + ldc, y0, alpha, beta);
                Store(cj + ldc + 8, y1, alpha, beta);
                Store(cj + ldc + 16, y2, alpha, beta);
                Store(cj + ldc + 24, y3, alpha, beta);
            }
        }
        for (; j + 8 <= j1; j += 8)
        {
            Vector256<float> x0 = default, y0 = default;
            float* b = job.B + j;
            for (int p = 0; p < k; p++, b += ldb)
            {
                var b0 = Vector256.Load(b);
                x0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[p]), b0, x0);
                if (TRows.Count == 2) y0 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[p]), b0, y0);
            }
            Store(c + j, x0, alpha, beta);
            if (TRows.Count == 2) Store(c + ldc + j, y0, alpha, beta);
        }
        for (; j < j1; j++)
        {
            float x0 = 0, y0 = 0;
            float* b = job.B + j;
            for (int p = 0; p < k; p++, b += ldb)
            {
                x0 = MathF.FusedMultiplyAdd(a[p], *b, x0);
                if (TRows.Count == 2) y0 = MathF.FusedMultiplyAdd(a1[p], *b, y0);
            }
            c[j] = Combine(x0, job.Alpha, beta, c[j]);
            if (TRows.Count == 2) c[ldc + j] = Combine(y0, job.Alpha, beta, c[ldc + j]);
        }
    }

    // Rows a (and a + lda) times op(B)[:, j0..j1) with op(B)[p, j] = b[j*ldb + p]: dot products of contiguous rows.
    private static void DotColumns<TRows>(ref Job job, float* a, float* c, int j0, int j1) where TRows : struct, IRows
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> acc, Vector256<float> alpha, float beta)
    {
        Vector256<float> t = acc * alpha;
        if (beta == 0) t.Store(c);
        else if (beta == 1) (Vector256.Load(c) + t).Store(c);
        else Vector256.FusedMultiplyAdd(Vector256.Load(c), Vector256.Create(beta), t).Store(c);
    }
}
