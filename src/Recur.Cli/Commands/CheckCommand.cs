using System.CommandLine;
using System.Globalization;
using Recur.IO.Conformance;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur check FILE_OR_DIR...</c>: runs rnn-conformance/1 cases (PyTorch reference dumps) through Recur's layers
/// and prints one line per case; exits 1 if any case fails, 2 if a file cannot be read.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Conformance case files (.safetensors) or folders holding them",
            Arity = ArgumentArity.OneOrMore,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print every tensor's error, not only the worst" };
        var cmd = new Command("check", "Check that Recur's RNN/LSTM/GRU reproduce PyTorch reference dumps (rnn-conformance/1 safetensors files): forward outputs, final states and every gradient.")
        {
            paths, verbose,
        };
        cmd.SetAction(parse => Run(parse.GetValue(paths)!, parse.GetValue(verbose)));
        return cmd;
    }

    private static int Run(string[] paths, bool verbose)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) files.AddRange(Directory.EnumerateFiles(p, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            else if (File.Exists(p)) files.Add(p);
            else { Console.Error.WriteLine($"recur check: no such file or folder: {p}"); return 2; }
        }
        if (files.Count == 0) { Console.Error.WriteLine("recur check: no .safetensors files found"); return 2; }

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
                Console.WriteLine($"ERROR {file}: {e.Message}");
                broken++;
                continue;
            }
            var worst = result.Worst;
            string status = result.Passed ? "PASS" : "FAIL";
            Console.WriteLine($"{status}  {Path.GetFileName(file)}  worst {worst.Name} at {Fmt(worst.ErrorRatio)} of tolerance (max abs err {Fmt(worst.MaxAbsError)})");
            foreach (var c in result.Checks.Where(c => verbose || !c.Passed))
                Console.WriteLine($"        {(c.Passed ? "ok  " : "FAIL")} {c.Name,-28} {Fmt(c.ErrorRatio),10} of tolerance, max abs err {Fmt(c.MaxAbsError)}");
            if (result.Passed) passed++; else failed++;
        }
        Console.WriteLine($"{passed} passed, {failed} failed" + (broken > 0 ? $", {broken} unreadable" : ""));
        return broken > 0 ? 2 : failed > 0 ? 1 : 0;
    }

    private static string Fmt(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
