using Recur.Kernels;
using Recur.Layers;
using Recur.Tensors;
using Recur.Tests.Kernels;

namespace Recur.Tests.Layers;

/// <summary>A seed reproduces results bit for bit, whatever the thread count (directions may run concurrently).</summary>
[Collection(KernelConfigCollection.Name)]
public class RecurrentDeterminismTests
{
    [Theory]
    [InlineData("lstm-bi-l2")]
    [InlineData("gru-lengths-bi")]
    [InlineData("rnn-tanh-bi-l2")]
    public void One_and_two_threads_give_identical_bits(string config)
    {
        int saved = KernelConfig.Threads;
        try
        {
            var a = Run(config, 1);
            var b = Run(config, 2);
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++) Assert.Equal(BitConverter.SingleToInt32Bits(a[i]), BitConverter.SingleToInt32Bits(b[i]));
        }
        finally
        {
            KernelConfig.Threads = saved;
        }
    }

    private static float[] Run(string config, int threads)
    {
        KernelConfig.Threads = threads;
        var rng = new Rng(11);
        var layer = RecurrentGradientCheckTests.Make(config, 6, rng);
        var x = RecurrentGradientCheckTests.Random(rng, 5, 9, 6);
        int[]? lengths = config.Contains("lengths") ? [9, 3, 7, 1, 5] : null;
        var r = layer.Forward(x, lengths: lengths);
        var u = RecurrentGradientCheckTests.Random(rng, r.Output.Shape.ToArray());
        var g = layer.Backward(u);
        return [.. r.Output.Span, .. r.Hn.Span, .. g.Input.Span, .. layer.Parameters.SelectMany(p => p.Grad.ToArray())];
    }
}
