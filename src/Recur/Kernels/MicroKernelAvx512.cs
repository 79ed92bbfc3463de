using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: a 12x32 register tile, 24 accumulators + 2 B vectors + 1 broadcast of the 32 zmm
/// registers. Written with the cross-platform <see cref="Vector512"/> API so it also runs (in software, slowly)
/// where AVX-512 is missing, which lets the tests cover it on any machine.
/// </summary>
internal static unsafe class MicroKernelAvx512
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 12;

    /// <summary>Columns of the register tile (2 vectors of 16).</summary>
    public const int NR = 32;

    /// <summary>Most rows <see cref="TilePair"/> takes: 2 x 2 x rows accumulators must fit the registers.</summary>
    public const int PairRows = 6;

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
            case 6: Tile<GemmRows.R6>(kc, a, b, c, ldc, alpha, beta); break;
            case 7: Tile<GemmRows.R7>(kc, a, b, c, ldc, alpha, beta); break;
            case 8: Tile<GemmRows.R8>(kc, a, b, c, ldc, alpha, beta); break;
            case 9: Tile<GemmRows.R9>(kc, a, b, c, ldc, alpha, beta); break;
            case 10: Tile<GemmRows.R10>(kc, a, b, c, ldc, alpha, beta); break;
            case 11: Tile<GemmRows.R11>(kc, a, b, c, ldc, alpha, beta); break;
            default: Tile<GemmRows.R12>(kc, a, b, c, ldc, alpha, beta); break;
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
        Vector512<float> c000 = default, c001 = default;
        Vector512<float> c010 = default, c011 = default;
        Vector512<float> c020 = default, c021 = default;
        Vector512<float> c030 = default, c031 = default;
        Vector512<float> c040 = default, c041 = default;
        Vector512<float> c050 = default, c051 = default;
        Vector512<float> c060 = default, c061 = default;
        Vector512<float> c070 = default, c071 = default;
        Vector512<float> c080 = default, c081 = default;
        Vector512<float> c090 = default, c091 = default;
        Vector512<float> c100 = default, c101 = default;
        Vector512<float> c110 = default, c111 = default;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            {
                Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
                Vector512<float> ai;
                ai = Vector512.Create(a[0]);
                c000 = Vector512.FusedMultiplyAdd(ai, b0, c000);
                c001 = Vector512.FusedMultiplyAdd(ai, b1, c001);
                if (TRows.Count > 1)
                {
                    ai = Vector512.Create(a[1]);
                    c010 = Vector512.FusedMultiplyAdd(ai, b0, c010);
                    c011 = Vector512.FusedMultiplyAdd(ai, b1, c011);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector512.Create(a[2]);
                    c020 = Vector512.FusedMultiplyAdd(ai, b0, c020);
                    c021 = Vector512.FusedMultiplyAdd(ai, b1, c021);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector512.Create(a[3]);
                    c030 = Vector512.FusedMultiplyAdd(ai, b0, c030);
                    c031 = Vector512.FusedMultiplyAdd(ai, b1, c031);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector512.Create(a[4]);
                    c040 = Vector512.FusedMultiplyAdd(ai, b0, c040);
                    c041 = Vector512.FusedMultiplyAdd(ai, b1, c041);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector512.Create(a[5]);
                    c050 = Vector512.FusedMultiplyAdd(ai, b0, c050);
                    c051 = Vector512.FusedMultiplyAdd(ai, b1, c051);
                }
                if (TRows.Count > 6)
                {
                    ai = Vector512.Create(a[6]);
                    c060 = Vector512.FusedMultiplyAdd(ai, b0, c060);
                    c061 = Vector512.FusedMultiplyAdd(ai, b1, c061);
                }
                if (TRows.Count > 7)
                {
                    ai = Vector512.Create(a[7]);
                    c070 = Vector512.FusedMultiplyAdd(ai, b0, c070);
                    c071 = Vector512.FusedMultiplyAdd(ai, b1, c071);
                }
                if (TRows.Count > 8)
                {
                    ai = Vector512.Create(a[8]);
                    c080 = Vector512.FusedMultiplyAdd(ai, b0, c080);
                    c081 = Vector512.FusedMultiplyAdd(ai, b1, c081);
                }
                if (TRows.Count > 9)
                {
                    ai = Vector512.Create(a[9]);
                    c090 = Vector512.FusedMultiplyAdd(ai, b0, c090);
                    c091 = Vector512.FusedMultiplyAdd(ai, b1, c091);
                }
                if (TRows.Count > 10)
                {
                    ai = Vector512.Create(a[10]);
                    c100 = Vector512.FusedMultiplyAdd(ai, b0, c100);
                    c101 = Vector512.FusedMultiplyAdd(ai, b1, c101);
                }
                if (TRows.Count > 11)
                {
                    ai = Vector512.Create(a[11]);
                    c110 = Vector512.FusedMultiplyAdd(ai, b0, c110);
                    c111 = Vector512.FusedMultiplyAdd(ai, b1, c111);
                }
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 32), b1 = Vector512.Load(b + 48);
                Vector512<float> ai;
                ai = Vector512.Create(a[12]);
                c000 = Vector512.FusedMultiplyAdd(ai, b0, c000);
                c001 = Vector512.FusedMultiplyAdd(ai, b1, c001);
                if (TRows.Count > 1)
                {
                    ai = Vector512.Create(a[13]);
                    c010 = Vector512.FusedMultiplyAdd(ai, b0, c010);
                    c011 = Vector512.FusedMultiplyAdd(ai, b1, c011);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector512.Create(a[14]);
                    c020 = Vector512.FusedMultiplyAdd(ai, b0, c020);
                    c021 = Vector512.FusedMultiplyAdd(ai, b1, c021);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector512.Create(a[15]);
                    c030 = Vector512.FusedMultiplyAdd(ai, b0, c030);
                    c031 = Vector512.FusedMultiplyAdd(ai, b1, c031);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector512.Create(a[16]);
                    c040 = Vector512.FusedMultiplyAdd(ai, b0, c040);
                    c041 = Vector512.FusedMultiplyAdd(ai, b1, c041);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector512.Create(a[17]);
                    c050 = Vector512.FusedMultiplyAdd(ai, b0, c050);
                    c051 = Vector512.FusedMultiplyAdd(ai, b1, c051);
                }
                if (TRows.Count > 6)
                {
                    ai = Vector512.Create(a[18]);
                    c060 = Vector512.FusedMultiplyAdd(ai, b0, c060);
                    c061 = Vector512.FusedMultiplyAdd(ai, b1, c061);
                }
                if (TRows.Count > 7)
                {
                    ai = Vector512.Create(a[19]);
                    c070 = Vector512.FusedMultiplyAdd(ai, b0, c070);
                    c071 = Vector512.FusedMultiplyAdd(ai, b1, c071);
                }
                if (TRows.Count > 8)
                {
                    ai = Vector512.Create(a[20]);
                    c080 = Vector512.FusedMultiplyAdd(ai, b0, c080);
                    c081 = Vector512.FusedMultiplyAdd(ai, b1, c081);
                }
                if (TRows.Count > 9)
                {
                    ai = Vector512.Create(a[21]);
                    c090 = Vector512.FusedMultiplyAdd(ai, b0, c090);
                    c091 = Vector512.FusedMultiplyAdd(ai, b1, c091);
                }
                if (TRows.Count > 10)
                {
                    ai = Vector512.Create(a[22]);
                    c100 = Vector512.FusedMultiplyAdd(ai, b0, c100);
                    c101 = Vector512.FusedMultiplyAdd(ai, b1, c101);
                }
                if (TRows.Count > 11)
                {
                    ai = Vector512.Create(a[23]);
                    c110 = Vector512.FusedMultiplyAdd(ai, b0, c110);
                    c111 = Vector512.FusedMultiplyAdd(ai, b1, c111);
                }
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 64), b1 = Vector512.Load(b + 80);
                Vector512<float> ai;
                ai = Vector512.Create(a[24]);
                c000 = Vector512.FusedMultiplyAdd(ai, b0, c000);
                c001 = Vector512.FusedMultiplyAdd(ai, b1, c001);
                if (TRows.Count > 1)
                {
                    ai = Vector512.Create(a[25]);
                    c010 = Vector512.FusedMultiplyAdd(ai, b0, c010);
                    c011 = Vector512.FusedMultiplyAdd(ai, b1, c011);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector512.Create(a[26]);
                    c020 = Vector512.FusedMultiplyAdd(ai, b0, c020);
                    c021 = Vector512.FusedMultiplyAdd(ai, b1, c021);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector512.Create(a[27]);
                    c030 = Vector512.FusedMultiplyAdd(ai, b0, c030);
                    c031 = Vector512.FusedMultiplyAdd(ai, b1, c031);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector512.Create(a[28]);
                    c040 = Vector512.FusedMultiplyAdd(ai, b0, c040);
                    c041 = Vector512.FusedMultiplyAdd(ai, b1, c041);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector512.Create(a[29]);
                    c050 = Vector512.FusedMultiplyAdd(ai, b0, c050);
                    c051 = Vector512.FusedMultiplyAdd(ai, b1, c051);
                }
                if (TRows.Count > 6)
                {
                    ai = Vector512.Create(a[30]);
                    c060 = Vector512.FusedMultiplyAdd(ai, b0, c060);
                    c061 = Vector512.FusedMultiplyAdd(ai, b1, c061);
                }
                if (TRows.Count > 7)
                {
                    ai = Vector512.Create(a[31]);
                    c070 = Vector512.FusedMultiplyAdd(ai, b0, c070);
                    c071 = Vector512.FusedMultiplyAdd(ai, b1, c071);
                }
                if (TRows.Count > 8)
                {
                    ai = Vector512.Create(a[32]);
                    c080 = Vector512.FusedMultiplyAdd(ai, b0, c080);
                    c081 = Vector512.FusedMultiplyAdd(ai, b1, c081);
                }
                if (TRows.Count > 9)
                {
                    ai = Vector512.Create(a[33]);
                    c090 = Vector512.FusedMultiplyAdd(ai, b0, c090);
                    c091 = Vector512.FusedMultiplyAdd(ai, b1, c091);
                }
                if (TRows.Count > 10)
                {
                    ai = Vector512.Create(a[34]);
                    c100 = Vector512.FusedMultiplyAdd(ai, b0, c100);
                    c101 = Vector512.FusedMultiplyAdd(ai, b1, c101);
                }
                if (TRows.Count > 11)
                {
                    ai = Vector512.Create(a[35]);
                    c110 = Vector512.FusedMultiplyAdd(ai, b0, c110);
                    c111 = Vector512.FusedMultiplyAdd(ai, b1, c111);
                }
            }
            {
                Vector512<float> b0 = Vector512.Load(b + 96), b1 = Vector512.Load(b + 112);
                Vector512<float> ai;
                ai = Vector512.Create(a[36]);
                c000 = Vector512.FusedMultiplyAdd(ai, b0, c000);
                c001 = Vector512.FusedMultiplyAdd(ai, b1, c001);
                if (TRows.Count > 1)
                {
                    ai = Vector512.Create(a[37]);
                    c010 = Vector512.FusedMultiplyAdd(ai, b0, c010);
                    c011 = Vector512.FusedMultiplyAdd(ai, b1, c011);
                }
                if (TRows.Count > 2)
                {
                    ai = Vector512.Create(a[38]);
                    c020 = Vector512.FusedMultiplyAdd(ai, b0, c020);
                    c021 = Vector512.FusedMultiplyAdd(ai, b1, c021);
                }
                if (TRows.Count > 3)
                {
                    ai = Vector512.Create(a[39]);
                    c030 = Vector512.FusedMultiplyAdd(ai, b0, c030);
                    c031 = Vector512.FusedMultiplyAdd(ai, b1, c031);
                }
                if (TRows.Count > 4)
                {
                    ai = Vector512.Create(a[40]);
                    c040 = Vector512.FusedMultiplyAdd(ai, b0, c040);
                    c041 = Vector512.FusedMultiplyAdd(ai, b1, c041);
                }
                if (TRows.Count > 5)
                {
                    ai = Vector512.Create(a[41]);
                    c050 = Vector512.FusedMultiplyAdd(ai, b0, c050);
                    c051 = Vector512.FusedMultiplyAdd(ai, b1, c051);
                }
                if (TRows.Count > 6)
                {
                    ai = Vector512.Create(a[42]);
                    c060 = Vector512.FusedMultiplyAdd(ai, b0, c060);
                    c061 = Vector512.FusedMultiplyAdd(ai, b1, c061);
                }
                if (TRows.Count > 7)
                {
                    ai = Vector512.Create(a[43]);
                    c070 = Vector512.FusedMultiplyAdd(ai, b0, c070);
                    c071 = Vector512.FusedMultiplyAdd(ai, b1, c071);
                }
                if (TRows.Count > 8)
                {
                    ai = Vector512.Create(a[44]);
                    c080 = Vector512.FusedMultiplyAdd(ai, b0, c080);
                    c081 = Vector512.FusedMultiplyAdd(ai, b1, c081);
                }
                if (TRows.Count > 9)
                {
                    ai = Vector512.Create(a[45]);
                    c090 = Vector512.FusedMultiplyAdd(ai, b0, c090);
                    c091 = Vector512.FusedMultiplyAdd(ai, b1, c091);
                }
                if (TRows.Count > 10)
                {
                    ai = Vector512.Create(a[46]);
                    c100 = Vector512.FusedMultiplyAdd(ai, b0, c100);
                    c101 = Vector512.FusedMultiplyAdd(ai, b1, c101);
                }
                if (TRows.Count > 11)
                {
                    ai = Vector512.Create(a[47]);
                    c110 = Vector512.FusedMultiplyAdd(ai, b0, c110);
                    c111 = Vector512.FusedMultiplyAdd(ai, b1, c111);
                }
            }
            a += 4 * MR;
            b += 4 * NR;
        }
        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a[0]);
            c000 = Vector512.FusedMultiplyAdd(ai, b0, c000);
            c001 = Vector512.FusedMultiplyAdd(ai, b1, c001);
            if (TRows.Count > 1)
            {
                ai = Vector512.Create(a[1]);
                c010 = Vector512.FusedMultiplyAdd(ai, b0, c010);
                c011 = Vector512.FusedMultiplyAdd(ai, b1, c011);
            }
            if (TRows.Count > 2)
            {
                ai = Vector512.Create(a[2]);
                c020 = Vector512.FusedMultiplyAdd(ai, b0, c020);
                c021 = Vector512.FusedMultiplyAdd(ai, b1, c021);
            }
            if (TRows.Count > 3)
            {
                ai = Vector512.Create(a[3]);
                c030 = Vector512.FusedMultiplyAdd(ai, b0, c030);
                c031 = Vector512.FusedMultiplyAdd(ai, b1, c031);
            }
            if (TRows.Count > 4)
            {
                ai = Vector512.Create(a[4]);
                c040 = Vector512.FusedMultiplyAdd(ai, b0, c040);
                c041 = Vector512.FusedMultiplyAdd(ai, b1, c041);
            }
            if (TRows.Count > 5)
            {
                ai = Vector512.Create(a[5]);
                c050 = Vector512.FusedMultiplyAdd(ai, b0, c050);
                c051 = Vector512.FusedMultiplyAdd(ai, b1, c051);
            }
            if (TRows.Count > 6)
            {
                ai = Vector512.Create(a[6]);
                c060 = Vector512.FusedMultiplyAdd(ai, b0, c060);
                c061 = Vector512.FusedMultiplyAdd(ai, b1, c061);
            }
            if (TRows.Count > 7)
            {
                ai = Vector512.Create(a[7]);
                c070 = Vector512.FusedMultiplyAdd(ai, b0, c070);
                c071 = Vector512.FusedMultiplyAdd(ai, b1, c071);
            }
            if (TRows.Count > 8)
            {
                ai = Vector512.Create(a[8]);
                c080 = Vector512.FusedMultiplyAdd(ai, b0, c080);
                c081 = Vector512.FusedMultiplyAdd(ai, b1, c081);
            }
            if (TRows.Count > 9)
            {
                ai = Vector512.Create(a[9]);
                c090 = Vector512.FusedMultiplyAdd(ai, b0, c090);
                c091 = Vector512.FusedMultiplyAdd(ai, b1, c091);
            }
            if (TRows.Count > 10)
            {
                ai = Vector512.Create(a[10]);
                c100 = Vector512.FusedMultiplyAdd(ai, b0, c100);
                c101 = Vector512.FusedMultiplyAdd(ai, b1, c101);
            }
            if (TRows.Count > 11)
            {
                ai = Vector512.Create(a[11]);
                c110 = Vector512.FusedMultiplyAdd(ai, b0, c110);
                c111 = Vector512.FusedMultiplyAdd(ai, b1, c111);
            }
            a += MR;
            b += NR;
        }
        Vector512<float> va = Vector512.Create(alpha);
        Store(c + 0 * ldc, c000, va, beta);
        Store(c + 0 * ldc + 16, c001, va, beta);
        if (TRows.Count == 1) return;
        Store(c + 1 * ldc, c010, va, beta);
        Store(c + 1 * ldc + 16, c011, va, beta);
        if (TRows.Count == 2) return;
        Store(c + 2 * ldc, c020, va, beta);
        Store(c + 2 * ldc + 16, c021, va, beta);
        if (TRows.Count == 3) return;
        Store(c + 3 * ldc, c030, va, beta);
        Store(c + 3 * ldc + 16, c031, va, beta);
        if (TRows.Count == 4) return;
        Store(c + 4 * ldc, c040, va, beta);
        Store(c + 4 * ldc + 16, c041, va, beta);
        if (TRows.Count == 5) return;
        Store(c + 5 * ldc, c050, va, beta);
        Store(c + 5 * ldc + 16, c051, va, beta);
        if (TRows.Count == 6) return;
        Store(c + 6 * ldc, c060, va, beta);
        Store(c + 6 * ldc + 16, c061, va, beta);
        if (TRows.Count == 7) return;
        Store(c + 7 * ldc, c070, va, beta);
        Store(c + 7 * ldc + 16, c071, va, beta);
        if (TRows.Count == 8) return;
        Store(c + 8 * ldc, c080, va, beta);
        Store(c + 8 * ldc + 16, c081, va, beta);
        if (TRows.Count == 9) return;
        Store(c + 9 * ldc, c090, va, beta);
        Store(c + 9 * ldc + 16, c091, va, beta);
        if (TRows.Count == 10) return;
        Store(c + 10 * ldc, c100, va, beta);
        Store(c + 10 * ldc + 16, c101, va, beta);
        if (TRows.Count == 11) return;
        Store(c + 11 * ldc, c110, va, beta);
        Store(c + 11 * ldc + 16, c111, va, beta);
    }

    /// <summary>
    /// The first <paramref name="rows"/> (1..6) rows of two adjacent tiles at once, from two packed B panels
    /// (the second at b + kc*NR): with so few rows one tile has too few independent FMA chains to hide the FMA
    /// latency, two have enough. Per element the same arithmetic as <see cref="Tile"/>.
    /// </summary>
    public static void TilePair(int rows, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        switch (rows)
        {
            case 1: TilePair<GemmRows.R1>(kc, a, b, c, ldc, alpha, beta); break;
            case 2: TilePair<GemmRows.R2>(kc, a, b, c, ldc, alpha, beta); break;
            case 3: TilePair<GemmRows.R3>(kc, a, b, c, ldc, alpha, beta); break;
            case 4: TilePair<GemmRows.R4>(kc, a, b, c, ldc, alpha, beta); break;
            case 5: TilePair<GemmRows.R5>(kc, a, b, c, ldc, alpha, beta); break;
            default: TilePair<GemmRows.R6>(kc, a, b, c, ldc, alpha, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TilePair<TRows>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) where TRows : struct, GemmRows.ICount
    {
        float* bNext = b + kc * NR;
        for (int r = 0; r < TRows.Count; r++) GemmPrefetch.Row(c + r * ldc, 2 * NR);
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(bNext), b3 = Vector512.Load(bNext + 16);
            Vector512<float> ai;
            ai = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(ai, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(ai, b3, c03);
            if (TRows.Count > 1)
            {
                ai = Vector512.Create(a[1]);
                c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
                c12 = Vector512.FusedMultiplyAdd(ai, b2, c12);
                c13 = Vector512.FusedMultiplyAdd(ai, b3, c13);
            }
            if (TRows.Count > 2)
            {
                ai = Vector512.Create(a[2]);
                c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
                c22 = Vector512.FusedMultiplyAdd(ai, b2, c22);
                c23 = Vector512.FusedMultiplyAdd(ai, b3, c23);
            }
            if (TRows.Count > 3)
            {
                ai = Vector512.Create(a[3]);
                c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
                c32 = Vector512.FusedMultiplyAdd(ai, b2, c32);
                c33 = Vector512.FusedMultiplyAdd(ai, b3, c33);
            }
            if (TRows.Count > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
                c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
                c42 = Vector512.FusedMultiplyAdd(ai, b2, c42);
                c43 = Vector512.FusedMultiplyAdd(ai, b3, c43);
            }
            if (TRows.Count > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
                c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
                c52 = Vector512.FusedMultiplyAdd(ai, b2, c52);
                c53 = Vector512.FusedMultiplyAdd(ai, b3, c53);
            }
            a += MR;
            b += NR;
            bNext += NR;
        }
        Vector512<float> va = Vector512.Create(alpha);
        Store(c + 0 * ldc, c00, va, beta);
        Store(c + 0 * ldc + 16, c01, va, beta);
        Store(c + 0 * ldc + 32, c02, va, beta);
        Store(c + 0 * ldc + 48, c03, va, beta);
        if (TRows.Count == 1) return;
        Store(c + 1 * ldc, c10, va, beta);
        Store(c + 1 * ldc + 16, c11, va, beta);
        Store(c + 1 * ldc + 32, c12, va, beta);
        Store(c + 1 * ldc + 48, c13, va, beta);
        if (TRows.Count == 2) return;
        Store(c + 2 * ldc, c20, va, beta);
        Store(c + 2 * ldc + 16, c21, va, beta);
        Store(c + 2 * ldc + 32, c22, va, beta);
        Store(c + 2 * ldc + 48, c23, va, beta);
        if (TRows.Count == 3) return;
        Store(c + 3 * ldc, c30, va, beta);
        Store(c + 3 * ldc + 16, c31, va, beta);
        Store(c + 3 * ldc + 32, c32, va, beta);
        Store(c + 3 * ldc + 48, c33, va, beta);
        if (TRows.Count == 4) return;
        Store(c + 4 * ldc, c40, va, beta);
        Store(c + 4 * ldc + 16, c41, va, beta);
        Store(c + 4 * ldc + 32, c42, va, beta);
        Store(c + 4 * ldc + 48, c43, va, beta);
        if (TRows.Count == 5) return;
        Store(c + 5 * ldc, c50, va, beta);
        Store(c + 5 * ldc + 16, c51, va, beta);
        Store(c + 5 * ldc + 32, c52, va, beta);
        Store(c + 5 * ldc + 48, c53, va, beta);
    }

    // c = alpha * acc + beta * c; beta == 0 writes without reading (C may hold NaN), beta == 1 adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> acc, Vector512<float> alpha, float beta)
    {
        Vector512<float> t = acc * alpha;
        if (beta == 0) t.Store(c);
        else if (beta == 1) (Vector512.Load(c) + t).Store(c);
        else Vector512.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), t).Store(c);
    }
}
