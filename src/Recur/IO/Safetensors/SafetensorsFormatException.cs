namespace Recur.IO.Safetensors;

/// <summary>
/// Thrown when a safetensors file (or a file in a format built on it) is malformed or does not hold what it claims.
/// The message names the file, the tensor when one is involved, and the problem, e.g.
/// <c>model.safetensors: tensor 'weight_ih_l0': data_offsets [0, 96] span 96 bytes but F32 shape [4, 8] needs 128</c>.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file path, or a description of an in-memory source.</param>
    /// <param name="tensor">The tensor the problem concerns, or null when it concerns the file as a whole.</param>
    /// <param name="problem">What is wrong, with the expected and the actual value.</param>
    /// <param name="inner">The underlying error (e.g. a JSON parse error), if any.</param>
    public SafetensorsFormatException(string source, string? tensor, string problem, Exception? inner = null)
        : base(tensor is null ? $"{source}: {problem}" : $"{source}: tensor '{tensor}': {problem}", inner)
    {
        FileName = source;
        Tensor = tensor;
        Problem = problem;
    }

    /// <summary>The file path, or the description of an in-memory source.</summary>
    public string FileName { get; }

    /// <summary>The tensor the problem concerns, or null.</summary>
    public string? Tensor { get; }

    /// <summary>The problem without the file and tensor prefix.</summary>
    public string Problem { get; }
}
