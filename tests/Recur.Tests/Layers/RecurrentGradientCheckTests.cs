using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// Finite-difference checks of BPTT for every cell type and option. Loss L = Σ output ⊙ U + Σ h_n ⊙ V (+ Σ c_n ⊙ W);
/// each analytic gradient is compared with a central difference on a sample of coordinates.
/// </summary>
public class RecurrentGradientCheckTests
{
    public static TheoryData<string> Configs() =>
    [
        "rnn-tanh", "rnn-relu", "rnn-sigmoid", "lstm", "gru", "gru-before",
        "lstm-bi-l2", "gru-bi-l2", "rnn-tanh-bi-l2", "lstm-proj", "lstm-proj-bi-l2",
        "lstm-lengths", "gru-lengths-bi", "rnn-tanh-lengths-bi-l2", "gru-before-lengths-bi", "lstm-proj-lengths-bi",
        "lstm-nobias", "gru-nobias", "lstm-h16", "gru-h16-lengths",
    ];

    internal static RecurrentLayer Make(string config, int input, Rng rng)
    {
        int layers = config.Contains("-l2") ? 2 : 1;
        bool bi = config.Contains("-bi");
        bool bias = !config.Contains("nobias");
        int hidden = config.Contains("h16") ? 16 : 5;
        return config.Split('-')[0] switch
        {
            "lstm" => new Lstm(input, hidden, layers, bi, bias, projSize: config.Contains("proj") ? 3 : 0, rng: rng),
            "gru" => new Gru(input, hidden, layers, bi, bias, resetAfter: !config.Contains("before"), rng: rng),
            _ => new Rnn(input, hidden, layers, config.Contains("relu") ? RnnNonlinearity.Relu : config.Contains("sigmoid") ? RnnNonlinearity.Sigmoid : RnnNonlinearity.Tanh, bi, bias, rng: rng),
        };
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Gradients_match_finite_differences(string config)
    {
        var rng = new Rng(42);
        const int B = 3, T = 4, I = 3;
        var layer = Make(config, I, rng);
        int d = layer.Directions, s = layer.StateSize, h = layer.HiddenSize, ld = layer.NumLayers * d;
        bool lstm = layer is Lstm;
        int[]? lengths = config.Contains("lengths") ? [2, 4, 1] : null;
        var x = Random(rng, B, T, I);
        var h0 = Random(rng, ld, B, s);
        var c0 = lstm ? Random(rng, ld, B, h) : null;
        var u = Random(rng, B, T, d * s);
        var v = Random(rng, ld, B, s);
        var w = lstm ? Random(rng, ld, B, h) : null;

        double Loss()
        {
            var r = layer.Forward(x, h0, c0, lengths);
            double l = Dot(r.Output, u) + Dot(r.Hn, v);
            if (lstm) l += Dot(r.Cn!, w!);
            return l;
        }

        layer.ZeroGrad();
        var res = layer.Forward(x, h0, c0, lengths);
        var g = layer.Backward(u, v, w);

        var checks = new List<(string, Tensor, Tensor)> { ("input", x, g.Input), ("h0", h0, g.H0) };
        if (lstm) checks.Add(("c0", c0!, g.C0!));
        foreach (var p in layer.Parameters) checks.Add((p.Name, p.Value, p.Grad));
        foreach (var (name, value, grad) in checks)
            CheckCoordinates(name, value, grad, Loss, rng);

        if (lengths is not null) // padded steps: output exactly 0, input gradient exactly 0
            for (int b = 0; b < B; b++)
                for (int t = lengths[b]; t < T; t++)
                {
                    for (int f = 0; f < d * s; f++) Assert.Equal(0f, res.Output[b, t, f]);
                    for (int f = 0; f < I; f++) Assert.Equal(0f, g.Input[b, t, f]);
                }
    }

    internal static void CheckCoordinates(string name, Tensor value, Tensor grad, Func<double> loss, Rng rng)
    {
        const float eps = 1e-3f; // small enough not to straddle ReLU kinks on these inputs
        var span = value.Span;
        int samples = Math.Min(span.Length, 12);
        for (int n = 0; n < samples; n++)
        {
            int i = span.Length <= 12 ? n : rng.NextInt(span.Length);
            float old = span[i];
            span[i] = old + eps; double lp = loss();
            span[i] = old - eps; double lm = loss();
            span[i] = old;
            double numeric = (lp - lm) / (2 * eps);
            double analytic = grad.Span[i];
            double tol = 2e-2 * Math.Max(1, Math.Abs(numeric));
            Assert.True(Math.Abs(numeric - analytic) <= tol, $"{name}[{i}]: analytic {analytic:G6}, numeric {numeric:G6}");
        }
    }

    internal static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillUniform(t.Span, -1f, 1f);
        return t;
    }

    internal static double Dot(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }
}
