using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tests.Ops;

/// <summary>
/// Finite-difference check of any graph of ops: the loss is Σ out ⊙ U (U fixed random) computed in double from the
/// output tensor, or the scalar output itself when <c>scalar</c>; every input and parameter is perturbed at a sample of
/// coordinates and compared with the gradient the tape produced.
/// </summary>
internal static class OpGradientCheck
{
    public static void Check(Func<Tape, Var[], Var> build, Tensor[] inputs, IEnumerable<Parameter>? parameters = null, bool scalar = false, double tol = 2e-2, float eps = 1e-3f, int seed = 1)
    {
        var rng = new Rng((ulong)seed);
        var tape = new Tape();
        var ps = parameters?.ToArray() ?? [];
        Tensor? u = null;

        double Loss()
        {
            tape.Reset();
            var vars = inputs.Select(t => tape.Input(t, requiresGrad: true)).ToArray();
            var y = build(tape, vars);
            if (scalar) return y.Value[0];
            u ??= Random(rng, y.Shape.ToArray());
            double s = 0;
            for (int i = 0; i < y.Value.Length; i++) s += (double)y.Value[i] * u[i];
            return s;
        }

        Loss(); // fixes U
        foreach (var p in ps) p.ZeroGrad();
        tape.Reset();
        var vars = inputs.Select(t => tape.Input(t, requiresGrad: true)).ToArray();
        var outVar = build(tape, vars);
        var loss = scalar ? outVar : tape.Sum(tape.Multiply(outVar, tape.Input(u!)));
        tape.Backward(loss);
        var grads = vars.Select(v => v.Grad?.Clone() ?? new Tensor(v.Shape.ToArray())).ToArray();
        var pgrads = ps.Select(p => p.Grad.Clone()).ToArray();

        for (int k = 0; k < inputs.Length; k++) Compare($"input {k}", inputs[k], grads[k], Loss, rng, tol, eps);
        for (int k = 0; k < ps.Length; k++) Compare(ps[k].Name, ps[k].Value, pgrads[k], Loss, rng, tol, eps);
    }

    private static void Compare(string name, Tensor value, Tensor grad, Func<double> loss, Rng rng, double tol, float eps)
    {
        var span = value.Span;
        int samples = Math.Min(span.Length, 10);
        for (int n = 0; n < samples; n++)
        {
            int i = span.Length <= 10 ? n : rng.NextInt(span.Length);
            float old = span[i];
            span[i] = old + eps; double lp = loss();
            span[i] = old - eps; double lm = loss();
            span[i] = old;
            double numeric = (lp - lm) / (2 * eps), analytic = grad[i];
            Assert.True(Math.Abs(numeric - analytic) <= tol * Math.Max(1, Math.Abs(numeric)), $"{name}[{i}]: analytic {analytic:G6}, numeric {numeric:G6}");
        }
    }

    public static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillUniform(t.Span, -1f, 1f);
        return t;
    }
}
