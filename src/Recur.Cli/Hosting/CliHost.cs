using System.CommandLine;
using System.Text.Json;
using Recur.Cli.Output;
using Recur.Data.Fetch;

namespace Recur.Cli.Hosting;

/// <summary>
/// What every command shares: the output and error writers, the global <c>--verbose</c> option, and the one place
/// where failures become a single <c>recur: ...</c> line on stderr and a non-zero exit code (the stack trace only
/// with --verbose). Every command action is installed through <see cref="SetAction"/>.
/// </summary>
internal sealed class CliHost(TextWriter output, TextWriter error, IReadOnlyList<string>? args = null)
{
    private Report? _report;

    /// <summary>The command line as typed (recorded in the model folders that training writes).</summary>
    public string CommandLine { get; } = "recur " + string.Join(" ", (args ?? []).Select(Quote));

    /// <summary>Standard output (the command's results).</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Standard error (warnings and the failure line).</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Structured output on <see cref="Out"/>, rich on a terminal, plain otherwise.</summary>
    public Report Report => _report ??= Report.For(Out);

    /// <summary>The global --verbose option (available on every subcommand).</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print more detail, and the stack trace when something fails",
        Recursive = true,
    };

    /// <summary>Installs <paramref name="action"/> as <paramref name="command"/>'s action, behind the shared error handling.</summary>
    public void SetAction(Command command, Func<ParseResult, int> action) =>
        command.SetAction(parse =>
        {
            try
            {
                return action(parse);
            }
            catch (Exception e)
            {
                return Fail(e, parse.GetValue(Verbose));
            }
        });

    /// <summary>Writes "recur: <paramref name="message"/>" on stderr and returns <paramref name="exitCode"/>.</summary>
    public int Fail(string message, int exitCode = 1)
    {
        Error.WriteLine("recur: " + OneLine(message));
        return exitCode;
    }

    /// <summary>Writes "recur: warning: <paramref name="message"/>" on stderr.</summary>
    public void Warn(string message) => Error.WriteLine("recur: warning: " + OneLine(message));

    private int Fail(Exception e, bool verbose)
    {
        // Problems with the input are the user's to fix and say so themselves; anything else is a bug in Recur.
        bool expected = e is UserError or IOException or InvalidDataException or UnauthorizedAccessException or FormatException
            or JsonException or KeyNotFoundException or ArgumentException or FetchException or InsufficientMemoryException or PlatformNotSupportedException;
        string message = expected ? e.Message : $"internal error: {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (rerun with --verbose for the stack trace)");
        int code = Fail(message, e is UserError u ? u.ExitCode : 1);
        if (verbose) Error.WriteLine(e.ToString());
        return code;
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '$' or '*' or '?' or ';' or '&' or '|')
            ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    private static string OneLine(string message) =>
        string.Join("; ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
