namespace Recur.Kernels;

/// <summary>
/// op(B) [K, N] packed once into the panel layout of the GEMM micro-kernel, for a B that multiplies many times
/// (an RNN's recurrent weights are used at every time step): <see cref="Gemm.Sgemm(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>
/// then skips packing B. The layout follows the ISA in use when <see cref="Pack"/> ran; products with this matrix
/// use that ISA's micro-kernel. Holds K * roundup(N, 32) floats, allocated once.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly float[] _data;
    private GemmKernel _kernel;
    private bool _packed;

    /// <summary>Creates an empty (unpacked) matrix for an op(B) of <paramref name="k"/> rows and <paramref name="n"/> columns.</summary>
    public PackedMatrix(int k, int n)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), $"k must be non-negative, got {k}");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be non-negative, got {n}");
        K = k;
        N = n;
        Width = GemmDriver.RoundUp(n, GemmKernel.MaxNR);
        _data = new float[checked((long)k * Width)];
    }

    /// <summary>Rows of op(B) (the inner dimension of the product).</summary>
    public int K { get; }

    /// <summary>Columns of op(B) (the columns of the product).</summary>
    public int N { get; }

    // Packed row width: N rounded up to a multiple of every NR.
    internal int Width { get; }

    internal bool IsPacked => _packed;

    internal GemmKernel Kernel => _kernel;

    /// <summary>
    /// Packs op(B), overwriting the previous contents; allocates nothing. op(B) is <paramref name="b"/> [K, N] with
    /// leading dimension <paramref name="ldb"/> when <paramref name="transB"/> is false, else the transpose of
    /// <paramref name="b"/> stored as [N, K] (e.g. PyTorch's weight_hh [4H, H] for h @ W^T).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ldb"/> or the length of <paramref name="b"/> is too small.</exception>
    public void Pack(bool transB, ReadOnlySpan<float> b, int ldb)
    {
        int rows = transB ? N : K, cols = transB ? K : N;
        Gemm.CheckOperand(b.Length, rows, cols, ldb, "b", "ldb", transB ? "B stored transposed" : "B");
        _kernel = GemmKernel.For(KernelConfig.Isa);
        _packed = true;
        if (K == 0 || N == 0) return;
        fixed (float* pb = b)
        fixed (float* dst = _data)
            GemmDriver.Pack(_kernel, transB, K, N, pb, ldb, dst, Width);
    }

    internal float[] Data => _data;

    /// <inheritdoc />
    public override string ToString() => $"PackedMatrix [{K}, {N}]{(_packed ? $" packed for {_kernel.Isa}" : " (not packed)")}";
}
