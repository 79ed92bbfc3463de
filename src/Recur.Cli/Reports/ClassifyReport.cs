using System.Globalization;
using Recur.Cli.Tasks;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Tasks;
using Recur.Tasks.Classification;

namespace Recur.Cli.Reports;

/// <summary>
/// The classifier's sections: the confusion matrix as a heat map and the per-class F1 as bars, scored as
/// <c>recur eval</c> scores (<see cref="TrainedClassifier.Evaluate"/>) on --data or the run's validation texts.
/// </summary>
internal sealed class ClassifyReport : ITaskReport
{
    /// <summary>Most classes drawn (the most frequent); the table lists every class.</summary>
    private const int MaxClasses = 40;

    public TaskKind Kind => TaskKind.Classify;

    public string SpeedUnit => "texts";

    public void AddSections(ReportSource source, HtmlPage page)
    {
        page.Section("Classes", "classes");
        if (source.Model is not TrainedClassifier m)
        {
            page.Note("no trained classifier to evaluate, so there is no confusion matrix or per-class F1");
            return;
        }
        var (records, name) = Records(source, m, out string? problem);
        if (records is null)
        {
            page.Note(problem!);
            return;
        }
        var e = m.Evaluate(records, name);
        var r = e.Report;
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        page.Facts([
            ("scored on", $"{name}, {r.Count:N0} texts"),
            ("accuracy", F(r.Accuracy)),
            ("macro F1", F(r.MacroF1)),
            ("weighted F1", F(r.WeightedF1)),
            ("tokens", $"{e.Tokens:N0}, {Output.Formats.Percent(e.UnknownTokens, e.Tokens)} unknown" + (e.TruncatedTexts > 0 ? $"; {e.TruncatedTexts:N0} texts cut at {m.Preprocessing.MaxLength} tokens" : "")),
        ]);
        if (e.UnknownLabels.Count > 0) page.Warning($"labels the model does not know count as errors: {string.Join(", ", e.UnknownLabels.Take(10))}");
        AddConfusion(page, r);
        var shown = Shown(r);
        page.Add(Charts.Bars("class-f1", "F1 per class", "F1", [.. shown.Select(k => r.Labels[k])], [.. shown.Select(k => r.Classes[k].F1)],
            "F1 of each class (the harmonic mean of its precision and recall); the table below has the numbers.", max: 1));
        page.Table(["class", "precision", "recall", "F1", "support"],
            r.Classes.Select(c => (IReadOnlyList<string>)[c.Label, F(c.Precision), F(c.Recall), F(c.F1), $"{c.Support:N0}"]), 1, 2, 3, 4);
    }

    /// <summary>The confusion matrix, each row coloured by the share of its true class (so that rare classes show), labelled with counts.</summary>
    private static void AddConfusion(HtmlPage page, ClassificationReport r)
    {
        var shown = Shown(r);
        int n = shown.Count;
        var share = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            long row = 0;
            for (int j = 0; j < r.Labels.Count; j++) row += r.Confusion[shown[i], j];
            for (int j = 0; j < n; j++) share[i, j] = row == 0 ? 0 : (double)r.Confusion[shown[i], shown[j]] / row;
        }
        string[] labels = [.. shown.Select(k => r.Labels[k])];
        page.Add(Charts.Heatmap("confusion", "Confusion matrix", "predicted class", "true class", share, labels, labels,
            n <= 20 ? (i, j) => r.Confusion[shown[i], shown[j]].ToString("N0", CultureInfo.InvariantCulture) : null,
            "Rows are the true classes, columns the predicted ones; each cell holds a count and is coloured by its share of the row (the recall on the diagonal)."
            + (n < r.Labels.Count ? $" The {n} most frequent of {r.Labels.Count} classes are drawn." : "")));
    }

    /// <summary>The class indices drawn: all, or the most frequent <see cref="MaxClasses"/>, in label order.</summary>
    private static List<int> Shown(ClassificationReport r) => r.Labels.Count <= MaxClasses
        ? [.. Enumerable.Range(0, r.Labels.Count)]
        : [.. Enumerable.Range(0, r.Labels.Count).OrderByDescending(k => r.Classes[k].Support).Take(MaxClasses).Order()];

    /// <summary>The texts to score: --data, the run's validation texts in memory, or those rebuilt from the recorded run.</summary>
    private static (IReadOnlyList<LabelledText>? Records, string Name) Records(ReportSource source, TrainedClassifier m, out string? problem)
    {
        problem = null;
        try
        {
            if (source.Data is { } data) return (ClassifyCommands.ReadLabelled(m, data, null, null, null).Records, DataFile.DisplayName(data));
            var training = source.Training as ClassifierTraining;
            if (training is null && RecordedRun.Settings<ClassifierSettings>(m, out problem) is { } settings)
                training = ClassifierTraining.Prepare(settings, m);
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
