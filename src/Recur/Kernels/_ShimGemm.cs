// TEMPORARY shim, not committed: replaced by the gemm and elementwise branches.
#pragma warning disable CS1591
using System.Runtime.Intrinsics;
using Recur.Tensors;
namespace Recur.Kernels;
public static class Gemm {
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = (float)(alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]));
            }
    }
    public static void Sgemm(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedMatrix b, float beta, Span<float> c, int ldc)
        => Sgemm(transA, b.T, m, b.N, b.K, alpha, a, lda, b.Data, b.Ld, beta, c, ldc);
}
public sealed class PackedMatrix {
    public PackedMatrix(int k, int n) { K = k; N = n; }
    public int K { get; } public int N { get; }
    internal float[] Data = []; internal bool T; internal int Ld;
    public void Pack(bool transB, ReadOnlySpan<float> b, int ldb) { Data = b.ToArray(); T = transB; Ld = ldb; }
}
public static unsafe class ParallelLoop {
    public static void For(int count, delegate* managed<void*, int, void> body, void* context) { for (int i = 0; i < count; i++) body(context, i); }
}
