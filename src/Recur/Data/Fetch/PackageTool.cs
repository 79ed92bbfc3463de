using System.ComponentModel;
using System.Diagnostics;

namespace Recur.Data.Fetch;

/// <summary>Runs a package-manager command (npm, apt-get, dpkg-deb) and turns every failure into a <see cref="FetchException"/> that says what to install or fix.</summary>
internal static class PackageTool
{
    public static string Run(string tool, string[] arguments, string workingDirectory, string purpose, string installHint)
    {
        var info = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        string command = $"{tool} {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new FetchException($"{purpose}: could not start `{command}`");
        }
        catch (Win32Exception e)
        {
            throw new FetchException($"{purpose}: `{tool}` is not available ({e.Message}). {installHint}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string err = stderr.Result.Trim();
                if (err.Length > 2000) err = "..." + err[^2000..];
                throw new FetchException($"{purpose}: `{command}` (in {workingDirectory}) failed with exit code {process.ExitCode}: {err}");
            }
            return stdout;
        }
    }
}
