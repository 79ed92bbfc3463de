namespace Recur.Training.Metrics.Text;

/// <summary>Levenshtein distance: the fewest insertions, deletions and substitutions turning one sequence into another.</summary>
public static class EditDistance
{
    /// <summary>d(a, b), in O(|a|·|b|) time and O(|b|) memory.</summary>
    public static int Between<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : IEquatable<T>
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0]; // d(i-1, j-1)
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(above + 1, row[j - 1] + 1), diagonal + (a[i - 1].Equals(b[j - 1]) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
