using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// The portable micro-kernel: a 6x8 register tile of 128-bit vectors (12 accumulators fit the 16 registers of
/// SSE and leave room on NEON's 32). For CPUs without AVX2, e.g. older x64 or Arm64. Multiply-adds are fused where
/// the CPU has FMA (Arm64, x64 with FMA3) and a multiply then an add elsewhere, rather than a slow software FMA.
/// </summary>
internal static unsafe class MicroKernelVector128
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile (2 vectors of 4).</summary>
    public const int NR = 8;

    /// <summary>Most rows <see cref="TilePair"/> takes: 2 x 2 x rows accumulators must fit the registers.</summary>
    public const int PairRows = 2;

    /// <summary>The first <paramref name="rows"/> (1..MR) rows of a tile, see <see cref="GemmKernel"/>.</summary>
    public static void Tile(int rows, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        switch (rows)
        {
            case 1: Tile<GemmRows.R1>(kc, a, b, c, ldc, alpha, beta); break;
            case 2: Tile<GemmRows.R2>(kc, a, b, c, ldc, alpha, beta); break;
            case 3: Tile<GemmRows.R3>(kc, a, b, c, ldc, alpha, beta); break;
            case 4: Tile<GemmRows.R4>(kc, a, b, c, ldc, alpha, beta); break;
            case 5: Tile<GemmRows.R5>(kc, a, b, c, ldc, alpha, beta); break;
            default: Tile<GemmRows.R6>(kc, a, b, c, ldc, alpha, beta); break;
        }
    }

    /// <summary>
    /// C[rows, NR] = alpha * (Ap[rows, kc] * Bp[kc, NR]) + beta * C for the first TRows.Count rows of a packed
    /// MR-row panel (see <see cref="GemmKernel"/>); the row count is a compile-time constant per instantiation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) where TRows : struct, GemmRows.ICount
    {
        // C is read (or written) once at the end: start fetching its rows now, behind the FMAs.
        for (int r = 0; r < TRows.Count; r++) GemmPrefetch.Row(c + r * ldc, NR);
        Vector128<float> c00 = default, c01 = default;
        Vector128<float> c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default;
        Vector128<float> c50 = default, c51 = default;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            {
                Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
                Vector128<float> ai;
                ai = Vector128.Create(a[0]);
                c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
                if (TRows.Count > 1)
                {
                    ai = Vector128.Create(a[1]);
                    c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                    c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector128.Create(a[2]);
                    c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
                    c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector128.Create(a[3]);
                    c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
                    c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector128.Create(a[4]);
                    c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
                    c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector128.Create(a[5]);
                    c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
                    c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
                }
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 8), b1 = Vector128.Load(b + 12);
                Vector128<float> ai;
                ai = Vector128.Create(a[6]);
                c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
                if (TRows.Count > 1)
                {
                    ai = Vector128.Create(a[7]);
                    c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                    c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector128.Create(a[8]);
                    c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
                    c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector128.Create(a[9]);
                    c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
                    c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector128.Create(a[10]);
                    c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
                    c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector128.Create(a[11]);
                    c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
                    c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
                }
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 16), b1 = Vector128.Load(b + 20);
                Vector128<float> ai;
                ai = Vector128.Create(a[12]);
                c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
                if (TRows.Count > 1)
                {
                    ai = Vector128.Create(a[13]);
                    c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                    c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector128.Create(a[14]);
                    c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
                    c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector128.Create(a[15]);
                    c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
                    c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector128.Create(a[16]);
                    c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
                    c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector128.Create(a[17]);
                    c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
                    c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
                }
            }
            {
                Vector128<float> b0 = Vector128.Load(b + 24), b1 = Vector128.Load(b + 28);
                Vector128<float> ai;
                ai = Vector128.Create(a[18]);
                c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
                c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
                if (TRows.Count > 1)
                {
                    ai = Vector128.Create(a[19]);
                    c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                    c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector128.Create(a[20]);
                    c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
                    c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector128.Create(a[21]);
                    c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
                    c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector128.Create(a[22]);
                    c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
                    c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector128.Create(a[23]);
                    c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
                    c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
                }
            }
            a += 4 * MR;
            b += 4 * NR;
        }
        for (; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4);
            Vector128<float> ai;
            ai = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
            if (TRows.Count > 1)
            {
                ai = Vector128.Create(a[1]);
                c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
            }
            if (TRows.Count > 2)
            {
                ai = Vector128.Create(a[2]);
                c20 = Vector128.MultiplyAddEstimate(ai, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(ai, b1, c21);
            }
            if (TRows.Count > 3)
            {
                ai = Vector128.Create(a[3]);
                c30 = Vector128.MultiplyAddEstimate(ai, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(ai, b1, c31);
            }
            if (TRows.Count > 4)
            {
                ai = Vector128.Create(a[4]);
                c40 = Vector128.MultiplyAddEstimate(ai, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(ai, b1, c41);
            }
            if (TRows.Count > 5)
            {
                ai = Vector128.Create(a[5]);
                c50 = Vector128.MultiplyAddEstimate(ai, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(ai, b1, c51);
            }
            a += MR;
            b += NR;
        }
        Vector128<float> va = Vector128.Create(alpha);
        Store(c + 0 * ldc, c00, va, beta);
        Store(c + 0 * ldc + 4, c01, va, beta);
        if (TRows.Count == 1) return;
        Store(c + 1 * ldc, c10, va, beta);
        Store(c + 1 * ldc + 4, c11, va, beta);
        if (TRows.Count == 2) return;
        Store(c + 2 * ldc, c20, va, beta);
        Store(c + 2 * ldc + 4, c21, va, beta);
        if (TRows.Count == 3) return;
        Store(c + 3 * ldc, c30, va, beta);
        Store(c + 3 * ldc + 4, c31, va, beta);
        if (TRows.Count == 4) return;
        Store(c + 4 * ldc, c40, va, beta);
        Store(c + 4 * ldc + 4, c41, va, beta);
        if (TRows.Count == 5) return;
        Store(c + 5 * ldc, c50, va, beta);
        Store(c + 5 * ldc + 4, c51, va, beta);
    }

    /// <summary>
    /// The first <paramref name="rows"/> (1..2) rows of two adjacent tiles at once, from two packed B panels
    /// (the second at b + kc*NR): with so few rows one tile has too few independent FMA chains to hide the FMA
    /// latency, two have enough. Per element the same arithmetic as <see cref="Tile"/>.
    /// </summary>
    public static void TilePair(int rows, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        switch (rows)
        {
            case 1: TilePair<GemmRows.R1>(kc, a, b, c, ldc, alpha, beta); break;
            default: TilePair<GemmRows.R2>(kc, a, b, c, ldc, alpha, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TilePair<TRows>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) where TRows : struct, GemmRows.ICount
    {
        float* bNext = b + kc * NR;
        for (int r = 0; r < TRows.Count; r++) GemmPrefetch.Row(c + r * ldc, 2 * NR);
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), b2 = Vector128.Load(bNext), b3 = Vector128.Load(bNext + 4);
            Vector128<float> ai;
            ai = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(ai, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(ai, b1, c01);
            c02 = Vector128.MultiplyAddEstimate(ai, b2, c02);
            c03 = Vector128.MultiplyAddEstimate(ai, b3, c03);
            if (TRows.Count > 1)
            {
                ai = Vector128.Create(a[1]);
                c10 = Vector128.MultiplyAddEstimate(ai, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(ai, b1, c11);
                c12 = Vector128.MultiplyAddEstimate(ai, b2, c12);
                c13 = Vector128.MultiplyAddEstimate(ai, b3, c13);
            }
            a += MR;
            b += NR;
            bNext += NR;
        }
        Vector128<float> va = Vector128.Create(alpha);
        Store(c + 0 * ldc, c00, va, beta);
        Store(c + 0 * ldc + 4, c01, va, beta);
        Store(c + 0 * ldc + 8, c02, va, beta);
        Store(c + 0 * ldc + 12, c03, va, beta);
        if (TRows.Count == 1) return;
        Store(c + 1 * ldc, c10, va, beta);
        Store(c + 1 * ldc + 4, c11, va, beta);
        Store(c + 1 * ldc + 8, c12, va, beta);
        Store(c + 1 * ldc + 12, c13, va, beta);
    }

    // c = alpha * acc + beta * c; beta == 0 writes without reading (C may hold NaN), beta == 1 adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector128<float> acc, Vector128<float> alpha, float beta)
    {
        Vector128<float> t = acc * alpha;
        if (beta == 0) t.Store(c);
        else if (beta == 1) (Vector128.Load(c) + t).Store(c);
        else Vector128.MultiplyAddEstimate(Vector128.Load(c), Vector128.Create(beta), t).Store(c);
    }
}
