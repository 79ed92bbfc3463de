using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

public class AttentionPoolingTests
{
    private static readonly Rng R = new(123);

    [Fact]
    public void Finite_differences_for_scores_and_values_with_lengths()
    {
        int[] lengths = [4, 1, 2];
        // Both outputs' worth of gradient: pooled through the check's random projection; [B, T] and [B, T, 1] scores.
        Check((t, v) => t.AttentionPooling(v[0], v[1], lengths).Pooled, [Random(R, 3, 4), Random(R, 3, 4, 5)]);
        Check((t, v) => t.AttentionPooling(v[0], v[1]).Pooled, [Random(R, 2, 3, 1), Random(R, 2, 3, 2)]);
    }

    [Fact]
    public void Finite_differences_through_a_learned_scoring_head()
    {
        // Yang et al.'s form: score_t = u · tanh(W h_t + b), values = h; h feeds both inputs.
        var proj = new Linear(4, 3, rng: new Rng(5));
        var context = new Linear(3, 1, bias: false, rng: new Rng(6));
        int[] lengths = [3, 2];
        Check((t, v) => t.AttentionPooling(t.Linear(context, t.Tanh(t.Linear(proj, v[0]))), v[0], lengths).Pooled,
            [Random(R, 2, 3, 4)], proj.Parameters.Concat(context.Parameters));
    }

    [Fact]
    public void Equals_a_hand_computation()
    {
        // scores [0, ln 3 | padded] -> a = [1/4, 3/4, 0]; values [[1, 2], [3, 4], [100, -100]] -> pooled [2.5, 3.5].
        var tape = new Tape();
        var scores = tape.Input(Tensor.FromValues([0f, MathF.Log(3f), 5f], 1, 3), requiresGrad: true);
        var values = tape.Input(Tensor.FromValues([1f, 2f, 3f, 4f, 100f, -100f], 1, 3, 2), requiresGrad: true);
        var (pooled, weights) = tape.AttentionPooling(scores, values, [2]);
        Assert.Equal([0.25f, 0.75f, 0f], weights.Value.ToArray().Select(w => MathF.Round(w, 6)));
        Assert.Equal(2.5f, pooled.Value[0, 0], 5);
        Assert.Equal(3.5f, pooled.Value[0, 1], 5);
        Assert.False(weights.RequiresGrad);

        // L = pooled[0, 0]: dvalues[t] = [a_t, 0]; da = [1, 3], Σ a·da = 2.5, dscores = a ⊙ (da − 2.5) = [-0.375, 0.375, 0].
        tape.Backward(tape.Sum(tape.Multiply(pooled, tape.Input(Tensor.FromValues([1f, 0f], 1, 2)))));
        float[] dv = [0.25f, 0f, 0.75f, 0f, 0f, 0f], ds = [-0.375f, 0.375f, 0f];
        for (int k = 0; k < dv.Length; k++) Assert.Equal(dv[k], values.Grad![k], 5);
        for (int k = 0; k < ds.Length; k++) Assert.Equal(ds[k], scores.Grad![k], 5);
    }

    [Fact]
    public void Padded_steps_are_not_read_and_get_exactly_zero_gradient()
    {
        int[] lengths = [4, 2, 1];
        var s = Random(R, 3, 4);
        var v = Random(R, 3, 4, 3);
        var (pooled, weights, ds, dv) = Run(s, v);
        var s2 = s.Clone();
        var v2 = v.Clone();
        for (int i = 0; i < 3; i++)
            for (int t = lengths[i]; t < 4; t++)
            {
                s2[i, t] = t % 2 == 0 ? float.NaN : 1e30f;
                for (int f = 0; f < 3; f++) v2[i, t, f] = float.PositiveInfinity;
            }
        var (pooled2, weights2, ds2, dv2) = Run(s2, v2);
        Assert.Equal(pooled, pooled2);
        Assert.Equal(weights, weights2);
        Assert.Equal(ds, ds2);
        Assert.Equal(dv, dv2);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(1f, weights[(i * 4)..(i * 4 + lengths[i])].Sum(), 5);
            for (int t = lengths[i]; t < 4; t++)
            {
                Assert.Equal(0f, weights[i * 4 + t]);
                Assert.Equal(0f, ds[i * 4 + t]);
                for (int f = 0; f < 3; f++) Assert.Equal(0f, dv[(i * 4 + t) * 3 + f]);
            }
        }
        Assert.Contains(ds, g => g != 0);

        (float[] Pooled, float[] Weights, float[] DScores, float[] DValues) Run(Tensor scores, Tensor values)
        {
            var tape = new Tape();
            var sv = tape.Input(scores, requiresGrad: true);
            var vv = tape.Input(values, requiresGrad: true);
            var (p, a) = tape.AttentionPooling(sv, vv, lengths);
            tape.Backward(tape.Sum(tape.Tanh(p)));
            return (p.Value.ToArray(), a.Value.ToArray(), sv.Grad!.ToArray(), vv.Grad!.ToArray());
        }
    }

    [Fact]
    public void Records_nothing_without_gradients_and_names_bad_shapes()
    {
        var tape = new Tape();
        var v = tape.Input(Random(R, 2, 3, 4));
        var (pooled, _) = tape.AttentionPooling(tape.Input(Random(R, 2, 3)), v);
        Assert.False(pooled.RequiresGrad);
        Assert.Equal(0, tape.Count);

        var e = Assert.Throws<ShapeMismatchException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 4)), v));
        Assert.Equal("scores", e.ParamName);
        Assert.Contains("[2, 3] or [2, 3, 1]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        Assert.Throws<ShapeMismatchException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 3, 2)), v));
        Assert.Throws<ShapeMismatchException>(() => tape.AttentionPooling(tape.Input(Random(R, 3, 3)), v));
        e = Assert.Throws<ShapeMismatchException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 3)), tape.Input(Random(R, 2, 3))));
        Assert.Equal("values", e.ParamName);
        e = Assert.Throws<ShapeMismatchException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 3)), v, [3]));
        Assert.Equal("lengths", e.ParamName);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 3)), v, [0, 3]));
        Assert.Contains("lengths[0] = 0 is outside [1, T=3]", r.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tape.AttentionPooling(tape.Input(Random(R, 2, 3)), v, [3, 4]));
    }
}
