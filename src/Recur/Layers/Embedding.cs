using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// Lookup table (PyTorch's <c>nn.Embedding</c>): token indices [B, T] -> vectors [B, T, E], weight [V, E] ~ N(0, 1).
/// The row at <see cref="PaddingIndex"/> (if any) starts at zero and never receives gradient.
/// </summary>
public sealed class Embedding : Module
{
    private int[]? _indices;

    /// <summary>
    /// Creates the table. A negative <paramref name="paddingIndex"/> counts from the end, as in PyTorch (-1 is V - 1).
    /// </summary>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex = null, Rng? rng = null)
        : this(numEmbeddings, embeddingDim, paddingIndex)
    {
        var r = (rng ?? Rng.Default).Fork();
        var w = Weight.Value.Span;
        for (int i = 0; i < w.Length; i++) w[i] = (float)r.NextGaussian();
        if (PaddingIndex is { } pi) w.Slice(pi * embeddingDim, embeddingDim).Clear();
    }

    private Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex)
    {
        if (numEmbeddings <= 0) throw new ArgumentOutOfRangeException(nameof(numEmbeddings), $"must be positive, got {numEmbeddings}");
        if (embeddingDim <= 0) throw new ArgumentOutOfRangeException(nameof(embeddingDim), $"must be positive, got {embeddingDim}");
        if (paddingIndex is { } p && (p < -numEmbeddings || p >= numEmbeddings))
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"must be in [{-numEmbeddings}, {numEmbeddings}), got {p}");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIndex = paddingIndex is { } q && q < 0 ? q + numEmbeddings : paddingIndex;
        Weight = RegisterParameter(new Parameter("weight", numEmbeddings, embeddingDim));
    }

    /// <summary>
    /// A table holding pre-trained vectors (PyTorch's <c>nn.Embedding.from_pretrained</c>): <paramref name="embeddings"/>
    /// [V, E] is copied in as is (the padding row keeps its given values; it only stops receiving gradient) and, with
    /// <paramref name="freeze"/> (the default, as in PyTorch), the weight is not trained: optimizers and gradient
    /// clipping skip it.
    /// </summary>
    public static Embedding FromPretrained(Tensor embeddings, bool freeze = true, int? paddingIndex = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Rank != 2) throw new ShapeMismatchException(nameof(embeddings), "[V, E] (2 dimensions)", Shape.Format(embeddings.Shape));
        var table = new Embedding(embeddings.Dim(0), embeddings.Dim(1), paddingIndex);
        embeddings.Span.CopyTo(table.Weight.Value.Span);
        table.Weight.RequiresGrad = !freeze;
        return table;
    }

    /// <summary>V, the vocabulary size.</summary>
    public int NumEmbeddings { get; }

    /// <summary>E, features per token.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding token whose vector stays fixed, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>weight [V, E].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc />
    public override string Describe() => $"Embedding({NumEmbeddings}, {EmbeddingDim})";

    /// <summary>forward: y[n] = weight[indices[n]]; <paramref name="indices"/> holds B*T tokens, the result is [B, T, E].</summary>
    public Tensor Forward(int[] indices, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length != batch * steps) throw new ShapeMismatchException(nameof(indices), $"[{batch}, {steps}] ({batch * steps} indices)", $"{indices.Length} indices");
        var y = new Tensor(batch, steps, EmbeddingDim);
        ForwardInto(indices, y);
        _indices = indices;
        return y;
    }

    /// <summary>forward into a caller-owned y [N, E] (any shape with N*E elements).</summary>
    public void ForwardInto(ReadOnlySpan<int> indices, Tensor y)
    {
        int e = EmbeddingDim;
        if (y.Length != indices.Length * e) throw new ShapeMismatchException(nameof(y), $"{indices.Length} x {e} elements", Shape.Format(y.Shape));
        var w = Weight.Value.Span;
        for (int n = 0; n < indices.Length; n++)
        {
            int k = indices[n];
            if ((uint)k >= (uint)NumEmbeddings) throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{n}] = {k} is outside [0, {NumEmbeddings})");
            w.Slice(k * e, e).CopyTo(y.Span.Slice(n * e, e));
        }
    }

    /// <summary>backward: weight.Grad[indices[n]] += dy[n] (except the padding row).</summary>
    public void Backward(Tensor dy) => BackwardFor(_indices ?? throw new InvalidOperationException("Backward needs a preceding Forward"), dy);

    /// <summary>backward for explicit indices (the table may be used several times per step).</summary>
    internal void BackwardFor(ReadOnlySpan<int> idx, Tensor dy)
    {
        int e = EmbeddingDim;
        if (dy.Length != idx.Length * e) throw new ShapeMismatchException(nameof(dy), $"{idx.Length} x {e} elements", Shape.Format(dy.Shape));
        var g = Weight.Grad.Span;
        for (int n = 0; n < idx.Length; n++)
        {
            if (idx[n] == PaddingIndex) continue;
            var row = g.Slice(idx[n] * e, e);
            TensorPrimitives.Add(row, dy.Span.Slice(n * e, e), row);
        }
    }
}
