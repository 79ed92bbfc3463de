using System.Text;
using Recur.IO.Safetensors;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// The training report of a model folder, one self-contained HTML page: the summary, the training curves, the
/// gradients through time, the task's own sections (<see cref="ITaskReport"/>), and the settings and data.
/// What the folder lacks is said on the page rather than failing.
/// </summary>
internal static class TrainingReport
{
    /// <summary>Builds the page for <paramref name="source"/>.</summary>
    public static HtmlPage Build(ReportSource source, out string html)
    {
        ArgumentNullException.ThrowIfNull(source);
        var kind = source.Manifest?.Kind;
        var task = kind is { } k ? TaskReports.For(k) : null;
        string name = Path.GetFileName(source.Folder.Path.TrimEnd(Path.DirectorySeparatorChar));
        var page = new HtmlPage($"Training report: {name}");
        RunSections.AddSummary(page, source);
        if (source.History is { Rows.Count: > 0 } history)
            CurveSections.Add(page, new HistoryColumns(history), source.Manifest?.Training, source.Gradients, task?.SpeedUnit ?? "items");
        GradientSections.Add(page, source.Gradients);
        task?.AddSections(source, page);
        RunSections.AddSettings(page, source);
        html = page.ToHtml($"{(kind is { } kk ? kk.Name() : "model")} · {source.Folder.Path} · report written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        return page;
    }

    /// <summary>Builds the report of <paramref name="source"/> and writes it to <paramref name="path"/> (atomically).</summary>
    public static HtmlPage Write(ReportSource source, string path)
    {
        var page = Build(source, out string html);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        AtomicFile.Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(html)));
        return page;
    }
}
