using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>Reads parallel text for encoder-decoder (many-to-many delayed) tasks.</summary>
public static class SentencePairReader
{
    /// <summary>
    /// Tab-separated pairs, one per line: <c>source\ttarget</c>; further columns (e.g. an attribution, as in
    /// Tatoeba exports) are ignored when <paramref name="allowExtraColumns"/>. Too few columns or an empty side is an
    /// error with file and line.
    /// </summary>
    public static List<SentencePair> ReadTsv(string path, bool allowExtraColumns = true)
    {
        var result = new List<SentencePair>();
        using var reader = new Utf8LineReader(path);
        Span<Range> parts = stackalloc Range[3];
        while (reader.TryReadLine(out var line))
        {
            int n = line.Split(parts, '\t');
            if (n < 2) throw reader.Error("expected source<TAB>target, found no tab");
            if (n > 2 && !allowExtraColumns) throw reader.Error("expected 2 tab-separated columns, got more");
            var source = line[parts[0]];
            var target = line[parts[1]]; // with 3 slots, any further columns all land in parts[2]
            if (source.IsWhiteSpace() || target.IsWhiteSpace()) throw reader.Error("empty source or target");
            result.Add(new SentencePair(source.Trim().ToString(), target.Trim().ToString(), reader.LineNumber));
        }
        return result;
    }

    /// <summary>
    /// The Ding dictionary format (Debian trans-de-en): <c>German :: English</c>, each side split by " | " into
    /// aligned parts (e.g. singular | plural), which become separate pairs (German as source). '#' lines are
    /// comments. Different part counts on the two sides or a missing " :: " are errors with file and line. A part
    /// empty on one side (the real file has a few dozen: a German headword without a direct English equivalent)
    /// is an error too, unless <paramref name="skipUntranslatedParts"/> asks to leave such parts out; the other
    /// parts of the line stay paired by position.
    /// </summary>
    /// <param name="path">The dictionary file (e.g. /usr/share/trans/de-en, or the fetched copy).</param>
    /// <param name="englishToGerman">Make English the source and German the target.</param>
    /// <param name="skipUntranslatedParts">Leave out aligned parts that are empty on one side instead of failing.</param>
    public static List<SentencePair> ReadDing(string path, bool englishToGerman = false, bool skipUntranslatedParts = false)
    {
        var result = new List<SentencePair>();
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var span))
        {
            if (span.IsEmpty || span[0] == '#') continue;
            string line = span.ToString();
            int sep = line.IndexOf(" :: ", StringComparison.Ordinal);
            if (sep < 0) throw reader.Error("expected \"German :: English\"");
            var de = line[..sep].Split(" | ");
            var en = line[(sep + 4)..].Split(" | ");
            if (de.Length != en.Length) throw reader.Error($"{de.Length} German parts but {en.Length} English parts (separated by \" | \")");
            for (int k = 0; k < de.Length; k++)
            {
                string g = de[k].Trim(), e = en[k].Trim();
                if (g.Length == 0 || e.Length == 0)
                {
                    if (skipUntranslatedParts) continue;
                    throw reader.Error($"part {k + 1} is empty on the {(g.Length == 0 ? "German" : "English")} side (pass skipUntranslatedParts to leave such parts out)");
                }
                result.Add(englishToGerman ? new SentencePair(e, g, reader.LineNumber) : new SentencePair(g, e, reader.LineNumber));
            }
        }
        return result;
    }
}
