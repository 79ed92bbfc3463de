namespace Recur.Kernels.Reference;

/// <summary>Scalar double-precision softmax and log-softmax of one row and their backward passes (ground truth for <see cref="Softmax"/>).</summary>
internal static class SoftmaxReference
{
    /// <summary>y[j] = e^(x[j] − m) / Σ_k e^(x[k] − m), m = max x. Shapes: x, y [cols].</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<double> y)
    {
        double max = Max(x), sum = 0;
        for (int j = 0; j < x.Length; j++) sum += y[j] = Math.Exp(x[j] - max);
        for (int j = 0; j < x.Length; j++) y[j] /= sum;
    }

    /// <summary>y[j] = x[j] − m − log Σ_k e^(x[k] − m). Shapes: x, y [cols].</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<double> y)
    {
        double max = Max(x), sum = 0;
        for (int j = 0; j < x.Length; j++) sum += Math.Exp(x[j] - max);
        double logSum = Math.Log(sum);
        for (int j = 0; j < x.Length; j++) y[j] = x[j] - max - logSum;
    }

    /// <summary>dx = y ⊙ (dy − Σ dy·y). Shapes: y, dy, dx [cols].</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<double> dx)
    {
        double dot = 0;
        for (int j = 0; j < y.Length; j++) dot += (double)dy[j] * y[j];
        for (int j = 0; j < y.Length; j++) dx[j] = y[j] * (dy[j] - dot);
    }

    /// <summary>dx = dy − e^y · Σ dy. Shapes: y, dy, dx [cols].</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<double> dx)
    {
        double sum = 0;
        for (int j = 0; j < y.Length; j++) sum += dy[j];
        for (int j = 0; j < y.Length; j++) dx[j] = dy[j] - Math.Exp(y[j]) * sum;
    }

    private static double Max(ReadOnlySpan<float> x)
    {
        double max = double.NegativeInfinity;
        foreach (float v in x) max = double.IsNaN(v) || v > max ? v : max;
        return max;
    }
}
