using System.Globalization;
using Recur.Cli.Tasks;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Tasks;
using Recur.Tasks.Tagging;

namespace Recur.Cli.Reports;

/// <summary>
/// The tagger's sections: F1 per tag and the accuracy on words seen and unseen in training, scored as
/// <c>recur eval</c> scores (<see cref="TrainedTagger.Evaluate"/>) on --data or the run's validation sentences.
/// </summary>
internal sealed class TagReport : ITaskReport
{
    /// <summary>Most tags drawn (the most frequent); the table lists every tag.</summary>
    private const int MaxTags = 40;

    public TaskKind Kind => TaskKind.Tag;

    public string SpeedUnit => "tokens";

    public void AddSections(ReportSource source, HtmlPage page)
    {
        page.Section("Tags", "tags");
        if (source.Model is not TrainedTagger m)
        {
            page.Note("no trained tagger to evaluate, so there are no per-tag scores");
            return;
        }
        var (sentences, name) = Sentences(source, m, out string? problem);
        if (sentences is null)
        {
            page.Note(problem!);
            return;
        }
        if (sentences.Count == 0)
        {
            page.Note($"{name} holds no tagged sentences");
            return;
        }
        var r = m.Evaluate(sentences);
        string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F4", CultureInfo.InvariantCulture);
        long seen = r.Tokens - r.UnseenTokens;
        double unseenCorrect = double.IsNaN(r.AccuracyUnseen) ? 0 : r.AccuracyUnseen * r.UnseenTokens;
        double accuracySeen = seen == 0 ? double.NaN : (r.Accuracy * r.Tokens - unseenCorrect) / seen;
        var facts = new List<(string, string)>
        {
            ("scored on", $"{name}, {sentences.Count:N0} sentences, {r.Tokens:N0} tokens"),
            ("accuracy", F(r.Accuracy)),
            ("seen words", $"{F(accuracySeen)} on {seen:N0} tokens"),
            ("unseen words", $"{F(r.AccuracyUnseen)} on {r.UnseenTokens:N0} tokens ({Output.Formats.Percent(r.UnseenTokens, r.Tokens)}) whose word was not in training"),
        };
        if (r.SpanF1 is { } span) facts.Add(("span F1", $"{F(span)} (precision {F(r.SpanPrecision!.Value)}, recall {F(r.SpanRecall!.Value)}; exact spans, as conlleval)"));
        page.Facts(facts);
        if (r.UnknownTags.Count > 0) page.Warning($"{r.UnknownTagTokens:N0} tokens have tags the model does not know (counted as errors): {string.Join(", ", r.UnknownTags.Take(10))}");

        var tags = r.PerTag.Classes.Where(c => c.Support > 0).OrderByDescending(c => c.Support).ToList();
        var drawn = tags.Take(MaxTags).ToList();
        page.Add(Charts.Bars("tag-f1", "F1 per tag", "F1", [.. drawn.Select(c => c.Label)], [.. drawn.Select(c => c.F1)],
            (tags.Count > MaxTags ? $"The {MaxTags} most frequent of {tags.Count} tags, " : "Every tag, ") + "most frequent first; the table below has the numbers.", max: 1));
        if (r.UnseenTokens == 0 || seen == 0)
            page.Note($"every word of {name} was {(seen == 0 ? "unseen" : "seen")} in training, so seen and unseen words cannot be compared");
        else page.Add(Charts.Bars("seen-unseen", "Accuracy on seen and unseen words", "token accuracy",
            [$"seen ({seen:N0})", $"unseen ({r.UnseenTokens:N0})"], [accuracySeen, r.AccuracyUnseen],
            "Words not in the training data are tagged from their spelling and context only; the gap between the bars is what the spelling network has not learnt.", max: 1));
        page.Table(["tag", "precision", "recall", "F1", "support"],
            tags.Select(c => (IReadOnlyList<string>)[c.Label, F(c.Precision), F(c.Recall), F(c.F1), $"{c.Support:N0}"]), 1, 2, 3, 4);
    }

    /// <summary>The sentences to score: --data, the run's validation sentences in memory, or those rebuilt from the recorded run.</summary>
    private static (IReadOnlyList<TaggedSentence>? Sentences, string Name) Sentences(ReportSource source, TrainedTagger m, out string? problem)
    {
        problem = null;
        try
        {
            if (source.Data is { } data) return ([.. TagCommands.Read(m, data, null, null)], DataFile.DisplayName(data));
            var training = source.Training as TaggerTraining;
            if (training is null && RecordedRun.Settings<TaggerSettings>(m, out problem) is { } settings)
                training = TaggerTraining.Prepare(settings, m);
            if (training is null) return (null, "");
            var s = training.Settings.Training;
            return (training.Valid, $"the validation part of {DataFile.DisplayName(s.Valid ?? s.Data)}");
        }
        catch (Exception e) when (e is DataFormatException or IOException or InvalidDataException or ArgumentException or Hosting.UserError)
        {
            problem = $"the data to evaluate on could not be read: {e.Message}";
            return (null, "");
        }
    }
}
