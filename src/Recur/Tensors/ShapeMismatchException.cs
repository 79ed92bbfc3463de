namespace Recur.Tensors;

/// <summary>
/// Thrown when a tensor argument does not have the shape an operation needs. The message names the argument,
/// the expected shape and the actual shape, e.g. <c>input: expected [32, 100, 64], got [32, 64]</c>.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="argument"/>.</summary>
    /// <param name="argument">Name of the offending argument.</param>
    /// <param name="expected">What was expected, e.g. <c>[B, T, 64]</c> (symbolic names allowed).</param>
    /// <param name="actual">What was passed, e.g. <c>[32, 100, 63]</c>.</param>
    public ShapeMismatchException(string argument, string expected, string actual)
        : base($"{argument}: expected shape {expected}, got {actual}", argument)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The expected shape as text.</summary>
    public string Expected { get; }

    /// <summary>The actual shape as text.</summary>
    public string Actual { get; }
}
