namespace Recur.Tests.Cli;

/// <summary>What one in-process run of <c>recur</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Err)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs the <c>recur</c> command in-process with captured output (plain text, as when redirected).</summary>
internal static class Cli
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = Recur.Cli.Program.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success with nothing on stderr.</summary>
    public static CliResult Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0 && r.Err.Length == 0, r.ToString());
        return r;
    }
}
