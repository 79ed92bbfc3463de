using System.Globalization;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Seq2Seq;

namespace Recur.Cli.Reports;

/// <summary>
/// The sequence-to-sequence sections: the scores <c>recur eval</c> gives (greedy decoding) on --data or the run's
/// validation pairs, the error rate by source length, and attention heat maps of a few examples (which source
/// tokens each output token looked at).
/// </summary>
internal sealed class Seq2SeqReport : ITaskReport
{
    /// <summary>Examples drawn as attention heat maps.</summary>
    private const int HeatMaps = 3;

    /// <summary>Most distinct sources decoded for the report (a sample keeps the page quick on a large validation set).</summary>
    private const int MaxSources = 2000;

    public TaskKind Kind => TaskKind.Seq2Seq;

    public string SpeedUnit => "target tokens";

    public void AddSections(ReportSource source, HtmlPage page)
    {
        page.Section("Outputs", "outputs");
        if (source.Model is not TrainedSeq2Seq m)
        {
            page.Note("no trained model to decode with, so there are no scores or attention maps");
            return;
        }
        var (pairs, name) = Pairs(source, m, out string? problem);
        if (pairs is null)
        {
            page.Note(problem ?? "no pairs to score: give --data");
            return;
        }
        // One entry per distinct source with all its references (dictionaries list several), as eval counts them.
        var bySource = pairs.GroupBy(p => p.Source, StringComparer.Ordinal).Take(MaxSources)
            .Select(g => (Source: g.Key, References: (IReadOnlyList<string>)[.. g.Select(p => m.Preprocessing.CanonicalTarget(p.Target)).Distinct()])).ToList();
        var encoded = bySource.Select(s => m.EncodeSource(s.Source, m.Preprocessing.MaxSourceLength)).ToList();
        var keep = Enumerable.Range(0, encoded.Count).Where(i => encoded[i].Tokens.Length > 0).ToList();
        var outputs = m.Translate([.. keep.Select(i => encoded[i])], new BeamOptions(1, 0, m.DefaultMaxSteps));
        var all = new SequenceScores(m.Preprocessing.TargetTokens);
        var byLength = new SortedDictionary<int, SequenceScores>();
        for (int k = 0; k < keep.Count; k++)
        {
            int i = keep[k], bucket = LengthBucket(encoded[i].Tokens.Length);
            all.Add(outputs[k][0].Output, bySource[i].References);
            if (!byLength.TryGetValue(bucket, out var scores)) byLength[bucket] = scores = new SequenceScores(m.Preprocessing.TargetTokens);
            scores.Add(outputs[k][0].Output, bySource[i].References);
        }
        string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F4", CultureInfo.InvariantCulture);
        page.Facts([
            ("scored on", $"{name}: {keep.Count:N0} distinct sources{(bySource.Count < pairs.GroupBy(p => p.Source).Count() ? $" (the first {MaxSources:N0})" : "")}, greedy decoding"),
            ("exact match", F(all.ExactMatch)),
            ("character error rate", F(all.Cer)),
            ("word error rate", F(all.Wer)),
            .. (m.Preprocessing.TargetTokens == TokenUnit.Word ? (IEnumerable<(string, string)>)[("token error rate (PER)", F(all.Per))] : []),
            ("BLEU", all.Bleu.Score.ToString("F2", CultureInfo.InvariantCulture)),
            ("chrF", all.ChrF.ToString("F2", CultureInfo.InvariantCulture)),
        ]);

        page.Subheading("Errors by source length");
        double[] x = [.. byLength.Keys.Select(k => (double)k)];
        page.Add(Charts.Lines("length-errors", "Error rates by source length", "source tokens (bucket start)", "error rate",
            [new Series("sources not exactly right", x, [.. byLength.Values.Select(s => 1 - s.ExactMatch)]), new Series("character error rate", x, [.. byLength.Values.Select(s => s.Cer)])],
            caption: "Longer sources are harder: each point is a bucket of source lengths (1-10 one by one, then by fives, then by tens)."));
        page.Table(["source tokens", "sources", "exact match", "CER"], byLength.Select(kv => (IReadOnlyList<string>)[kv.Key.ToString(CultureInfo.InvariantCulture), kv.Value.Count.ToString("N0", CultureInfo.InvariantCulture), F(kv.Value.ExactMatch), F(kv.Value.Cer)]), 0, 1, 2, 3);

        page.Subheading("Where the decoder looked");
        // An output that ends at once (EOS first) has no row to draw.
        var shown = keep.Select((i, k) => (i, k)).Where(p => Math.Min(outputs[p.k][0].Hypothesis.Attention.Length, outputs[p.k][0].Hypothesis.Tokens.Length) > 0).Take(HeatMaps).ToList();
        if (shown.Count == 0) page.Note("no output to draw the attention of");
        foreach (var (i, k) in shown)
        {
            var h = outputs[k][0].Hypothesis;
            string[] sourceTokens = [.. encoded[i].Tokens.Select(t => m.SourceVocabulary[t])];
            string[] outputTokens = [.. h.Tokens.Select(t => m.TargetVocabulary[t])];
            int rows = Math.Min(h.Attention.Length, outputTokens.Length), columns = sourceTokens.Length;
            var weights = new double[rows, columns];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns && c < h.Attention[r].Length; c++) weights[r, c] = h.Attention[r][c];
            page.Add(Charts.Heatmap($"attention-{shown.IndexOf((i, k)) + 1}", $"\"{bySource[i].Source}\" -> \"{outputs[k][0].Output}\"", "source token", "output token",
                weights, outputTokens[..rows], sourceTokens, rows * columns <= 400 ? (r, c) => weights[r, c].ToString("0.00", CultureInfo.InvariantCulture) : null,
                $"Attention weights: row r is the distribution over source tokens used to write output token r. References: {string.Join(" | ", bySource[i].References)}"));
        }
    }

    /// <summary>1-10 one by one, then buckets of 5 up to 30, then of 10.</summary>
    private static int LengthBucket(int n) => n <= 10 ? n : n <= 30 ? (n - 1) / 5 * 5 + 1 : (n - 1) / 10 * 10 + 1;

    /// <summary>The pairs to score: --data, the run's validation pairs in memory, or those rebuilt from the recorded run.</summary>
    private static (IReadOnlyList<SentencePair>? Pairs, string Name) Pairs(ReportSource source, TrainedSeq2Seq m, out string? problem)
    {
        problem = null;
        try
        {
            if (source.Data is { } data)
                return (PairReader.Read(data, null, m.Columns?.Source, m.Columns?.Target).Pairs, DataFile.DisplayName(data));
            var training = source.Training as Seq2SeqTraining;
            if (training is null && RecordedRun.Settings<Seq2SeqSettings>(m, out problem) is { } settings)
                training = Seq2SeqTraining.Prepare(settings, m);
            if (training is null) return (null, "");
            var s = training.Settings.Training;
            return (training.ValidPairs, $"the validation part of {DataFile.DisplayName(s.Valid ?? s.Data)}");
        }
        catch (Exception e) when (e is DataFormatException or IOException or InvalidDataException or ArgumentException or Hosting.UserError)
        {
            problem = $"the pairs to evaluate on could not be read: {e.Message}";
            return (null, "");
        }
    }
}
