namespace Recur.Kernels.Reference;

/// <summary>
/// Scalar double-precision definitions of the activations and their derivatives: the ground truth the vector
/// kernels in <see cref="Activations"/> and <see cref="VectorMath"/> are tested against.
/// </summary>
internal static class ActivationsReference
{
    /// <summary>e^x.</summary>
    public static double Exp(double x) => Math.Exp(x);

    /// <summary>1 / (1 + e^−x), written so neither tail overflows.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>tanh x.</summary>
    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>x &lt; 0 ? 0 : x (−0 and NaN pass through, as PyTorch).</summary>
    public static double Relu(double x) => x < 0 ? 0 : x;

    /// <summary>dy·(1 − y)·y: dσ/dx expressed through y = σ(x).</summary>
    public static double SigmoidBackward(double y, double dy) => dy * (1 - y) * y;

    /// <summary>dy·(1 − y²): dtanh/dx expressed through y = tanh x.</summary>
    public static double TanhBackward(double y, double dy) => dy * (1 - y * y);

    /// <summary>y ≤ 0 ? 0 : dy (a NaN y passes dy, as PyTorch's threshold backward).</summary>
    public static double ReluBackward(double y, double dy) => y <= 0 ? 0 : dy;
}
