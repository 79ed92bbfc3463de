using System.Text;

namespace Recur.Tensors;

/// <summary>Helpers for shapes held as <c>int[]</c>: formatting, element counts, comparison.</summary>
public static class Shape
{
    /// <summary>Formats a shape as <c>[2, 3, 4]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i]);
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Number of elements of a shape; throws on negative dimensions or overflow.</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {Format(shape)} has a negative dimension");
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"shape {Format(shape)} has more than {Array.MaxLength} elements");
        }
        return (int)n;
    }

    /// <summary>True when both shapes have the same rank and dimensions.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
