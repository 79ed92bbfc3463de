using Recur.Tensors;

namespace Recur.Data.Splits;

/// <summary>
/// A seeded hold-out split that keeps each class's share in both parts (scikit-learn's stratified
/// <c>train_test_split</c>): within every class, the examples are shuffled and round(n_c · fraction) of them held out,
/// but never all of a class (a class with one example stays in training).
/// </summary>
public static class StratifiedSplit
{
    /// <summary>Indices of the training and held-out parts, each in ascending order (the file's order).</summary>
    /// <param name="labels">Each example's class.</param>
    /// <param name="fraction">Share held out, in (0, 1).</param>
    /// <param name="rng">The seeded generator (the split depends only on it and the labels).</param>
    public static (int[] Train, int[] Held) Split(IReadOnlyList<int> labels, double fraction, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"must be in (0, 1), got {fraction}");
        var held = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            rng.Shuffle<int>(members);
            int take = Math.Min(members.Length - 1, (int)Math.Round(members.Length * fraction, MidpointRounding.AwayFromZero));
            held.AddRange(members.Take(take));
        }
        var heldSet = held.ToHashSet();
        return (Enumerable.Range(0, labels.Count).Where(i => !heldSet.Contains(i)).ToArray(), [.. held.Order()]);
    }
}
