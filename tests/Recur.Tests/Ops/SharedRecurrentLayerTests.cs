using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Tests.Layers;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

/// <summary>
/// A shared encoder: one recurrent layer over two different inputs in one tape step (a siamese model). Each use keeps
/// its own activations on the tape, so the gradients are those of the summed loss: checked by finite differences, and
/// equal to the sum of the two uses run in separate steps.
/// </summary>
public class SharedRecurrentLayerTests
{
    public static TheoryData<string> Configs => new() { "lstm", "lstm-proj-lengths", "gru-bi-l2", "gru-before-lengths", "rnn-tanh-bi" };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Gradients_of_two_uses_in_one_step_match_finite_differences(string config)
    {
        var rng = new Rng(3);
        var layer = RecurrentGradientCheckTests.Make(config, 3, rng);
        var x1 = Random(rng, 3, 4, 3);
        var x2 = Random(rng, 2, 5, 3); // another shape: the uses share nothing but the parameters
        var u = Random(rng, 3, 4, layer.Directions * layer.StateSize);
        int[]? lengths1 = config.Contains("lengths") ? [4, 1, 3] : null;
        int[]? lengths2 = config.Contains("lengths") ? [2, 5] : null;
        Check((t, v) =>
        {
            var a = t.Recurrent(layer, v[0], lengths: lengths1);
            var b = t.Recurrent(layer, v[1], lengths: lengths2);
            return t.Add(t.Sum(t.Multiply(a.Output, t.Input(u))), t.Sum(t.Tanh(b.Hn)));
        }, [x1, x2], layer.Parameters, scalar: true);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Gradients_of_two_uses_in_one_step_equal_the_sum_of_two_separate_steps(string config)
    {
        var rng = new Rng(4);
        var layer = RecurrentGradientCheckTests.Make(config, 3, rng);
        var x1 = Random(rng, 3, 4, 3);
        var x2 = Random(rng, 2, 5, 3);
        var tokens = Enumerable.Range(0, 2 * 6).Select(_ => rng.NextInt(4)).ToArray();
        var table = new Embedding(4, 3, rng: rng);
        var u = Random(rng, 3, 4, layer.Directions * layer.StateSize);
        var tape = new Tape();

        // Three uses: two dense inputs and one read through an embedding table (token input).
        Var Use(int k) => k switch
        {
            0 => tape.Sum(tape.Multiply(tape.Recurrent(layer, tape.Input(x1)).Output, tape.Input(u))),
            1 => tape.Sum(tape.Tanh(tape.Recurrent(layer, tape.Input(x2)).Hn)),
            _ => tape.Sum(tape.Tanh(tape.Recurrent(layer, table, tokens, 2, 6).Output)),
        };

        var separate = new List<float[]>();
        layer.ZeroGrad(); table.ZeroGrad();
        for (int k = 0; k < 3; k++)
        {
            tape.Reset();
            tape.Backward(Use(k));
        }
        separate.AddRange(layer.Parameters.Select(p => p.Grad.ToArray()));
        separate.Add(table.Weight.Grad.ToArray());

        for (int rep = 0; rep < 2; rep++) // the second step reuses the first one's activations
        {
            layer.ZeroGrad(); table.ZeroGrad();
            tape.Reset();
            tape.Backward(tape.Add(tape.Add(Use(0), Use(1)), Use(2)));
            var together = layer.Parameters.Select(p => p.Grad.ToArray()).Append(table.Weight.Grad.ToArray()).ToList();
            for (int i = 0; i < separate.Count; i++)
                for (int j = 0; j < separate[i].Length; j++)
                    Assert.True(MathF.Abs(separate[i][j] - together[i][j]) <= 1e-6f * (1 + MathF.Abs(separate[i][j])),
                        $"gradient {i}[{j}]: one step {together[i][j]:G9}, separate steps {separate[i][j]:G9}");
        }
    }
}
