using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>A cell stepped over time must reproduce the one-layer, one-direction layer: outputs and every gradient.</summary>
public class RecurrentCellTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru-before")]
    [InlineData("rnn-tanh")]
    [InlineData("rnn-relu")]
    [InlineData("lstm-h16")]
    public void Stepping_a_cell_matches_the_layer(string config)
    {
        var rng = new Rng(7);
        const int B = 3, T = 5, I = 4;
        var layer = RecurrentGradientCheckTests.Make(config, I, rng);
        int h = layer.HiddenSize;
        RecurrentCell cell = layer switch
        {
            Lstm => new LstmCell(I, h, rng: rng),
            Gru g => new GruCell(I, h, resetAfter: g.ResetAfter, rng: rng),
            Rnn r => new RnnCell(I, h, nonlinearity: r.Nonlinearity, rng: rng),
            _ => throw new InvalidOperationException(),
        };
        for (int i = 0; i < cell.Parameters.Count; i++) cell.Parameters[i].Load(layer.Parameters[i].Value);
        bool lstm = layer is Lstm;

        var x = RecurrentGradientCheckTests.Random(rng, B, T, I);
        var h0 = RecurrentGradientCheckTests.Random(rng, 1, B, h);
        var c0 = RecurrentGradientCheckTests.Random(rng, 1, B, h);
        var u = RecurrentGradientCheckTests.Random(rng, B, T, h);
        var v = RecurrentGradientCheckTests.Random(rng, 1, B, h);
        var res = layer.Forward(x, h0, lstm ? c0 : null);
        var grads = layer.Backward(u, v);

        var caches = new CellCache[T];
        var hs = new Tensor[T + 1];
        var cs = new Tensor[T + 1];
        hs[0] = h0.Reshape(B, h).Clone();
        cs[0] = c0.Reshape(B, h).Clone();
        for (int t = 0; t < T; t++)
        {
            var xt = Step(x, t);
            hs[t + 1] = new Tensor(B, h);
            cs[t + 1] = new Tensor(B, h);
            caches[t] = new CellCache();
            cell.StepForward(xt, hs[t], lstm ? cs[t] : null, hs[t + 1], lstm ? cs[t + 1] : null, caches[t]);
            for (int b = 0; b < B; b++)
                for (int j = 0; j < h; j++)
                    Assert.Equal(res.Output[b, t, j], hs[t + 1][b, j], 5);
        }

        var dh = v.Reshape(B, h).Clone();
        Tensor? dc = lstm ? new Tensor(B, h) : null;
        var dxAll = new Tensor(B, T, I);
        for (int t = T - 1; t >= 0; t--)
        {
            var dhTot = dh.Clone();
            var ut = Step(u, t);
            for (int k = 0; k < dhTot.Length; k++) dhTot[k] += ut[k];
            var dx = new Tensor(B, I);
            var dhPrev = new Tensor(B, h);
            var dcPrev = lstm ? new Tensor(B, h) : null;
            cell.StepBackward(caches[t], dhTot, dc, dx, dhPrev, dcPrev);
            for (int b = 0; b < B; b++)
                for (int f = 0; f < I; f++) dxAll[b, t, f] = dx[b, f];
            dh = dhPrev;
            dc = dcPrev;
        }
        AssertClose(grads.Input, dxAll);
        AssertClose(grads.H0.Reshape(B, h), dh);
        for (int i = 0; i < cell.Parameters.Count; i++) AssertClose(layer.Parameters[i].Grad, cell.Parameters[i].Grad);
    }

    private static Tensor Step(Tensor x, int t)
    {
        var m = x.TimeStep(t);
        var r = new Tensor(m.Rows, m.Cols);
        for (int b = 0; b < m.Rows; b++) m.Row(b).CopyTo(r.Span.Slice(b * m.Cols, m.Cols));
        return r;
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"[{i}] expected {expected[i]}, got {actual[i]}");
    }
}
