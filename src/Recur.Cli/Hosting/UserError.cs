namespace Recur.Cli.Hosting;

/// <summary>
/// A problem with what the user asked for (a missing file, a prompt the model cannot read, ...): reported as one
/// line on stderr, never with a stack trace, and exit code <see cref="ExitCode"/>.
/// </summary>
internal sealed class UserError(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
