using Recur.Tensors;

namespace Recur.Kernels;

/// <summary>Argument checks shared by the span kernels; each failure names the argument and both lengths.</summary>
internal static class KernelArgs
{
    /// <summary>Throws unless <paramref name="actual"/> equals the length of the span named <paramref name="reference"/>.</summary>
    public static void SameLength(int actual, string argument, int expected, string reference)
    {
        if (actual != expected)
            throw new ShapeMismatchException(argument, $"[{expected}] (the length of {reference})", $"[{actual}]");
    }

    /// <summary>Throws unless a span of <paramref name="actual"/> elements holds exactly rows·cols elements.</summary>
    public static void MatrixLength(int actual, string argument, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long expected = (long)rows * cols;
        if (actual != expected)
            throw new ShapeMismatchException(argument, $"[{rows}, {cols}] ({expected} elements)", $"{actual} elements");
    }

    /// <summary>
    /// Throws if <paramref name="output"/> overlaps <paramref name="input"/> other than exactly (same start): the
    /// kernels read each element before writing the same index, so only exact aliasing is safe.
    /// </summary>
    public static void NoPartialOverlap(ReadOnlySpan<float> input, string inputName, ReadOnlySpan<float> output, string outputName)
    {
        if (input.Overlaps(output, out int offset) && offset != 0)
            throw new ArgumentException($"{outputName} overlaps {inputName} at an offset of {offset} elements; it may only alias it exactly", outputName);
    }
}
