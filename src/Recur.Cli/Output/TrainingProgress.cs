using Recur.Training;
using Spectre.Console;

namespace Recur.Cli.Output;

/// <summary>
/// Training progress for <c>recur train</c>. On an interactive terminal: one live line for the running epoch (a
/// Spectre.Console progress bar with ETA, loss, gradient norm and throughput) and one summary line per finished
/// epoch above it. When output is redirected: <see cref="TextProgress"/>'s plain lines. Run the fit inside <see cref="Run{T}"/>.
/// </summary>
internal sealed class TrainingProgress(TextWriter output, string itemName) : ITrainerCallback
{
    private readonly TextProgress _plain = new(output, itemName);
    private ProgressContext? _ctx;
    private ProgressTask? _task;

    /// <summary>True when the live line is drawn (stdout is an interactive terminal).</summary>
    public bool Interactive { get; } = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Lines written during training that are not progress (samples, notes): above the live line when it is drawn.</summary>
    public void WriteLine(string line)
    {
        if (_ctx is not null) AnsiConsole.MarkupLine(Markup.Escape(line));
        else output.WriteLine(line);
    }

    /// <summary>Runs <paramref name="fit"/> with the live line around it.</summary>
    public T Run<T>(Func<T> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (!Interactive) return fit();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _ctx = ctx;
                try { result = fit(); }
                finally { _ctx = null; }
            });
        return result;
    }

    /// <inheritdoc />
    public void OnEpochBegin(int epoch)
    {
        if (_ctx is null) { _plain.OnEpochBegin(epoch); return; }
        _task?.StopTask();
        _task = _ctx.AddTask($"epoch {epoch}", autoStart: true);
    }

    /// <inheritdoc />
    public void OnBatchEnd(in BatchProgress p)
    {
        if (_task is null) { _plain.OnBatchEnd(p); return; }
        _task.MaxValue = Math.Max(1, p.Batches);
        _task.Value = p.Batch;
        _task.Description = Markup.Escape(TextProgress.BatchLine(p, itemName));
    }

    /// <inheritdoc />
    public void OnEpochEnd(EpochRecord record, bool isBest)
    {
        if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); _task = null; }
        WriteLine(TextProgress.EpochLine(record, isBest));
    }
}
