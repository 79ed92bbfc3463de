using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layout the micro-kernels stream through (see
/// <see cref="GemmKernel"/>). Padding rows/columns of a partial panel are zero, so a partial tile computes
/// with the full-size kernel.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into ceil(mc/mr) panels of mr x kc, panel q at dst + q*mr*kc holding
    /// op(A)[i0 + q*mr + r, p0 + p] at p*mr + r. op(A)[i, p] is a[i*lda + p], or a[p*lda + i] when transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* dst, float* a, nint lda, bool transA, int i0, int mc, int p0, int kc, int mr)
    {
        if (transA)
        {
            // Row p of the stored A holds op(A)[i, p] for consecutive i, mr of them per panel. Eight rows at a time
            // are dealt to all panels: each cache line of A is read once, each panel written in 8*mr runs.
            float* rowBlock = a + p0 * lda + i0;
            for (int pb = 0; pb < kc; pb += 8, rowBlock += 8 * lda)
            {
                int pEnd = Math.Min(8, kc - pb);
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int rows = Math.Min(mr, mc - ir);
                    float* d = dst + ir * kc + pb * mr;
                    for (int p = 0; p < pEnd; p++) CopyPadded(rowBlock + p * lda + ir, d + p * mr, rows, mr);
                }
            }
            return;
        }
        for (int ir = 0; ir < mc; ir += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            float* first = a + (i0 + ir) * lda + p0;
            int p8 = GemmTranspose.IsSupported ? kc & ~7 : 0;
            for (int p = 0; p < p8; p += 8)
                for (int g = 0; g < mr; g += 8)
                    GemmTranspose.Block(first + g * lda + p, lda, Math.Clamp(rows - g, 0, 8), dst + p * mr + g, mr, Math.Min(8, mr - g));
            for (int r = 0; r < mr; r++)
            {
                float* d = dst + r;
                if (r >= rows)
                {
                    for (int p = p8; p < kc; p++) d[p * mr] = 0;
                    continue;
                }
                float* src = first + r * lda;
                for (int p = p8; p < kc; p++) d[p * mr] = src[p];
            }
        }
    }

    // Copies count floats and zero-fills up to width.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(float* src, float* dst, int count, int width)
    {
        int r = 0;
        for (; r + 4 <= count; r += 4) Vector128.Store(Vector128.Load(src + r), dst + r);
        if (r + 2 <= count)
        {
            *(long*)(dst + r) = *(long*)(src + r);
            r += 2;
        }
        if (r < count)
        {
            dst[r] = src[r];
            r++;
        }
        for (; r < width; r++) dst[r] = 0;
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into ceil(nc/nr) panels of kc x nr, panel q at dst + q*nr*kc holding
    /// op(B)[p0 + p, j0 + q*nr + j] at p*nr + j. op(B)[p, j] is b[p*ldb + j], or b[j*ldb + p] when transposed.
    /// <paramref name="prefetchNext"/>: the panel after the last one will be packed next; start fetching it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* dst, float* b, nint ldb, bool transB, int p0, int kc, int j0, int nc, int nr, bool prefetchNext)
    {
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (transB)
            {
                float* first = b + (j0 + jr) * ldb + p0;
                int p8 = cols == nr && GemmTranspose.IsSupported ? kc & ~7 : 0;
                for (int p = 0; p < p8; p += 8)
                    for (int j = 0; j < nr; j += 8)
                        GemmTranspose.Block(first + j * ldb + p, ldb, 8, dst + p * nr + j, nr, 8);
                for (int j = 0; j < nr; j++)
                {
                    float* d = dst + j;
                    if (j >= cols)
                    {
                        for (int p = 0; p < kc; p++) d[p * nr] = 0;
                        continue;
                    }
                    float* src = first + j * ldb;
                    for (int p = p8; p < kc; p++) d[p * nr] = src[p];
                }
            }
            else
            {
                float* src = b + p0 * ldb + j0 + jr;
                bool more = jr + nr < nc || prefetchNext; // the next panel's rows start one panel further: fetch them meanwhile
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    float* d = dst + p * nr;
                    int j = 0;
                    if (cols == nr)
                    {
                        if (more) GemmPrefetch.Row(src + nr, nr);
                        if (Vector256.IsHardwareAccelerated)
                            for (; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), d + j);
                        else
                            for (; j < nr; j += 4) Vector128.Store(Vector128.Load(src + j), d + j);
                    }
                    for (; j < cols; j++) d[j] = src[j];
                    for (; j < nr; j++) d[j] = 0;
                }
            }
        }
    }
}
