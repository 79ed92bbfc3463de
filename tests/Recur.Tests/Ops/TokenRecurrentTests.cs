using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Tests.Layers;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

/// <summary>
/// tape.Recurrent(layer, table, tokens, ...) looks the first layer's input projection up in E W_ih^T; it must equal
/// tape.Recurrent(layer, tape.Embedding(table, tokens, ...)) in values and in every gradient.
/// </summary>
public class TokenRecurrentTests
{
    private const int Vocab = 7, Features = 3, Batch = 4;

    public static TheoryData<string> Configs => new()
    {
        "lstm", "lstm-bi-l2", "lstm-proj-lengths", "gru-lengths-bi", "gru-before", "rnn-relu-l2", "rnn-tanh-nobias",
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Training_values_and_gradients_equal_the_embedding_then_layer_composition(string config)
    {
        const int steps = 5;
        var (fused, composed) = Run(config, steps, training: true, paddingIndex: null);
        AssertClose(composed, fused);
    }

    [Theory]
    [InlineData("lstm-bi", 37)] // projected 16 steps at a time
    [InlineData("gru-lengths", 37)]
    [InlineData("lstm-lengths", 9)] // short enough for one projection of all steps
    [InlineData("rnn-tanh-bi", 9)]
    [InlineData("gru-lengths-bi", 9)]
    [InlineData("gru-before", 9)]
    public void Inference_equals_the_composition(string config, int steps)
    {
        var (fused, composed) = Run(config, steps, training: false, paddingIndex: null);
        AssertClose(composed, fused);
    }

    [Fact]
    public void The_padding_row_gets_no_gradient_and_a_frozen_table_gets_it_as_in_the_composition()
    {
        var (fused, composed) = Run("lstm-lengths", 5, training: true, paddingIndex: 0);
        AssertClose(composed, fused);
        var table = fused["embedding.weight"];
        Assert.All(table.AsSpan(0, Features).ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(table, g => g != 0);

        // Frozen parameters still get gradients (optimizers skip them), whichever way the table is used.
        var (frozen, frozenComposed) = Run("gru-bi", 5, training: true, paddingIndex: null, freezeTable: true);
        AssertClose(frozenComposed, frozen);
        Assert.Contains(frozen["embedding.weight"], g => g != 0);
    }

    [Theory]
    [InlineData("lstm-lengths")]
    [InlineData("gru-bi")]
    public void Gradients_match_finite_differences(string config)
    {
        var rng = new Rng(8);
        var table = new Embedding(Vocab, Features, rng: rng);
        var layer = RecurrentGradientCheckTests.Make(config, Features, rng);
        int[] tokens = Tokens(rng, 4);
        int[]? lengths = config.Contains("lengths") ? [4, 1, 3, 2] : null;
        Check((t, _) => t.Recurrent(layer, table, tokens, Batch, 4, lengths: lengths).Output, [], [.. table.Parameters, .. layer.Parameters]);
    }

    [Fact]
    public void Bad_arguments_name_what_is_wrong()
    {
        var tape = new Tape();
        var layer = new Lstm(Features, 5);
        var e = Assert.Throws<ArgumentException>(() => tape.Recurrent(layer, new Embedding(Vocab, Features + 1), new int[8], 2, 4));
        Assert.Contains("4 features", e.Message);
        Assert.Throws<ShapeMismatchException>(() => tape.Recurrent(layer, new Embedding(Vocab, Features), new int[7], 2, 4));
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => tape.Recurrent(layer, new Embedding(Vocab, Features), [0, 1, 2, 3, 4, 5, 6, Vocab + 2], 2, 4));
        Assert.Contains("tokens[7] = 9", range.Message);
    }

    // Returns (fused, composed): every output and gradient by name, from two identical models.
    private static (Dictionary<string, float[]> Fused, Dictionary<string, float[]> Composed) Run(string config, int steps, bool training, int? paddingIndex, bool freezeTable = false)
    {
        var tokens = Tokens(new Rng(5), steps);
        int[]? lengths = config.Contains("lengths") ? [steps, 2, steps - 1, 1] : null;
        return (Side(fused: true), Side(fused: false));

        Dictionary<string, float[]> Side(bool fused)
        {
            var rng = new Rng(21);
            var table = new Embedding(Vocab, Features, paddingIndex, rng);
            var layer = RecurrentGradientCheckTests.Make(config, Features, rng);
            if (freezeTable) table.Freeze();
            layer.Training = training;
            var tape = new Tape();
            var h0 = tape.Input(OpGradientCheck.Random(rng, layer.NumLayers * layer.Directions, Batch, layer.StateSize), requiresGrad: true);
            var r = fused
                ? tape.Recurrent(layer, table, tokens, Batch, steps, h0, lengths: lengths)
                : tape.Recurrent(layer, tape.Embedding(table, tokens, Batch, steps), h0, lengths: lengths);
            var result = new Dictionary<string, float[]> { ["output"] = r.Output.Value.ToArray(), ["h_n"] = r.Hn.Value.ToArray() };
            if (!training) return result;
            var u = OpGradientCheck.Random(rng, r.Output.Shape.ToArray());
            tape.Backward(tape.Add(tape.Sum(tape.Multiply(r.Output, tape.Input(u))), tape.Sum(tape.Tanh(r.Hn))));
            result["grad.h0"] = h0.Grad!.ToArray();
            foreach (var p in layer.Parameters) result[p.Name] = p.Grad.ToArray();
            result["embedding.weight"] = table.Weight.Grad.ToArray();
            return result;
        }
    }

    private static int[] Tokens(Rng rng, int steps) => Enumerable.Range(0, Batch * steps).Select(_ => rng.NextInt(Vocab)).ToArray();

    private static void AssertClose(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal(e.Length, a.Length);
            float scale = Math.Max(1f, e.Max(MathF.Abs));
            for (int i = 0; i < e.Length; i++)
                Assert.True(MathF.Abs(a[i] - e[i]) <= 1e-5f * scale, $"{name}[{i}]: token input {a[i]:G9}, embedding then layer {e[i]:G9}");
        }
    }
}
