using System.Diagnostics;

namespace Recur.Tests.Cli.Reports;

/// <summary>
/// Chromium without a screen (Debian's <c>chromium</c>; <c>.ci/run</c> installs it), run once per call with a fresh
/// profile: screenshots, the DOM after loading, and the console messages it logs to stderr.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The browser's path, or null when none is installed (<c>RECUR_CHROMIUM</c> overrides the search).</summary>
    public static string? Path => Found.Value;

    /// <summary>Why the browser tests are skipped, or null when they run.</summary>
    public static string? SkipReason => Path is null ? "chromium is not installed (apt-get install chromium; .ci/run installs it), so the report is not checked in a browser" : null;

    /// <summary>What one run printed.</summary>
    /// <param name="ExitCode">The exit code.</param>
    /// <param name="Out">stdout (the DOM with --dump-dom).</param>
    /// <param name="Console">The page's console messages (Chromium logs them to stderr as <c>CONSOLE</c> lines).</param>
    public sealed record Result(int ExitCode, string Out, IReadOnlyList<string> Console);

    /// <summary>Opens <paramref name="page"/> with <paramref name="args"/> added to the headless defaults.</summary>
    public static Result Open(string page, params string[] args)
    {
        string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recur-chromium-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo(Path ?? throw new InvalidOperationException(SkipReason)) { RedirectStandardOutput = true, RedirectStandardError = true };
        // --no-sandbox: tests may run as root (CI containers), where Chromium's sandbox refuses to start.
        foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            $"--user-data-dir={profile}", .. args, new Uri(page).AbsoluteUri])
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish with {page} in 2 minutes");
            }
            var console = stderr.Result.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
            return new Result(p.ExitCode, stdout.Result, console);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } // a profile still being unlocked
        }
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("RECUR_CHROMIUM") is { Length: > 0 } given) return File.Exists(given) ? given : null;
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in (string[])["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"])
            foreach (string dir in dirs)
                if (File.Exists(System.IO.Path.Combine(dir, name))) return System.IO.Path.Combine(dir, name);
        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when Chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.SkipReason is { } reason) Skip = reason;
    }
}
