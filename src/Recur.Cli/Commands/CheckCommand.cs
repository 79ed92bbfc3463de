using System.CommandLine;
using System.Globalization;
using Recur.Cli.Hosting;
using Recur.IO.Conformance;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur check FILE_OR_DIR...</c>: runs rnn-conformance/1 cases (PyTorch reference dumps) through Recur's layers
/// and prints one line per case; exits 1 if any case fails, 2 if a file cannot be read.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliHost host)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Conformance case files (.safetensors) or folders holding them",
            Arity = ArgumentArity.OneOrMore,
        };
        var cmd = new Command("check", "Check that Recur's RNN/LSTM/GRU reproduce PyTorch reference dumps (rnn-conformance/1 safetensors files): forward outputs, final states and every gradient.")
        {
            paths,
        };
        // --verbose (global) also prints every tensor's error, not only the worst.
        host.SetAction(cmd, parse => Run(host, parse.GetValue(paths)!, parse.GetValue(host.Verbose)));
        return cmd;
    }

    private static int Run(CliHost host, string[] paths, bool verbose)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) files.AddRange(Directory.EnumerateFiles(p, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else return host.Fail($"check: no such file or folder: {p}", 2);
        }
        if (files.Count == 0) return host.Fail("check: no .safetensors files found in " + string.Join(", ", paths), 2);

        int passed = 0, failed = 0, broken = 0;
        foreach (var file in files)
        {
            ConformanceResult result;
            try
            {
                result = ConformanceRunner.Run(RnnConformanceCase.Load(file));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or FormatException or InvalidOperationException)
            {
                host.Out.WriteLine($"ERROR {file}: {e.Message}");
                broken++;
                continue;
            }
            var worst = result.Worst;
            string status = result.Passed ? "PASS" : "FAIL";
            host.Out.WriteLine($"{status}  {Path.GetFileName(file)}  worst {worst.Name} at {Fmt(worst.ErrorRatio)} of tolerance (max abs err {Fmt(worst.MaxAbsError)})");
            foreach (var c in result.Checks.Where(c => verbose || !c.Passed))
                host.Out.WriteLine($"        {(c.Passed ? "ok  " : "FAIL")} {c.Name,-28} {Fmt(c.ErrorRatio),10} of tolerance, max abs err {Fmt(c.MaxAbsError)}");
            if (result.Passed) passed++; else failed++;
        }
        host.Out.WriteLine($"{passed} passed, {failed} failed" + (broken > 0 ? $", {broken} unreadable" : ""));
        return broken > 0 ? 2 : failed > 0 ? 1 : 0;
    }

    private static string Fmt(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
