using Recur.Data.Files;
using Recur.Data.Text;

namespace Recur.Data.Formats;

/// <summary>
/// Reads tagged tokens for sequence labelling (many-to-many synchronized tasks) from the common corpus layouts
/// (<see cref="TaggedFormat"/>), streaming one sentence at a time, gzip transparent. A token that does not parse is
/// a <see cref="DataFormatException"/> pointing at it: <c>train.txt:12:17: token "foo" is not word/TAG</c> (the
/// column counts UTF-16 characters from 1, as editors do).
/// </summary>
public static class TaggedTextReader
{
    // Lines looked at to tell the format.
    private const int DetectionLines = 50;

    /// <summary>
    /// Streams the sentences of <paramref name="path"/>, each with the line it starts on.
    /// <list type="bullet">
    /// <item><see cref="TaggedFormat.Slash"/>: every non-blank line is one sentence of white-space separated
    /// <c>word/TAG</c> tokens, split at the last '/' (so "1/2/cd" is the word "1/2" tagged "cd").</item>
    /// <item><see cref="TaggedFormat.ConllU"/>: the tag from <paramref name="column"/>; comment lines, multi-word
    /// token ranges (ID "1-2") and empty nodes (ID "1.1") are skipped, as they are not words of the sentence. A
    /// line without 10 columns, an empty word or tag, or the tag "_" (not annotated) is an error.</item>
    /// <item><see cref="TaggedFormat.Conll"/>: the first and last fields of each line (tab-separated when the line
    /// has a tab, so tokens may hold spaces; else space-separated), so CoNLL-2003's four columns give the word and
    /// its entity tag; <c>-DOCSTART-</c> lines are skipped.</item>
    /// </list>
    /// </summary>
    /// <param name="path">The corpus file.</param>
    /// <param name="format">Its layout, or null to detect it (<see cref="DetectFormat"/>).</param>
    /// <param name="column">The CoNLL-U column holding the tag.</param>
    /// <param name="normalize">Normalise words and tags to NFC (<see cref="UnicodeNormalization.ToNfc"/>).</param>
    /// <exception cref="DataFormatException">A malformed line or token, or (when detecting) a file whose layout cannot be told.</exception>
    public static IEnumerable<TaggedSentence> Read(string path, TaggedFormat? format = null, ConlluTagColumn column = ConlluTagColumn.Upos, bool normalize = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(column)) throw new ArgumentOutOfRangeException(nameof(column), column, "not a CoNLL-U tag column");
        return Sentences(path, format, column, normalize);
    }

    /// <summary>
    /// The layout of <paramref name="path"/>, from its first non-blank lines that are not '#' comments: CoNLL-U when
    /// the first has 10 tab-separated fields and a word index (1, 1-2, 1.1) first; otherwise slash-tagged when most
    /// lines are all <c>word/TAG</c> tokens, CoNLL when most have two or more fields that are not, as many on every
    /// line (prose has varying counts). Null for a file with no such lines.
    /// </summary>
    /// <exception cref="DataFormatException">The lines fit none of the layouts.</exception>
    public static TaggedFormat? DetectFormat(string path)
    {
        using var reader = new Utf8LineReader(path);
        int slash = 0, conll = 0, seen = 0, conllFields = -1;
        bool sameFields = true;
        long firstLine = 0;
        Span<Range> fields = stackalloc Range[11];
        while (seen < DetectionLines && reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace() || line[0] == '#' || line.StartsWith("-DOCSTART-")) continue;
            if (seen++ == 0)
            {
                firstLine = reader.LineNumber;
                if (line.Split(fields, '\t') == 10 && IsWordIndex(line[fields[0]])) return TaggedFormat.ConllU;
            }
            int tokens = 0, slashed = 0;
            foreach (var range in line.SplitAny(" \t"))
            {
                var token = line[range];
                if (token.IsEmpty) continue;
                tokens++;
                if (SlashAt(token) > 0) slashed++;
            }
            if (tokens == slashed)
            {
                slash++;
                continue;
            }
            // CoNLL columns: the same number of fields on every line (prose varies).
            int count = ConllFields(line, out _, out _);
            if (count < 2) continue;
            conll++;
            if (conllFields < 0) conllFields = count;
            sameFields &= count == conllFields;
        }
        if (seen == 0) return null;
        if (slash > conll) return TaggedFormat.Slash;
        if (conll > slash && sameFields) return TaggedFormat.Conll;
        throw new DataFormatException(reader.Source, firstLine,
            "cannot tell the layout: expected word/TAG tokens (slash-tagged), 10 tab-separated CoNLL-U columns, or a token and its tag on each line (CoNLL); name the format");
    }

    /// <summary>
    /// Slash-tagged text as a list (<see cref="Read"/> with <see cref="TaggedFormat.Slash"/>), tags lowercased
    /// when asked.
    /// </summary>
    public static List<TaggedSentence> ReadSlashTagged(string path, bool lowercaseTags = false)
    {
        var sentences = Read(path, TaggedFormat.Slash);
        return lowercaseTags
            ? sentences.Select(s => s with { Tags = [.. s.Tags.Select(t => t.ToLowerInvariant())] }).ToList()
            : sentences.ToList();
    }

    /// <summary>CoNLL-U as a list (<see cref="Read"/> with <see cref="TaggedFormat.ConllU"/>).</summary>
    public static List<TaggedSentence> ReadConllU(string path, ConlluTagColumn tagColumn = ConlluTagColumn.Upos)
        => Read(path, TaggedFormat.ConllU, tagColumn).ToList();

    private static IEnumerable<TaggedSentence> Sentences(string path, TaggedFormat? format, ConlluTagColumn column, bool normalize)
    {
        var layout = format ?? DetectFormat(path);
        if (layout is null) yield break;
        using var reader = new Utf8LineReader(path);
        var sentence = new SentenceBuilder(normalize);
        while (reader.TryReadLine(out var line))
        {
            switch (layout)
            {
                case TaggedFormat.Slash:
                    AddSlashTokens(line, reader, sentence);
                    if (sentence.Take() is { } s) yield return s;
                    break;
                case TaggedFormat.ConllU when line.IsWhiteSpace():
                case TaggedFormat.Conll when line.IsWhiteSpace():
                    if (sentence.Take() is { } ended) yield return ended;
                    break;
                case TaggedFormat.ConllU:
                    AddConlluWord(line, reader, column, sentence);
                    break;
                default:
                    AddConllToken(line, reader, sentence);
                    break;
            }
        }
        if (sentence.Take() is { } last) yield return last;
    }

    private static void AddSlashTokens(ReadOnlySpan<char> line, Utf8LineReader reader, SentenceBuilder sentence)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i == line.Length) return;
            int start = i;
            while (i < line.Length && line[i] is not (' ' or '\t')) i++;
            var token = line[start..i];
            int slash = SlashAt(token);
            if (slash <= 0) throw new DataFormatException(reader.Source, reader.LineNumber, start + 1, $"token \"{token}\" is not word/TAG");
            sentence.Add(token[..slash], token[(slash + 1)..], reader.LineNumber);
        }
    }

    private static void AddConlluWord(ReadOnlySpan<char> line, Utf8LineReader reader, ConlluTagColumn column, SentenceBuilder sentence)
    {
        if (line[0] == '#') return;
        Span<Range> fields = stackalloc Range[11];
        int n = line.Split(fields, '\t');
        if (n != 10) throw reader.Error($"expected 10 tab-separated columns, got {(n > 10 ? "more than 10" : n)}");
        var id = line[fields[0]];
        if (!IsWordIndex(id)) throw new DataFormatException(reader.Source, reader.LineNumber, 1, $"ID \"{id}\" is not a word index (1, 2, ... or a range 1-2 or an empty node 1.1)");
        if (id.ContainsAny('-', '.')) return;
        var form = line[fields[1]];
        var tag = line[fields[(int)column]];
        if (form.IsEmpty) throw new DataFormatException(reader.Source, reader.LineNumber, fields[1].Start.Value + 1, "the FORM column is empty");
        if (tag.IsEmpty || tag is "_")
            throw new DataFormatException(reader.Source, reader.LineNumber, fields[(int)column].Start.Value + 1,
                $"the {column.ToString().ToUpperInvariant()} column is {(tag.IsEmpty ? "empty" : "\"_\" (not annotated)")}; is the tag in another column?");
        sentence.Add(form, tag, reader.LineNumber);
    }

    private static void AddConllToken(ReadOnlySpan<char> line, Utf8LineReader reader, SentenceBuilder sentence)
    {
        if (line.StartsWith("-DOCSTART-")) return;
        if (ConllFields(line, out var first, out var last) < 2)
            throw new DataFormatException(reader.Source, reader.LineNumber, first.Start.Value + 1, $"expected a token and its tag separated by a tab or spaces, got \"{line.Trim()}\"");
        sentence.Add(line[first], line[last], reader.LineNumber);
    }

    // The number of fields of a CoNLL line, and the first and last (trimmed). Fields are tab-separated when the line
    // has a tab, so that a token may hold spaces, and separated by runs of spaces otherwise.
    private static int ConllFields(ReadOnlySpan<char> line, out Range first, out Range last)
    {
        ReadOnlySpan<char> separators = line.Contains('\t') ? "\t" : " ";
        first = last = default;
        int count = 0;
        foreach (var range in line.SplitAny(separators))
        {
            var (offset, length) = range.GetOffsetAndLength(line.Length);
            var field = line.Slice(offset, length);
            int lead = field.Length - field.TrimStart().Length;
            int trimmed = field.Trim().Length;
            if (trimmed == 0) continue;
            last = new Range(offset + lead, offset + lead + trimmed);
            if (count++ == 0) first = last;
        }
        return count;
    }

    // Where a word/TAG token splits: its last '/', or -1 when that leaves the word or the tag empty.
    private static int SlashAt(ReadOnlySpan<char> token)
    {
        int slash = token.LastIndexOf('/');
        return slash > 0 && slash < token.Length - 1 ? slash : -1;
    }

    // A CoNLL-U ID: a word index (1), a multi-word token range (1-2) or an empty node (1.1).
    private static bool IsWordIndex(ReadOnlySpan<char> id)
    {
        int separator = id.IndexOfAny('-', '.');
        return separator < 0 ? IsNumber(id) : IsNumber(id[..separator]) && IsNumber(id[(separator + 1)..]);
    }

    private static bool IsNumber(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    /// <summary>The words and tags of the sentence being read.</summary>
    private sealed class SentenceBuilder(bool normalize)
    {
        private readonly List<string> _words = [], _tags = [];
        private long _start;

        public void Add(ReadOnlySpan<char> word, ReadOnlySpan<char> tag, long line)
        {
            if (_words.Count == 0) _start = line;
            _words.Add(Text(word));
            _tags.Add(Text(tag));
        }

        // The sentence so far (null when empty), starting a new one.
        public TaggedSentence? Take()
        {
            if (_words.Count == 0) return null;
            var sentence = new TaggedSentence([.. _words], [.. _tags], _start);
            _words.Clear();
            _tags.Clear();
            return sentence;
        }

        private string Text(ReadOnlySpan<char> s) => normalize ? UnicodeNormalization.ToNfc(new string(s)) : new string(s);
    }
}
