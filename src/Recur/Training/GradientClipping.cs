using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recur.Layers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Training;

/// <summary>
/// The notes' remedy for exploding gradients. By global norm (PyTorch's clip_grad_norm_): with
/// n = sqrt(Σ_p ||g_p||²), every gradient is scaled by min(1, maxNorm / (n + 1e-6)); another norm type q gives
/// n = (Σ |g|^q)^(1/q) over all elements, and q = ∞ the largest |g|. By value: each element is clamped to [-c, c].
/// <para>Frozen parameters (<see cref="Parameter.RequiresGrad"/> = false) are left out of every function here: they
/// add nothing to the norm and their gradients are neither scaled nor clamped. Recur still computes their gradients,
/// but no optimizer uses them, as PyTorch's clip_grad_norm_ / clip_grad_value_ skip parameters whose grad is None.</para>
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// The global norm of the gradients of the trainable parameters (accumulated in double): L2 by default,
    /// <paramref name="normType"/> q > 0 for (Σ |g|^q)^(1/q), <see cref="double.PositiveInfinity"/> for max |g|
    /// (PyTorch's norm_type); 0 when all are frozen.
    /// </summary>
    public static double GlobalNorm(IEnumerable<Parameter> parameters, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), $"must be positive (or infinity), got {normType}");
        if (normType != 2) return OtherNorm(parameters, normType);
        double sum = 0;
        if (parameters is IReadOnlyList<Parameter> list) // no enumerator allocation on the per-step path
        {
            for (int i = 0; i < list.Count; i++)
                if (list[i].RequiresGrad) sum += SumOfSquares(list[i].Grad.Span);
        }
        else
            foreach (var p in parameters)
                if (p.RequiresGrad) sum += SumOfSquares(p.Grad.Span);
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Per trainable parameter, in order: the L2 norm and the largest magnitude of its gradient, to see which layer's
    /// gradients vanish or explode. Call it before clipping to see the raw gradients. The global norm is sqrt(Σ norm²).
    /// </summary>
    public static IReadOnlyList<GradientNorm> ParameterNorms(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ParameterNorms(parameters.Select(p => (p.Name, p)));
    }

    /// <summary>
    /// <see cref="ParameterNorms(IEnumerable{Parameter})"/> under the given names, e.g. a model's
    /// <see cref="Module.NamedParameters"/> so that each row has its dotted path (<c>encoder.rnn.weight_hh_l0</c>).
    /// </summary>
    public static IReadOnlyList<GradientNorm> ParameterNorms(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var norms = new List<GradientNorm>();
        foreach (var (name, p) in parameters)
        {
            if (!p.RequiresGrad) continue;
            var g = p.Grad.Span;
            norms.Add(new GradientNorm(name, Math.Sqrt(SumOfSquares(g)), g.IsEmpty ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(g))));
        }
        return norms;
    }

    private static double OtherNorm(IEnumerable<Parameter> parameters, double q)
    {
        double acc = 0;
        foreach (var p in parameters)
        {
            if (!p.RequiresGrad || p.Grad.Length == 0) continue;
            var g = p.Grad.Span;
            if (double.IsPositiveInfinity(q)) acc = Math.Max(acc, MathF.Abs(TensorPrimitives.MaxMagnitude(g)));
            else foreach (float v in g) acc += Math.Pow(Math.Abs(v), q);
        }
        return double.IsPositiveInfinity(q) ? acc : Math.Pow(acc, 1 / q);
    }

    // Σ v² accumulated in double (a norm over millions of elements must not lose the small ones), 8 floats a step
    // widened to two vectors of 4 doubles.
    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            ref float start = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref start, (nuint)i));
                acc0 += lo * lo;
                acc1 += hi * hi;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < values.Length; i++) sum += (double)values[i] * values[i];
        return sum;
    }

    /// <summary>Scales the trainable parameters' gradients so their global norm (see <see cref="GlobalNorm"/>) is at most
    /// <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static double ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"must be positive, got {maxNorm}");
        double norm = GlobalNorm(parameters, normType);
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1)
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i].RequiresGrad) TensorPrimitives.Multiply(parameters[i].Grad.Span, (float)scale, parameters[i].Grad.Span);
        return norm;
    }

    /// <summary>Clamps every gradient element of the trainable parameters to [-<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipByValue(IEnumerable<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"must be positive, got {clipValue}");
        foreach (var p in parameters)
        {
            if (!p.RequiresGrad) continue;
            var g = p.Grad.Span;
            TensorPrimitives.Min(g, clipValue, g);
            TensorPrimitives.Max(g, -clipValue, g);
        }
    }
}
