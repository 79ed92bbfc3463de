using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>Selecting rows by index (PyTorch's <c>index_select</c> along dimension 0).</summary>
public static class IndexOps
{
    /// <summary>
    /// forward: y[m] = x[index[m]], x [N, F] (any rank: rows of the last dimension) -> y [M, F]. Rows may be picked
    /// any number of times (or never), e.g. the vector of each distinct word, computed once, for every slot it fills.
    /// backward: dx[n] += Σ_{m : index[m] = n} dy[m] (a scatter-add). The indices are copied.
    /// </summary>
    public static Var GatherRows(this Tape tape, Var x, ReadOnlySpan<int> index)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank < 1) throw new ShapeMismatchException(nameof(x), "[N, F]", Shape.Format(x.Shape));
        int f = x.Value.Rank == 1 ? 1 : x.Value.Dim(-1), n = x.Value.Length / Math.Max(1, f);
        for (int m = 0; m < index.Length; m++)
            if ((uint)index[m] >= (uint)n) throw new ArgumentOutOfRangeException(nameof(index), $"index[{m}] = {index[m]} is outside [0, {n})");
        var y = tape.Output(x.RequiresGrad, index.Length, f);
        var src = x.Value.Span;
        var dst = y.Value.Span;
        for (int m = 0; m < index.Length; m++) src.Slice(index[m] * f, f).CopyTo(dst.Slice(m * f, f));
        if (x.RequiresGrad)
        {
            var node = tape.Record<GatherRowsNode>();
            node.X = x; node.Y = y; node.Features = f;
            if (node.Index.Length < index.Length) node.Index = new int[index.Length];
            index.CopyTo(node.Index);
            node.Count = index.Length;
        }
        return y;
    }

    private sealed class GatherRowsNode : Node
    {
        public Var X = null!, Y = null!;
        public int[] Index = [];
        public int Count, Features;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var dx = tape.GradOf(X).Span;
            var g = dy.Span;
            int f = Features;
            for (int m = 0; m < Count; m++)
            {
                var row = dx.Slice(Index[m] * f, f);
                TensorPrimitives.Add(row, g.Slice(m * f, f), row);
            }
        }
    }
}
