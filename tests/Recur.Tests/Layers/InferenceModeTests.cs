using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>Inference (keeps nothing, projects the input a chunk of steps at a time) computes what training computes.</summary>
public class InferenceModeTests
{
    [Theory]
    [InlineData("lstm-bi-l2")]
    [InlineData("gru-lengths-bi")]
    [InlineData("gru-before-lengths-bi")]
    [InlineData("rnn-relu")]
    [InlineData("lstm-proj-lengths-bi")]
    public void Eval_mode_matches_training_mode_on_long_sequences(string config)
    {
        var rng = new Rng(8);
        var layer = RecurrentGradientCheckTests.Make(config, 5, rng);
        var x = RecurrentGradientCheckTests.Random(rng, 3, 37, 5);
        int[]? lengths = config.Contains("lengths") ? [37, 20, 5] : null;
        var train = layer.Forward(x, lengths: lengths);
        layer.Training = false;
        var eval = layer.Forward(x, lengths: lengths);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(train.Output));
        foreach (var (a, b) in new[] { (train.Output, eval.Output), (train.Hn, eval.Hn) })
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6f * (1 + Math.Abs(a[i])), $"[{i}] {a[i]} vs {b[i]}");
    }
}
