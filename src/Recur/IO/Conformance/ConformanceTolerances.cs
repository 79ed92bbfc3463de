using System.Globalization;

namespace Recur.IO.Conformance;

/// <summary>
/// How close a result must be to its expectation: element-wise |a - e| &lt;= atol * max(1, max|e| over the tensor) +
/// rtol * |e|, with one (rtol, atol) pair for outputs and states and one for gradients.
/// </summary>
/// <param name="RtolForward">Relative tolerance for output, h_n, c_n (default 1e-5).</param>
/// <param name="AtolForward">Absolute tolerance, scaled by the tensor's largest magnitude, for output, h_n, c_n (default 1e-6).</param>
/// <param name="RtolGrad">Relative tolerance for gradients (default 1e-4).</param>
/// <param name="AtolGrad">Scaled absolute tolerance for gradients (default 1e-5).</param>
public sealed record ConformanceTolerances(double RtolForward, double AtolForward, double RtolGrad, double AtolGrad)
{
    /// <summary>The format's defaults: 1e-5 / 1e-6 for outputs and states, 1e-4 / 1e-5 for gradients.</summary>
    public static ConformanceTolerances Default { get; } = new(1e-5, 1e-6, 1e-4, 1e-5);

    /// <summary>
    /// The worst element's error as a fraction of what it is allowed: max over i of |a_i - e_i| / (atol * max(1, max|e|)
    /// + rtol * |e_i|). At most 1 passes; NaN or infinity where the expectation is finite gives +infinity.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double ErrorRatio(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double rtol, double atol)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"actual has {actual.Length} elements, expected has {expected.Length}", nameof(actual));
        double scale = 1;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs((double)e));
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            if (a == e) continue; // also equal infinities
            double diff = Math.Abs(a - e);
            double allowed = atol * scale + rtol * Math.Abs(e);
            double ratio = diff / allowed; // diff > 0 here, so a zero allowance gives +infinity
            worst = Math.Max(worst, double.IsNaN(ratio) ? double.PositiveInfinity : ratio); // NaN results, infinite expectations
        }
        return worst;
    }

    /// <summary>Reads the optional <c>rtol_fwd</c>, <c>atol_fwd</c>, <c>rtol_grad</c>, <c>atol_grad</c> metadata over the defaults.</summary>
    internal static ConformanceTolerances FromMetadata(IReadOnlyDictionary<string, string> metadata, Func<string, Exception> fail)
    {
        double Get(string key, double fallback)
        {
            if (!metadata.TryGetValue(key, out var text)) return fallback;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0)
                throw fail($"metadata {key} must be a non-negative number, got '{text}'");
            return v;
        }
        var d = Default;
        return new ConformanceTolerances(Get("rtol_fwd", d.RtolForward), Get("atol_fwd", d.AtolForward),
            Get("rtol_grad", d.RtolGrad), Get("atol_grad", d.AtolGrad));
    }
}
