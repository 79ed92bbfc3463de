namespace Recur.Training;

/// <summary>One parameter's gradient size, from <c>GradientClipping.ParameterNorms</c>.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Norm">The L2 norm of its gradient.</param>
/// <param name="MaxAbs">The largest |g| (NaN if any element is NaN).</param>
public readonly record struct GradientNorm(string Name, double Norm, float MaxAbs);
