using System.Globalization;
using Spectre.Console;

namespace Recur.Training;

/// <summary>
/// Training progress on the console. On an interactive terminal: a Spectre.Console progress bar per epoch with ETA,
/// live loss, gradient norm and items/s, and a line per finished epoch. When output is redirected (CI, log files):
/// plain lines, one every <see cref="PlainInterval"/> and one per epoch. Run the fit inside <see cref="Run{T}"/>.
/// </summary>
public sealed class ConsoleProgress(string itemName = "items") : ITrainerCallback
{
    private ProgressContext? _ctx;
    private ProgressTask? _task;
    private DateTime _lastPlain;

    /// <summary>How often a plain progress line is printed when output is redirected.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>True when the bar is drawn (stdout is a terminal that supports it).</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="fit"/> with the progress display around it.</summary>
    public T Run<T>(Func<T> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (!Interactive) return fit();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _ctx = ctx;
                result = fit();
            });
        _ctx = null;
        return result;
    }

    /// <inheritdoc />
    public void OnEpochBegin(int epoch)
    {
        _task = _ctx?.AddTask($"epoch {epoch}", autoStart: true);
        _lastPlain = DateTime.UtcNow;
    }

    /// <inheritdoc />
    public void OnBatchEnd(in BatchProgress p)
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch} batch {p.Batch}{(p.Batches > 0 ? "/" + p.Batches : "")}  loss {p.Loss:F4}  |g| {p.GradientNorm:F2}  {p.ItemsPerSecond:N0} {itemName}/s");
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, p.Batches);
            _task.Value = p.Batch;
            _task.Description = Markup.Escape(text);
            return;
        }
        if (DateTime.UtcNow - _lastPlain < PlainInterval) return;
        _lastPlain = DateTime.UtcNow;
        Console.WriteLine("  " + text + $"  {p.Elapsed:mm\\:ss}");
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest)
    {
        _task?.StopTask();
        var parts = record.Values.Where(kv => kv.Key is not ("lr" or "items_per_second") && double.IsFinite(kv.Value))
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G4}"));
        string line = $"epoch {record.Epoch}: {string.Join(", ", parts)}{(isBest ? " (best)" : "")}, {TimeSpan.FromSeconds(record.Seconds):mm\\:ss}";
        if (_ctx is not null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }
}
