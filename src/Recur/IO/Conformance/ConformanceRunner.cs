using Recur.Layers;
using Recur.Tensors;

namespace Recur.IO.Conformance;

/// <summary>The comparison of one expected tensor: its name and the worst error as a fraction of the tolerance (≤ 1 passes).</summary>
/// <param name="Name">Expectation name, e.g. <c>output</c> or <c>grad.weight_hh_l0</c>.</param>
/// <param name="ErrorRatio">max |a-e| / (atol·max(1, max|e|) + rtol·|e|); +∞ for NaN or a missing result.</param>
/// <param name="MaxAbsError">max |a - e|, for the report.</param>
public sealed record TensorCheck(string Name, double ErrorRatio, double MaxAbsError)
{
    /// <summary>True when within tolerance.</summary>
    public bool Passed => ErrorRatio <= 1;
}

/// <summary>The outcome of running one conformance case through Recur.</summary>
/// <param name="Case">The case.</param>
/// <param name="Checks">One entry per expected tensor.</param>
public sealed record ConformanceResult(RnnConformanceCase Case, IReadOnlyList<TensorCheck> Checks)
{
    /// <summary>True when every expected tensor is within tolerance.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The check with the largest error ratio.</summary>
    public TensorCheck Worst => Checks.MaxBy(c => c.ErrorRatio)!;
}

/// <summary>
/// Runs an <c>rnn-conformance/1</c> case: builds the layer its metadata describes, loads its state_dict, runs forward
/// and backward for L = Σ output·upstream + Σ h_n·upstream.h_n + Σ c_n·upstream.c_n, and compares every expectation.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Builds the Recur layer a case describes (weights not yet loaded).</summary>
    public static RecurrentLayer BuildLayer(RnnConformanceCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Mode switch
        {
            RnnConformanceMode.Lstm => new Lstm(c.InputSize, c.HiddenSize, c.NumLayers, c.Bidirectional, c.Bias, projSize: c.ProjSize),
            RnnConformanceMode.Gru => new Gru(c.InputSize, c.HiddenSize, c.NumLayers, c.Bidirectional, c.Bias),
            RnnConformanceMode.RnnRelu => new Rnn(c.InputSize, c.HiddenSize, c.NumLayers, RnnNonlinearity.Relu, c.Bidirectional, c.Bias),
            _ => new Rnn(c.InputSize, c.HiddenSize, c.NumLayers, RnnNonlinearity.Tanh, c.Bidirectional, c.Bias),
        };
    }

    /// <summary>Runs <paramref name="c"/> and compares every expectation.</summary>
    public static ConformanceResult Run(RnnConformanceCase c)
    {
        var layer = BuildLayer(c);
        foreach (var p in layer.Parameters)
        {
            if (!c.Parameters.TryGetValue(p.Name, out var value))
                throw new InvalidDataException($"{c.Path}: the case has no tensor '{p.Name}' that a {c.Mode} layer with these settings needs");
            p.Load(value);
        }
        var extra = c.Parameters.Keys.Except(layer.Parameters.Select(p => p.Name)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{c.Path}: parameters {string.Join(", ", extra)} do not belong to a {c.Mode} layer with these settings");

        int[]? lengths = c.Lengths is null ? null : Array.ConvertAll(c.Lengths, v => checked((int)v));
        layer.Training = true;
        var result = layer.Forward(c.Input, c.H0, c.C0, lengths);
        var grads = layer.Backward(c.Upstream, c.UpstreamHn, c.UpstreamCn);

        var actual = new Dictionary<string, Tensor>
        {
            ["output"] = result.Output,
            ["h_n"] = result.Hn,
            ["grad.input"] = grads.Input,
            ["grad.h0"] = grads.H0,
        };
        if (result.Cn is not null) actual["c_n"] = result.Cn;
        if (grads.C0 is not null) actual["grad.c0"] = grads.C0;
        foreach (var p in layer.Parameters) actual["grad." + p.Name] = p.Grad;

        var checks = new List<TensorCheck>();
        var tol = c.Tolerances;
        foreach (var (name, expected) in c.Expected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(name, out var a) || !Shape.Equal(a.Shape, expected.Shape))
            {
                checks.Add(new TensorCheck(name, double.PositiveInfinity, double.PositiveInfinity));
                continue;
            }
            bool grad = RnnConformanceCase.IsGradient(name);
            double ratio = ConformanceTolerances.ErrorRatio(a.Span, expected.Span, grad ? tol.RtolGrad : tol.RtolForward, grad ? tol.AtolGrad : tol.AtolForward);
            double maxAbs = 0;
            for (int i = 0; i < a.Length; i++) maxAbs = Math.Max(maxAbs, Math.Abs((double)a[i] - expected[i]));
            checks.Add(new TensorCheck(name, ratio, maxAbs));
        }
        return new ConformanceResult(c, checks);
    }
}
