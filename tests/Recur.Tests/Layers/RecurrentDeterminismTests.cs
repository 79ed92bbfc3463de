using Recur.Kernels;
using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Tests.Kernels;

namespace Recur.Tests.Layers;

/// <summary>
/// A seed reproduces results bit for bit, whatever the thread count: directions and ranges of batch rows are swept
/// concurrently (13 rows make 1 to 3 row ranges per direction at 1 to 4 threads), GEMMs split their work.
/// </summary>
[Collection(KernelConfigCollection.Name)]
public class RecurrentDeterminismTests
{
    private const int Batch = 13, Steps = 20, Input = 6;

    public static TheoryData<string> Configs => new()
    {
        "lstm-l2", "lstm-bi-l2", "lstm-proj-lengths", "gru-lengths", "gru-lengths-bi", "gru-before-bi", "rnn-tanh-bi-l2", "rnn-relu-lengths",
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Training_forward_and_backward_give_identical_bits_on_1_to_4_threads(string config) =>
        AssertSameOnEveryThreadCount(threads => Run(config, threads, training: true));

    [Theory]
    [MemberData(nameof(Configs))]
    public void Inference_gives_identical_bits_on_1_to_4_threads(string config) =>
        AssertSameOnEveryThreadCount(threads => Run(config, threads, training: false));

    [Theory]
    [InlineData("gru-lengths-bi", true)]
    [InlineData("gru-lengths-bi", false)]
    [InlineData("gru-before-bi", true)]
    [InlineData("lstm-bi-l2", true)]
    [InlineData("rnn-tanh-lengths", true)]
    public void Token_input_gives_identical_bits_on_1_to_4_threads(string config, bool training) =>
        AssertSameOnEveryThreadCount(threads => RunTokens(config, threads, training));

    private static void AssertSameOnEveryThreadCount(Func<int, float[]> run)
    {
        int saved = KernelConfig.Threads;
        try
        {
            var reference = run(1);
            foreach (int threads in new[] { 2, 3, 4 })
            {
                var other = run(threads);
                Assert.Equal(reference.Length, other.Length);
                for (int i = 0; i < reference.Length; i++)
                    if (BitConverter.SingleToInt32Bits(reference[i]) != BitConverter.SingleToInt32Bits(other[i]))
                        Assert.Fail($"{threads} threads: value {i} is {other[i]:R}, 1 thread gave {reference[i]:R}");
            }
        }
        finally
        {
            KernelConfig.Threads = saved;
        }
    }

    private static float[] Run(string config, int threads, bool training)
    {
        KernelConfig.Threads = threads;
        var rng = new Rng(11);
        var layer = RecurrentGradientCheckTests.Make(config, Input, rng);
        layer.Training = training;
        int ld = layer.NumLayers * layer.Directions;
        var x = RecurrentGradientCheckTests.Random(rng, Batch, Steps, Input);
        var h0 = RecurrentGradientCheckTests.Random(rng, ld, Batch, layer.StateSize);
        var c0 = layer is Lstm ? RecurrentGradientCheckTests.Random(rng, ld, Batch, layer.HiddenSize) : null;
        int[]? lengths = config.Contains("lengths") ? [9, 3, 20, 1, 5, 20, 17, 2, 11, 8, 20, 4, 6] : null;
        var r = layer.Forward(x, h0, c0, lengths);
        if (!training) return [.. r.Output.Span, .. r.Hn.Span, .. r.Cn is null ? [] : r.Cn.ToArray()];
        var u = RecurrentGradientCheckTests.Random(rng, r.Output.Shape.ToArray());
        var v = RecurrentGradientCheckTests.Random(rng, r.Hn.Shape.ToArray());
        var g = layer.Backward(u, v);
        return [.. r.Output.Span, .. r.Hn.Span, .. g.Input.Span, .. g.H0.Span, .. layer.GradientNormsOverTime().Span,
            .. layer.Parameters.SelectMany(p => p.Grad.ToArray())];
    }

    // Token input (the first layer reads rows of E W_ih^T): outputs, and in training every gradient, the table's too.
    private static float[] RunTokens(string config, int threads, bool training)
    {
        KernelConfig.Threads = threads;
        var rng = new Rng(3);
        var table = new Embedding(9, Input, rng: rng);
        var layer = RecurrentGradientCheckTests.Make(config, Input, rng);
        layer.Training = training;
        var tokens = Enumerable.Range(0, Batch * Steps).Select(_ => rng.NextInt(9)).ToArray();
        int[]? lengths = config.Contains("lengths") ? [9, 3, 20, 1, 5, 20, 17, 2, 11, 8, 20, 4, 6] : null;
        var tape = new Tape();
        var r = tape.Recurrent(layer, table, tokens, Batch, Steps, lengths: lengths);
        if (!training) return r.Output.Value.ToArray();
        tape.Backward(tape.Sum(tape.Tanh(r.Output)));
        return [.. r.Output.Value.Span, .. layer.Parameters.SelectMany(p => p.Grad.ToArray()), .. table.Weight.Grad.Span];
    }
}
