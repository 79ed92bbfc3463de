using Recur.Layers;

namespace Recur.IO.Onnx;

/// <summary>
/// Gate block orders of the two conventions. ONNX stacks LSTM blocks i, o, f, c and GRU blocks z, r, h; PyTorch (and
/// Recur) stack LSTM i, f, g, o and GRU r, z, n. A weight [G*H, K] or bias [G*H] is converted by moving whole
/// H-row blocks.
/// </summary>
internal static class OnnxGateOrder
{
    /// <summary>For each PyTorch block position, the ONNX block it comes from.</summary>
    public static int[] TorchFromOnnx(CellKind kind) => kind switch
    {
        CellKind.Lstm => [0, 2, 3, 1], // i <- i, f <- f, g <- c, o <- o
        CellKind.Gru => [1, 0, 2],     // r <- r, z <- z, n <- h
        _ => [0],
    };

    /// <summary>For each ONNX block position, the PyTorch block it comes from.</summary>
    public static int[] OnnxFromTorch(CellKind kind) => kind switch
    {
        CellKind.Lstm => [0, 3, 1, 2], // i <- i, o <- o, f <- f, c <- g
        CellKind.Gru => [1, 0, 2],     // z <- z, r <- r, h <- n
        _ => [0],
    };

    /// <summary>
    /// Peepholes: ONNX's P [3H] is [p_i | p_o | p_f], Recur's weight_ph [3H] is [p_i | p_f | p_o]; the permutation
    /// swaps the last two blocks, so it is its own inverse.
    /// </summary>
    public static readonly int[] PeepholesTorchFromOnnx = [0, 2, 1];

    /// <summary>For each ONNX peephole block, the Recur block it comes from.</summary>
    public static int[] PeepholesOnnxFromTorch => PeepholesTorchFromOnnx;

    /// <summary>dst block k = src block from[k], each block <paramref name="blockLength"/> elements.</summary>
    public static void Reorder(ReadOnlySpan<float> src, Span<float> dst, int[] from, int blockLength)
    {
        for (int k = 0; k < from.Length; k++)
            src.Slice(from[k] * blockLength, blockLength).CopyTo(dst.Slice(k * blockLength, blockLength));
    }
}
