using Recur.Data.Files;

namespace Recur.Data.Formats;

/// <summary>Which CoNLL-U column supplies the tag.</summary>
public enum ConlluTagColumn
{
    /// <summary>Column 4, universal part-of-speech tag.</summary>
    Upos = 3,

    /// <summary>Column 5, language-specific part-of-speech tag.</summary>
    Xpos = 4,

    /// <summary>Column 8, dependency relation.</summary>
    Deprel = 7,
}

/// <summary>
/// Reads tagged tokens for sequence labelling (many-to-many synchronized tasks):
/// slash-tagged text ("The/at jury/nn said/vbd ./."; the Brown corpus format) and CoNLL-U.
/// </summary>
public static class TaggedTextReader
{
    /// <summary>
    /// Slash-tagged text: every non-blank line is one sentence of white-space separated <c>word/TAG</c> tokens,
    /// split at the last '/' (so "1/2/cd" is the word "1/2"). Blank lines separate sentences. A token without a
    /// word or a tag is an error with file and line.
    /// </summary>
    public static List<TaggedSentence> ReadSlashTagged(string path, bool lowercaseTags = false)
    {
        var result = new List<TaggedSentence>();
        using var reader = new Utf8LineReader(path);
        var words = new List<string>();
        var tags = new List<string>();
        while (reader.TryReadLine(out var line))
        {
            words.Clear();
            tags.Clear();
            foreach (var range in line.SplitAny(" \t"))
            {
                var token = line[range];
                if (token.IsEmpty) continue;
                int slash = token.LastIndexOf('/');
                if (slash <= 0 || slash == token.Length - 1)
                    throw reader.Error($"token \"{token}\" is not word/TAG");
                words.Add(new string(token[..slash]));
                var tag = token[(slash + 1)..];
                tags.Add(lowercaseTags ? tag.ToString().ToLowerInvariant() : new string(tag));
            }
            if (words.Count > 0) result.Add(new TaggedSentence([.. words], [.. tags], reader.LineNumber));
        }
        return result;
    }

    /// <summary>
    /// CoNLL-U: one token per line in 10 tab-separated columns (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS
    /// MISC), '#' comment lines, a blank line after each sentence. As the format defines, multi-word token ranges
    /// (ID "1-2") and empty nodes (ID "1.1") are not words of the sentence. A line with another column count, or
    /// an empty FORM or tag, is an error with file and line.
    /// </summary>
    public static List<TaggedSentence> ReadConllU(string path, ConlluTagColumn tagColumn = ConlluTagColumn.Upos)
    {
        var result = new List<TaggedSentence>();
        using var reader = new Utf8LineReader(path);
        var words = new List<string>();
        var tags = new List<string>();
        long start = 0;
        Span<Range> columns = stackalloc Range[11];
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                if (words.Count > 0) result.Add(new TaggedSentence([.. words], [.. tags], start));
                words.Clear();
                tags.Clear();
                continue;
            }
            if (line[0] == '#') continue;
            int n = line.Split(columns, '\t');
            if (n != 10) throw reader.Error($"expected 10 tab-separated columns, got {(n > 10 ? "more than 10" : n)}");
            var id = line[columns[0]];
            if (id.Contains('-') || id.Contains('.')) continue;
            var form = line[columns[1]];
            var tag = line[columns[(int)tagColumn]];
            if (form.IsEmpty || tag.IsEmpty) throw reader.Error("empty FORM or tag column");
            if (words.Count == 0) start = reader.LineNumber;
            words.Add(new string(form));
            tags.Add(new string(tag));
        }
        if (words.Count > 0) result.Add(new TaggedSentence([.. words], [.. tags], start));
        return result;
    }
}
