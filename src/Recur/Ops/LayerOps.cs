using Recur.Layers;
using Recur.Tensors;

namespace Recur.Ops;

/// <summary>Ops for the parameterised feed-forward layers: embedding lookup and (time-distributed) linear maps.</summary>
public static class LayerOps
{
    /// <summary>
    /// forward: y[b, t] = weight[indices[b*T + t]], tokens [B, T] -> [B, T, E]. The indices are copied, so the caller
    /// may reuse its buffer.
    /// </summary>
    public static Var Embedding(this Tape tape, Embedding embedding, ReadOnlySpan<int> indices, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (indices.Length != batch * steps) throw new ShapeMismatchException(nameof(indices), $"[{batch}, {steps}] ({batch * steps} indices)", $"{indices.Length} indices");
        var y = tape.Output(true, batch, steps, embedding.EmbeddingDim);
        embedding.ForwardInto(indices, y.Value);
        embedding.RecordOutputShape(batch, steps, embedding.EmbeddingDim);
        var node = tape.Record<EmbeddingNode>();
        node.Module = embedding;
        node.Y = y;
        if (node.Indices.Length < indices.Length) node.Indices = new int[indices.Length];
        indices.CopyTo(node.Indices);
        node.Count = indices.Length;
        return y;
    }

    /// <summary>forward: y = x W^T + b over the last dimension, [..., in] -> [..., out] (one GEMM for all rows).</summary>
    public static Var Linear(this Tape tape, Linear linear, Var x)
    {
        ArgumentNullException.ThrowIfNull(linear);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank == 0 || x.Value.Dim(-1) != linear.InFeatures)
            throw new ShapeMismatchException(nameof(x), $"[..., {linear.InFeatures}]", Shape.Format(x.Shape));
        Span<int> shape = stackalloc int[x.Value.Rank];
        x.Shape.CopyTo(shape);
        shape[^1] = linear.OutFeatures;
        var y = tape.Output(true, shape);
        linear.ForwardInto(x.Value, y.Value);
        linear.RecordOutputShape(shape);
        var node = tape.Record<LinearNode>();
        node.Module = linear;
        node.X = x;
        node.Y = y;
        return y;
    }

    private sealed class EmbeddingNode : Node
    {
        public Embedding Module = null!;
        public Var Y = null!;
        public int[] Indices = [];
        public int Count;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is { } dy) Module.BackwardFor(Indices.AsSpan(0, Count), dy);
        }
    }

    private sealed class LinearNode : Node
    {
        public Linear Module = null!;
        public Var X = null!, Y = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            Module.BackwardFor(X.Value, dy, X.RequiresGrad ? tape.GradOf(X) : null, accumulate: true);
        }
    }
}
