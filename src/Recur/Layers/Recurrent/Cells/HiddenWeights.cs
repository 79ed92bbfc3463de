using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The recurrent weights a cell step multiplies by: W_hh [G*H, S] in row blocks (the gate rows a cell multiplies
/// separately, <see cref="CellDefinition.HiddenBlockRows"/>), b_hh, and the LSTM projection W_hr [P, H]. A layer's
/// sweep packs them once per forward or backward (<see cref="PackedHiddenWeights"/>); a single-step cell multiplies
/// the parameters as they are (<see cref="DirectHiddenWeights"/>).
/// </summary>
internal abstract class HiddenWeights(Parameter whh, Parameter? bhh, Parameter? whr, int[] blockRows, int stateSize, Parameter[]? own = null)
{
    public Parameter Whh { get; } = whh;

    /// <summary>The cell's own parameters, in the order of <see cref="CellDefinition.OwnParameters"/>.</summary>
    public Parameter[] Own { get; } = own ?? [];
    public Parameter? Bhh { get; } = bhh;
    public Parameter? Whr { get; } = whr;
    protected int[] BlockRows { get; } = blockRows;
    protected int S { get; } = stateSize;

    /// <summary>First gate row of block <paramref name="k"/>.</summary>
    protected int BlockStart(int k)
    {
        int start = 0;
        for (int j = 0; j < k; j++) start += BlockRows[j];
        return start;
    }

    /// <summary>dst [n, rows_k] = src [n, S] W_hh[block k]^T + beta dst.</summary>
    public abstract void MultiplyTransposed(int k, StridedMatrix src, StridedMatrix dst, float beta);

    /// <summary>dst [n, S] = src [n, rows_k] W_hh[block k] + beta dst.</summary>
    public abstract void Multiply(int k, StridedMatrix src, StridedMatrix dst, float beta);

    /// <summary>dst [n, P] = src [n, H] W_hr^T.</summary>
    public abstract void ProjectTransposed(StridedMatrix src, StridedMatrix dst);

    /// <summary>dst [n, H] = src [n, P] W_hr.</summary>
    public abstract void Project(StridedMatrix src, StridedMatrix dst);
}

/// <summary>Hidden weights packed for the micro-kernel: once per forward (op(B) = W^T) and once per backward (op(B) = W).</summary>
internal sealed class PackedHiddenWeights(Parameter whh, Parameter? bhh, Parameter? whr, int[] blockRows, int stateSize, Parameter[] own)
    : HiddenWeights(whh, bhh, whr, blockRows, stateSize, own)
{
    private readonly PackedMatrix?[] _transposed = new PackedMatrix?[blockRows.Length], _plain = new PackedMatrix?[blockRows.Length];

    /// <summary>
    /// The same parameters with packed buffers of its own: each use of a layer packs into its own, so that uses on
    /// several threads never read a buffer another one is filling.
    /// </summary>
    public PackedHiddenWeights WithOwnPacks() => new(Whh, Bhh, Whr, BlockRows, S, Own);
    private PackedMatrix? _whrT, _whrN;

    /// <summary>Packs W_hh^T per block (and W_hr^T) from the current parameter values.</summary>
    public void PackForward()
    {
        var whh = Whh.Value.Span;
        for (int k = 0; k < BlockRows.Length; k++)
            Pack(ref _transposed[k], BlockRows[k], S, whh[(BlockStart(k) * S)..], S);   // op(B) = W_k^T  [S, rows_k]
        if (Whr is not null) Pack(ref _whrT, S, Whr.Value.Dim(1), Whr.Value.Span, Whr.Value.Dim(1)); // op(B) = W_hr^T [H, P]
    }

    /// <summary>Packs W_hh per block (and W_hr) from the current parameter values.</summary>
    public void PackBackward()
    {
        var whh = Whh.Value.Span;
        for (int k = 0; k < BlockRows.Length; k++)
            PackN(ref _plain[k], BlockRows[k], S, whh[(BlockStart(k) * S)..], S);          // op(B) = W_k    [rows_k, S]
        if (Whr is not null) PackN(ref _whrN, S, Whr.Value.Dim(1), Whr.Value.Span, Whr.Value.Dim(1)); // op(B) = W_hr [P, H]
    }

    public override void MultiplyTransposed(int k, StridedMatrix src, StridedMatrix dst, float beta) =>
        Gemm.Sgemm(false, src.Rows, 1f, src.Span, src.Stride, _transposed[k]!, beta, dst.Span, dst.Stride);

    public override void Multiply(int k, StridedMatrix src, StridedMatrix dst, float beta) =>
        Gemm.Sgemm(false, src.Rows, 1f, src.Span, src.Stride, _plain[k]!, beta, dst.Span, dst.Stride);

    public override void ProjectTransposed(StridedMatrix src, StridedMatrix dst) =>
        Gemm.Sgemm(false, src.Rows, 1f, src.Span, src.Stride, _whrT!, 0f, dst.Span, dst.Stride);

    public override void Project(StridedMatrix src, StridedMatrix dst) =>
        Gemm.Sgemm(false, src.Rows, 1f, src.Span, src.Stride, _whrN!, 0f, dst.Span, dst.Stride);

    // Packs op(B) = W^T for a row-major W [rows, cols]: K = cols, N = rows.
    private static void Pack(ref PackedMatrix? p, int rows, int cols, ReadOnlySpan<float> w, int ld)
    {
        if (p is null || p.K != cols || p.N != rows) p = new PackedMatrix(cols, rows);
        p.Pack(true, w, ld);
    }

    // Packs op(B) = W for a row-major W [rows, cols]: K = rows, N = cols.
    private static void PackN(ref PackedMatrix? p, int rows, int cols, ReadOnlySpan<float> w, int ld)
    {
        if (p is null || p.K != rows || p.N != cols) p = new PackedMatrix(rows, cols);
        p.Pack(false, w, ld);
    }
}

/// <summary>Hidden weights multiplied as stored (a single step packs nothing ahead).</summary>
internal sealed class DirectHiddenWeights(Parameter whh, Parameter? bhh, int[] blockRows, int stateSize)
    : HiddenWeights(whh, bhh, null, blockRows, stateSize)
{
    public override void MultiplyTransposed(int k, StridedMatrix src, StridedMatrix dst, float beta) =>
        Gemm.Sgemm(false, true, src.Rows, BlockRows[k], S, 1f, src.Span, src.Stride, Whh.Value.Span[(BlockStart(k) * S)..], S, beta, dst.Span, dst.Stride);

    public override void Multiply(int k, StridedMatrix src, StridedMatrix dst, float beta) =>
        Gemm.Sgemm(false, false, src.Rows, S, BlockRows[k], 1f, src.Span, src.Stride, Whh.Value.Span[(BlockStart(k) * S)..], S, beta, dst.Span, dst.Stride);

    public override void ProjectTransposed(StridedMatrix src, StridedMatrix dst) => throw new NotSupportedException("a single-step cell has no projection");

    public override void Project(StridedMatrix src, StridedMatrix dst) => throw new NotSupportedException("a single-step cell has no projection");
}
