namespace Recur.Kernels;

/// <summary>
/// One GEMM micro-kernel and the blocking that feeds it. The micro-kernel computes an MR x NR tile of C from a
/// packed MR x kc panel of op(A) (column after column: MR values per k) and a packed kc x NR panel of op(B)
/// (row after row: NR values per k): <c>C = alpha * (Ap * Bp) + beta * C</c>, where beta == 0 never reads C.
/// The kernel takes the number of rows to compute, so the last, partial row panel of C costs only its rows and
/// gets the same per-element arithmetic as the others.
/// Blocks: kc &lt;= KC rows of op(B) per pass (a B panel of KC x NR stays in L1), mc &lt;= MC rows of op(A) per
/// packed A block (MC x KC stays in L2).
/// </summary>
internal readonly unsafe struct GemmKernel
{
    /// <summary>Widest NR of any path: a <see cref="PackedMatrix"/> pads its columns to a multiple of this.</summary>
    public const int MaxNR = 32;

    public readonly KernelIsa Isa;
    public readonly int MR, NR, KC, MC, PairRows;

    /// <summary>kernel(rows, kc, aPanel, bPanel, c, ldc, alpha, beta): the first <c>rows</c> (1..MR) rows of a tile.</summary>
    public readonly delegate* managed<int, int, float*, float*, float*, nint, float, float, void> Tile;

    /// <summary>The same for up to PairRows rows of two adjacent tiles (B panels at bPanel and bPanel + kc*NR).</summary>
    public readonly delegate* managed<int, int, float*, float*, float*, nint, float, float, void> TilePair;

    private GemmKernel(KernelIsa isa, int mr, int nr, int pairRows, int kc, int mc,
        delegate* managed<int, int, float*, float*, float*, nint, float, float, void> tile,
        delegate* managed<int, int, float*, float*, float*, nint, float, float, void> tilePair)
    {
        Isa = isa;
        MR = mr;
        NR = nr;
        KC = kc;
        MC = mc;
        PairRows = pairRows;
        Tile = tile;
        TilePair = tilePair;
    }

    /// <summary>
    /// The kernel for a resolved ISA (not Auto). KC = 256, MC = 144: on Zen 3 (32 KB L1, 512 KB L2) KC 256..512 and
    /// MC 72..288 were within 3% of each other; 256 x 16 floats of B panel leave half of L1 for the A panel and C.
    /// </summary>
    public static GemmKernel For(KernelIsa isa) => isa switch
    {
        KernelIsa.Avx512 => new(isa, MicroKernelAvx512.MR, MicroKernelAvx512.NR, MicroKernelAvx512.PairRows, 256, 144, &MicroKernelAvx512.Tile, &MicroKernelAvx512.TilePair),
        KernelIsa.Avx2 => new(isa, MicroKernelAvx2.MR, MicroKernelAvx2.NR, MicroKernelAvx2.PairRows, 256, 144, &MicroKernelAvx2.Tile, &MicroKernelAvx2.TilePair),
        _ => new(KernelIsa.Vector128, MicroKernelVector128.MR, MicroKernelVector128.NR, MicroKernelVector128.PairRows, 256, 144, &MicroKernelVector128.Tile, &MicroKernelVector128.TilePair),
    };
}
