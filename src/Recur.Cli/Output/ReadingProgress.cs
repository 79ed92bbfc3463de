using Spectre.Console;

namespace Recur.Cli.Output;

/// <summary>
/// A live bar per file while a long read runs (e.g. a text encoded into its token cache): on an interactive terminal a
/// Spectre.Console progress bar named by the file; when output is redirected, nothing until the caller's summary line.
/// </summary>
internal static class ReadingProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports (file name, fraction read) as it goes.</summary>
    public static T Run<T>(TextWriter output, Func<IProgress<(string File, double Fraction)>?, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        bool interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive) return work(null);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work(new Reporter((file, fraction) =>
                {
                    if (!tasks.TryGetValue(file, out var task)) tasks[file] = task = ctx.AddTask(Markup.Escape($"reading {file}"), maxValue: 1);
                    task.Value = fraction;
                }));
            });
        return result;
    }

    private sealed class Reporter(Action<string, double> report) : IProgress<(string File, double Fraction)>
    {
        public void Report((string File, double Fraction) value) => report(value.File, value.Fraction);
    }
}
