using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tasks.Seq2Seq;

/// <summary>The columns (header names or JSON keys) a pair file's sides come from; null for a headerless <c>source&lt;TAB&gt;target</c> file.</summary>
/// <param name="Source">The source column.</param>
/// <param name="Target">The target column.</param>
public sealed record PairColumns(string Source, string Target)
{
    /// <summary>The names looked for when none is given: <c>source</c> and <c>target</c>.</summary>
    public static PairColumns Default { get; } = new("source", "target");
}

/// <summary>
/// Reads source/target pairs as users have them:
/// <list type="bullet">
/// <item>plain pairs, one a line: <c>source&lt;TAB&gt;target</c> (more tab-separated fields after the target are ignored, as
/// in Tatoeba exports), no header — the default for a file that is not JSON and when no column is named;</item>
/// <item>CSV or TSV with a header and JSON lines (<see cref="RecordFile"/>), the sides chosen by name (default
/// <c>source</c> and <c>target</c>).</item>
/// </list>
/// Any of them gzip-compressed. A line without a tab, or an empty side, is a <see cref="DataFormatException"/> with
/// file and line.
/// </summary>
public static class PairReader
{
    /// <summary>Whether <paramref name="path"/> is read as plain <c>source&lt;TAB&gt;target</c> lines (no format, no column named, not JSON).</summary>
    public static bool IsPlain(string path, RecordFormat? format, string? sourceColumn, string? targetColumn)
    {
        if (format is not null || sourceColumn is not null || targetColumn is not null) return false;
        string? first;
        using (var reader = DataFile.OpenText(path)) first = reader.ReadLine();
        first = first?.TrimStart('\uFEFF').TrimStart();
        return !(first is not null && (first.StartsWith('{') || first.StartsWith('[')));
    }

    /// <summary>All pairs of <paramref name="path"/> and the columns read (null for plain pairs).</summary>
    /// <exception cref="DataFormatException">A bad line, an unknown column or an empty file.</exception>
    public static (List<SentencePair> Pairs, PairColumns? Columns) Read(string path, RecordFormat? format = null, string? sourceColumn = null, string? targetColumn = null)
    {
        List<SentencePair> pairs;
        PairColumns? columns = null;
        if (IsPlain(path, format, sourceColumn, targetColumn)) pairs = [.. ReadPlain(path)];
        else
        {
            var file = RecordFile.Open(path, format);
            int s = file.Column(sourceColumn ?? PairColumns.Default.Source), t = file.Column(targetColumn ?? PairColumns.Default.Target);
            columns = new PairColumns(file.Columns[s], file.Columns[t]);
            pairs = [];
            foreach (var r in file.Read())
            {
                string? source = r[s], target = r[t];
                if (string.IsNullOrWhiteSpace(source)) throw new DataFormatException(file.Source, r.Line, $"empty source (column \"{columns.Source}\")");
                if (string.IsNullOrWhiteSpace(target)) throw new DataFormatException(file.Source, r.Line, $"empty target (column \"{columns.Target}\")");
                pairs.Add(new SentencePair(source.Trim(), target.Trim(), r.Line));
            }
        }
        if (pairs.Count == 0) throw new DataFormatException(DataFile.DisplayName(path), 0, "no pairs: the file is empty");
        return (pairs, columns);
    }

    /// <summary>
    /// The sources of an input to translate, streamed: plain lines (a source each; a line with a tab is a pair and its
    /// first field is read), or the source column of a CSV/TSV/JSON-lines file.
    /// </summary>
    /// <exception cref="DataFormatException">An empty source, with file and line.</exception>
    public static IEnumerable<(string Source, long Line)> ReadSources(string path, RecordFormat? format = null, string? sourceColumn = null)
    {
        if (IsPlain(path, format, sourceColumn, null))
        {
            using var reader = new Utf8LineReader(path);
            while (reader.TryReadLine(out var line))
            {
                int tab = line.IndexOf('\t');
                var source = tab >= 0 ? line[..tab] : line;
                if (source.IsWhiteSpace()) throw reader.Error("empty source (one source a line, or source<TAB>target)");
                yield return (source.Trim().ToString(), reader.LineNumber);
            }
            yield break;
        }
        var file = RecordFile.Open(path, format);
        int s = file.Column(sourceColumn ?? PairColumns.Default.Source);
        foreach (var r in file.Read())
        {
            if (string.IsNullOrWhiteSpace(r[s])) throw new DataFormatException(file.Source, r.Line, $"empty source (column \"{file.Columns[s]}\")");
            yield return (r[s]!.Trim(), r.Line);
        }
    }

    private static IEnumerable<SentencePair> ReadPlain(string path)
    {
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line))
        {
            int tab = line.IndexOf('\t');
            if (tab < 0) throw reader.Error("expected source<TAB>target, found no tab");
            var source = line[..tab];
            var rest = line[(tab + 1)..];
            int next = rest.IndexOf('\t');
            var target = next >= 0 ? rest[..next] : rest;
            if (source.IsWhiteSpace()) throw reader.Error("empty source (before the tab)");
            if (target.IsWhiteSpace()) throw reader.Error("empty target (after the tab)");
            yield return new SentencePair(source.Trim().ToString(), target.Trim().ToString(), reader.LineNumber);
        }
    }
}
