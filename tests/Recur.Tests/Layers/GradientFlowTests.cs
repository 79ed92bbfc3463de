using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// The notes' vanishing and exploding gradients, measured: with the loss on the last step only, ‖∂L/∂h_t‖ going back
/// from t = T-1 to 0 shrinks geometrically for a tanh RNN, grows for an RNN whose recurrent weights are too large, and
/// shrinks far less for an LSTM.
/// </summary>
public class GradientFlowTests
{
    private static float[] Norms(RecurrentLayer layer, int steps, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(8, steps, layer.InputSize);
        rng.FillUniform(x.Span, -1, 1);
        var r = layer.Forward(x);
        var dy = new Tensor(r.Output.Shape.ToArray());
        var last = dy.TimeStep(steps - 1);
        for (int b = 0; b < last.Rows; b++) rng.FillUniform(last.Row(b), -1, 1); // loss on the last output only
        layer.Backward(dy);
        return layer.GradientNormsOverTime().Row(0).ToArray();
    }

    [Fact]
    public void Tanh_rnn_gradients_vanish_and_lstm_gradients_reach_much_further()
    {
        const int T = 60;
        var rnn = Norms(new Rnn(4, 32, rng: new Rng(1)), T, 2);
        var lstm = Norms(new Lstm(4, 32, rng: new Rng(1)), T, 2);
        double rnnRatio = rnn[0] / rnn[T - 1], lstmRatio = lstm[0] / lstm[T - 1];
        Assert.True(rnnRatio < 1e-4, $"tanh RNN: ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ = {rnnRatio:G3}");
        for (int t = 1; t < T; t++) Assert.True(rnn[t - 1] <= rnn[t] * 1.05, $"tanh RNN norm grows backwards at t={t}");
        Assert.True(lstmRatio > 100 * rnnRatio, $"LSTM ratio {lstmRatio:G3} vs tanh RNN {rnnRatio:G3}");
    }

    [Fact]
    public void Large_recurrent_weights_make_gradients_explode()
    {
        const int T = 40;
        var rnn = new Rnn(4, 32, nonlinearity: RnnNonlinearity.Relu, init: RecurrentInit.Orthogonal, rng: new Rng(3));
        var whh = rnn.GetParameter("weight_hh_l0").Value.Span;
        for (int i = 0; i < whh.Length; i++) whh[i] *= 3f; // spectral radius 3 (ReLU passes about half the units)
        var n = Norms(rnn, T, 4);
        Assert.True(n[0] / n[T - 1] > 1e3, $"‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ = {n[0] / n[T - 1]:G3}");
    }
}
