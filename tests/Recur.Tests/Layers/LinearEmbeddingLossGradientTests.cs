using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>Finite-difference checks of Linear and Embedding used directly (not through a tape).</summary>
public class LinearEmbeddingLossGradientTests
{
    [Fact]
    public void Linear_gradients_match_finite_differences()
    {
        var rng = new Rng(3);
        var lin = new Linear(5, 7, rng: rng);
        var x = RecurrentGradientCheckTests.Random(rng, 2, 3, 5);
        var u = RecurrentGradientCheckTests.Random(rng, 2, 3, 7);
        double Loss() => RecurrentGradientCheckTests.Dot(lin.Forward(x), u);
        lin.Forward(x);
        var dx = lin.Backward(u);
        RecurrentGradientCheckTests.CheckCoordinates("x", x, dx, Loss, rng);
        RecurrentGradientCheckTests.CheckCoordinates("weight", lin.Weight.Value, lin.Weight.Grad, Loss, rng);
        RecurrentGradientCheckTests.CheckCoordinates("bias", lin.Bias!.Value, lin.Bias.Grad, Loss, rng);
    }

    [Fact]
    public void Embedding_gradient_accumulates_rows_and_skips_padding()
    {
        var rng = new Rng(4);
        var emb = new Embedding(6, 3, paddingIndex: 0, rng: rng);
        Assert.All(emb.Weight.Value.Span[..3].ToArray(), v => Assert.Equal(0f, v));
        int[] idx = [2, 1, 2, 5];
        var u = RecurrentGradientCheckTests.Random(rng, 2, 2, 3);
        double Loss() => RecurrentGradientCheckTests.Dot(emb.Forward(idx, 2, 2), u);
        emb.Forward(idx, 2, 2);
        emb.Backward(u);
        RecurrentGradientCheckTests.CheckCoordinates("weight", emb.Weight.Value, emb.Weight.Grad, Loss, rng);

        // The padding row is read like any other but never receives gradient (as in PyTorch).
        emb.Weight.ZeroGrad();
        emb.Forward([0, 0, 3, 0], 2, 2);
        emb.Backward(u);
        Assert.All(emb.Weight.Grad.Span[..3].ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(u.Span[6], emb.Weight.Grad[3 * 3]); // token 3 sits at step 2 (flat row 2)
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([1, 9, 0, 0], 2, 2));
        Assert.Contains("indices[1] = 9", e.Message);
    }

    [Fact]
    public void Embedding_from_pretrained_copies_the_table_and_is_frozen_by_default()
    {
        float[] vectors = [0.5f, -1f, 2f, 3f, 4f, 5f, -6f, 7f];
        var emb = Embedding.FromPretrained(Tensor.FromValues(vectors, 4, 2), paddingIndex: -1);
        Assert.Equal(4, emb.NumEmbeddings);
        Assert.Equal(2, emb.EmbeddingDim);
        Assert.Equal(3, emb.PaddingIndex); // -1 counts from the end, as in PyTorch
        Assert.Equal(vectors, emb.Weight.Value.ToArray()); // the padding row keeps its given values
        Assert.False(emb.Weight.RequiresGrad);
        Assert.Equal(0, emb.TrainableParameterCount);
        Assert.Equal([-6f, 7f, 0.5f, -1f], emb.Forward([3, 0], 1, 2).ToArray());

        var trainable = Embedding.FromPretrained(Tensor.FromValues(vectors, 4, 2), freeze: false);
        Assert.True(trainable.Weight.RequiresGrad);
        Assert.Null(trainable.PaddingIndex);
        vectors[0] = 100f; // a copy, not a view
        Assert.Equal(0.5f, trainable.Weight.Value[0]);

        Assert.Throws<ShapeMismatchException>(() => Embedding.FromPretrained(Tensor.FromValues(vectors, 8)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.FromPretrained(Tensor.FromValues(vectors, 4, 2), paddingIndex: -5));
        Assert.Contains("[-4, 4)", e.Message);
    }
}
