using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

public class AttentionKindTests
{
    private static readonly Rng R = new(77);

    [Fact]
    public void Dot_scores_by_hand()
    {
        // q = [1, 2], m = [[1, 0], [0, 1], [1, 1]] -> s = [1, 2, 3]; scaled by 1/sqrt(2).
        var tape = new Tape();
        var q = tape.Input(Tensor.FromValues([1f, 2f], 1, 2));
        var m = tape.Input(Tensor.FromValues([1f, 0f, 0f, 1f, 1f, 1f], 1, 3, 2));
        Assert.Equal([1f, 2f, 3f], tape.DotScores(q, m).Value.ToArray());
        var scaled = tape.DotScores(q, m, 1 / MathF.Sqrt(2)).Value.ToArray();
        for (int t = 0; t < 3; t++) Assert.Equal((t + 1) / MathF.Sqrt(2), scaled[t], 5);
    }

    [Fact]
    public void Additive_scores_by_hand()
    {
        // q = [0.5, -1], m_0 = [0, 1], m_1 = [1, 1], v = [2, 3]: s_t = 2 tanh(q0 + m0) + 3 tanh(q1 + m1).
        var tape = new Tape();
        var q = tape.Input(Tensor.FromValues([0.5f, -1f], 1, 2));
        var m = tape.Input(Tensor.FromValues([0f, 1f, 1f, 1f], 1, 2, 2));
        var v = tape.Input(Tensor.FromValues([2f, 3f], 2));
        var s = tape.AdditiveScores(q, m, v).Value.ToArray();
        Assert.Equal(2 * MathF.Tanh(0.5f) + 3 * MathF.Tanh(0f), s[0], 5);
        Assert.Equal(2 * MathF.Tanh(1.5f) + 3 * MathF.Tanh(0f), s[1], 5);
    }

    [Fact]
    public void Masked_context_by_hand()
    {
        // Dot attention, source length 2 of 3: scores [0, ln 3, 100 (padded)] -> a = [1/4, 3/4, 0].
        var tape = new Tape();
        var att = new SourceAttention(AttentionKind.Dot, 1, 0, new Rng(1));
        var q = tape.Input(Tensor.FromValues([1f], 1, 1));
        var m = tape.Input(Tensor.FromValues([0f, MathF.Log(3f), 100f], 1, 3, 1));
        var (ctx, a) = att.Attend(tape, q, m, att.Keys(tape, m), [2]);
        Assert.Equal([0.25f, 0.75f, 0f], a.Value.ToArray().Select(w => MathF.Round(w, 6)));
        Assert.Equal(0.75f * MathF.Log(3f), ctx.Value[0], 5);
    }

    [Theory]
    [InlineData(AttentionKind.Dot)]
    [InlineData(AttentionKind.ScaledDot)]
    [InlineData(AttentionKind.General)]
    [InlineData(AttentionKind.Additive)]
    public void Finite_differences_with_lengths(AttentionKind kind)
    {
        var att = new SourceAttention(kind, 4, 3, new Rng(9));
        int[] lengths = [3, 1, 2];
        Check((t, v) => att.Attend(t, v[0], v[1], att.Keys(t, v[1]), lengths).Context, [Random(R, 3, 4), Random(R, 3, 3, 4)], att.Parameters);
    }

    [Fact]
    public void Padded_steps_get_no_weight_and_no_gradient()
    {
        foreach (var kind in Enum.GetValues<AttentionKind>())
        {
            var att = new SourceAttention(kind, 2, 2, new Rng(3));
            var tape = new Tape();
            var q = tape.Input(Random(R, 1, 2), requiresGrad: true);
            var m = tape.Input(Random(R, 1, 3, 2), requiresGrad: true);
            var (ctx, a) = att.Attend(tape, q, m, att.Keys(tape, m), [1]);
            Assert.Equal(1f, a.Value[0], 6);
            Assert.Equal(0f, a.Value[2]);
            tape.Backward(tape.Sum(ctx));
            Assert.Equal([0f, 0f, 0f, 0f], m.Grad!.ToArray().Skip(2));
        }
    }
}
