namespace Recur.Kernels.Reference;

/// <summary>
/// The obviously-correct GEMM the fast one is tested against: plain loops, sums in double.
/// Same contract as <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
/// </summary>
public static class GemmReference
{
    /// <summary>C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C; beta == 0 does not read C.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Gemm.CheckSize(m, nameof(m));
        Gemm.CheckSize(n, nameof(n));
        Gemm.CheckSize(k, nameof(k));
        Gemm.CheckOperand(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda), "A");
        Gemm.CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b), nameof(ldb), "B");
        Gemm.CheckOperand(c.Length, m, n, ldc, nameof(c), nameof(ldc), "C");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transA ? a[p * lda + i] : a[i * lda + p];
                    double y = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                }
                double result = alpha * sum;
                if (beta != 0) result += beta * (double)c[i * ldc + j];
                c[i * ldc + j] = (float)result;
            }
        }
    }
}
