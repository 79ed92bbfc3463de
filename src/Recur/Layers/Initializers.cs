using Recur.Tensors;

namespace Recur.Layers;

/// <summary>How recurrent weights are initialised.</summary>
public enum RecurrentInit
{
    /// <summary>PyTorch's default: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).</summary>
    PyTorch,

    /// <summary>Input weights Glorot-uniform, recurrent weights orthogonal per gate block, biases zero (Keras's default).</summary>
    Orthogonal,

    /// <summary>All weight matrices Glorot-uniform per gate block (U(-a, a), a = sqrt(6 / (fan_in + fan_out))), biases zero.</summary>
    Glorot,
}

/// <summary>Weight initialisers. All draw from a <see cref="Rng"/> so that a seed reproduces them.</summary>
public static class Initializers
{
    /// <summary>Fills with U(-<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public static void Uniform(Span<float> w, float bound, Rng rng) => rng.FillUniform(w, -bound, bound);

    /// <summary>Glorot/Xavier uniform for a [rows, cols] block: U(-a, a), a = sqrt(6 / (rows + cols)).</summary>
    public static void GlorotUniform(Span<float> w, int rows, int cols, Rng rng)
    {
        CheckBlock(w, rows, cols);
        Uniform(w, MathF.Sqrt(6f / (rows + cols)), rng);
    }

    /// <summary>
    /// A (semi-)orthogonal [rows, cols] block: rows are orthonormal when rows &lt;= cols, columns otherwise.
    /// Gram-Schmidt (twice, for stability) on Gaussian vectors in double precision.
    /// </summary>
    public static void Orthogonal(Span<float> w, int rows, int cols, Rng rng, float gain = 1f)
    {
        CheckBlock(w, rows, cols);
        bool transpose = rows > cols; // orthonormalise the shorter side's vectors
        int n = transpose ? cols : rows, len = transpose ? rows : cols;
        var v = new double[n, len];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < len; j++) v[i, j] = rng.NextGaussian();
        for (int i = 0; i < n; i++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < i; p++)
                {
                    double dot = 0;
                    for (int j = 0; j < len; j++) dot += v[i, j] * v[p, j];
                    for (int j = 0; j < len; j++) v[i, j] -= dot * v[p, j];
                }
            double norm = 0;
            for (int j = 0; j < len; j++) norm += v[i, j] * v[i, j];
            norm = Math.Sqrt(norm);
            for (int j = 0; j < len; j++) v[i, j] /= norm;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                w[r * cols + c] = gain * (float)(transpose ? v[c, r] : v[r, c]);
    }

    private static void CheckBlock(Span<float> w, int rows, int cols)
    {
        if (w.Length != rows * cols)
            throw new ArgumentException($"a [{rows}, {cols}] block needs {rows * cols} values, the span has {w.Length}", nameof(w));
    }
}
