using Recur.Data.Text;

namespace Recur.Tasks;

/// <summary>
/// How a word's characters reach a spelling network (<see cref="Models.CharWordEncoder"/>): one index per code point,
/// and for a word longer than the limit its first and last halves, so that a long word keeps its suffix
/// ("-ization", "-ness") as well as its prefix.
/// </summary>
public static class Spelling
{
    /// <summary>The characters read of <paramref name="word"/>: all of them, or the first and last halves of <paramref name="maxLength"/>.</summary>
    public static List<string> Characters(string word, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(word);
        var runes = word.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (runes.Count <= maxLength) return runes;
        int head = maxLength / 2;
        return [.. runes.Take(head), .. runes.Skip(runes.Count - (maxLength - head))];
    }

    /// <summary>The character indices of <paramref name="word"/> (at least one: an empty word reads as &lt;unk&gt;; unknown characters too).</summary>
    public static int[] Encode(string word, Vocabulary chars, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(chars);
        int unk = chars.UnkIndex ?? 0;
        var cs = Characters(word, maxLength);
        return cs.Count == 0 ? [unk] : [.. cs.Select(c => chars.TryGetIndex(c, out int k) ? k : unk)];
    }

    /// <summary>A character vocabulary (padding and &lt;unk&gt;, then the characters in code-point order) from words.</summary>
    public static Vocabulary Vocabulary(IEnumerable<string> words, int maxLength)
    {
        var counts = new TokenCounter();
        foreach (string w in words) foreach (string c in Characters(w, maxLength)) counts.Add(c);
        return Data.Text.Vocabulary.FromCounts(counts.Counts, new VocabularyOptions { Specials = new SpecialTokens("<pad>", "<unk>", null, null), Order = VocabularyOrder.Ordinal });
    }
}
