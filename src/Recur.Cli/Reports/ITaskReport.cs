using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// A task's own sections of the training report (a confusion matrix, per-tag scores, samples, ...), added after the
/// sections every run has. A new task kind plugs in by implementing this and listing itself in <see cref="TaskReports"/>;
/// a kind without one gets the common sections only.
/// </summary>
internal interface ITaskReport
{
    /// <summary>The kind.</summary>
    TaskKind Kind { get; }

    /// <summary>What the training speed counts, e.g. "texts" (of items_per_second).</summary>
    string SpeedUnit { get; }

    /// <summary>Adds the task's sections to <paramref name="page"/>; what cannot be shown is a <see cref="HtmlPage.Note"/>.</summary>
    void AddSections(ReportSource source, HtmlPage page);
}

/// <summary>The task sections the report knows, in one place.</summary>
internal static class TaskReports
{
    /// <summary>Every kind's sections.</summary>
    public static IReadOnlyList<ITaskReport> All { get; } = [new CharLmReport(), new ClassifyReport(), new TagReport(), new Seq2SeqReport()];

    /// <summary>The sections of <paramref name="kind"/>, or null when it has none of its own.</summary>
    public static ITaskReport? For(TaskKind kind) => All.FirstOrDefault(t => t.Kind == kind);
}
