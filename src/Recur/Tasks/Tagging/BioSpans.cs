namespace Recur.Tasks.Tagging;

/// <summary>A labelled span of a sentence: words [Start, End) of type Type.</summary>
/// <param name="Start">First word.</param>
/// <param name="End">One past the last word.</param>
/// <param name="Type">The entity or chunk type ("PER" of "B-PER").</param>
public readonly record struct TagSpan(int Start, int End, string Type);

/// <summary>
/// Spans of chunk tags (IOB2 "B-X I-X O", IOB1, IOE, IOBES "S-X E-X") read the way the CoNLL evaluation script
/// (conlleval) reads them: a span ends before a B (or after an E or S), before an O, or when the type changes; a span
/// starts at B or S, at an I or E that follows O or another type. Span F1 counts a predicted span as correct only
/// when a gold span has the same start, end and type.
/// </summary>
public static class BioSpans
{
    /// <summary>True when every tag is "O" or a prefix B-, I-, E-, S- with a type, and some tag is not "O".</summary>
    public static bool IsChunkTagSet(IEnumerable<string> tags)
    {
        bool any = false;
        foreach (string t in tags)
        {
            if (t == "O") continue;
            if (t.Length < 3 || t[1] != '-' || t[0] is not ('B' or 'I' or 'E' or 'S')) return false;
            any = true;
        }
        return any;
    }

    /// <summary>The spans of one sentence's tags, in order.</summary>
    public static List<TagSpan> Spans(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<TagSpan>();
        int start = -1;
        string prevTag = "O", prevType = "";
        for (int i = 0; i <= tags.Count; i++)
        {
            var (tag, type) = i < tags.Count ? Split(tags[i]) : ("O", "");
            if (start >= 0 && EndsBefore(prevTag, tag, prevType, type))
            {
                spans.Add(new TagSpan(start, i, prevType));
                start = -1;
            }
            if (StartsAt(prevTag, tag, prevType, type)) start = i;
            (prevTag, prevType) = (tag, type);
        }
        return spans;
    }

    // "B-PER" -> ("B", "PER"); "O" -> ("O", ""); anything else is read as a type without prefix (I).
    private static (string Tag, string Type) Split(string t) =>
        t == "O" ? ("O", "") : t.Length >= 2 && t[1] == '-' ? (t[..1], t[2..]) : ("I", t);

    // conlleval's endOfChunk: the chunk holding the previous word ends before this one.
    private static bool EndsBefore(string prev, string tag, string prevType, string type) =>
        prev is "E" or "S"
        || (prev is "B" or "I" && tag is "B" or "S" or "O")
        || (prev != "O" && prevType != type);

    // conlleval's startOfChunk: a chunk starts at this word.
    private static bool StartsAt(string prev, string tag, string prevType, string type) =>
        tag is "B" or "S"
        || (prev is "E" or "S" or "O" && tag is "I" or "E")
        || (tag != "O" && prevType != type);
}
