using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Recur.Data.Bundled;
using Recur.Data.Files;
using Recur.Kernels;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Training;
using Recur.Bench.Rnn;

namespace Recur.Bench;

/// <summary>
/// Issue #19: training memory depends on the model, not the corpus. For corpora of 10 MB, 100 MB and 1 GB (the bundled
/// Moby Dick repeated; <c>--sizes</c> in MB, <c>--quick</c>: 10 and 100) the <c>recur train charlm</c> defaults are
/// trained for <c>--seconds S</c> (default 20) in a fresh child process, twice: with an empty token cache (cold) and
/// with the cache the first run built (cached). Rows per size: peak resident memory (VmHWM of the child), time from
/// the start of preparation to the end of the first training batch (cold and cached), and training chars/s. The
/// issue's targets: RSS flat within 20% across sizes, chars/s within 10%, a cached start under a second.
/// Corpora and caches go to <c>--work DIR</c> (default <c>/tmp/recur-scale</c>).
/// </summary>
public sealed class ScaleSuite : IBenchSuite
{
    /// <inheritdoc />
    public string Name => "scale";

    /// <inheritdoc />
    public string Description => "corpus size vs memory and start-up: peak RSS, time to first batch (cold/cached), chars/s (--sizes MB,.. --seconds S)";

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        var extra = options.Extra.ToList();
        if (extra.Contains("--child")) { Child(extra); return; }
        string work = Value(extra, "--work") ?? "/tmp/recur-scale";
        double seconds = double.Parse(Value(extra, "--seconds") ?? "20", CultureInfo.InvariantCulture);
        int[] sizes = Value(extra, "--sizes") is { } list ? [.. list.Split(',').Select(int.Parse)] : options.Quick ? [10, 100] : [10, 100, 1000];
        Directory.CreateDirectory(work);
        BenchReport.Note(MachineInfo.Summary());
        BenchReport.Note($"recur train charlm defaults (LSTM 256, B32 T100), {seconds} s of training per run in a fresh process, 2 threads; corpora: Moby Dick repeated; load average {MachineInfo.LoadAverage()}");
        foreach (int mb in sizes)
        {
            string corpus = Corpus(work, mb);
            string cache = Path.Combine(work, "cache");
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
            var cold = RunChild(corpus, cache, seconds);
            var warm = RunChild(corpus, cache, seconds);
            BenchReport.Note($"{mb} MB: cold {Describe(cold)}; cached {Describe(warm)}");
            report.Add(new BenchRow(Name, $"charlm peak RSS MB {mb}MB", Math.Max(cold.PeakRssMb, warm.PeakRssMb), double.NaN, "MB", HigherIsBetter: false));
            report.Add(new BenchRow(Name, $"charlm first batch s cold {mb}MB", cold.FirstBatchSeconds, double.NaN, "s", HigherIsBetter: false));
            report.Add(new BenchRow(Name, $"charlm first batch s cached {mb}MB", warm.FirstBatchSeconds, double.NaN, "s", HigherIsBetter: false));
            report.Add(new BenchRow(Name, $"charlm chars/s {mb}MB", warm.CharsPerSecond, double.NaN, "chars/s", HigherIsBetter: true));
        }
    }

    private static string Describe(Result r) =>
        $"peak RSS {r.PeakRssMb:F0} MB, first batch after {r.FirstBatchSeconds:F2} s (preparation {r.PrepareSeconds:F2} s), {r.CharsPerSecond:N0} chars/s";

    private static string? Value(List<string> args, string name) => args.IndexOf(name) is int i and >= 0 && i + 1 < args.Count ? args[i + 1] : null;

    /// <summary>The bundled Moby Dick repeated to <paramref name="mb"/> MB (written once, kept for later runs).</summary>
    private static string Corpus(string work, int mb)
    {
        string path = Path.Combine(work, $"corpus-{mb}MB.txt");
        long target = mb * 1_000_000L;
        if (File.Exists(path) && new FileInfo(path).Length >= target) return path;
        byte[] text;
        using (var s = DataFile.OpenRead(BundledData.Locate().MobyDick)) { using var m = new MemoryStream(); s.CopyTo(m); text = m.ToArray(); }
        using var f = new FileStream(path + ".tmp", FileMode.Create);
        for (long n = 0; n < target; n += text.Length) f.Write(text, 0, (int)Math.Min(text.Length, target - n));
        f.Close();
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private sealed record Result(double PeakRssMb, double PrepareSeconds, double FirstBatchSeconds, double CharsPerSecond);

    private static Result RunChild(string corpus, string cache, double seconds)
    {
        string dll = Assembly.GetExecutingAssembly().Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Path.GetFileName(start.FileName).StartsWith("Recur.Bench", StringComparison.Ordinal)) start.ArgumentList.Add(dll);
        foreach (string a in (string[])["scale", "--child", "--corpus", corpus, "--cache", cache, "--seconds", seconds.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode != 0 || line is null) throw new InvalidOperationException($"the scale child failed (exit {child.ExitCode}): {output}");
        return JsonSerializer.Deserialize<Result>(line)!;
    }

    /// <summary>In the child: prepare (cold or cached), train for the budget, print one JSON line with the measurements.</summary>
    private static void Child(List<string> args)
    {
        KernelConfig.Threads = 2;
        var clock = Stopwatch.StartNew();
        var settings = new CharLmSettings();
        settings = settings with { Training = settings.Training with { Data = Value(args, "--corpus")!, Minutes = double.Parse(Value(args, "--seconds")!, CultureInfo.InvariantCulture) / 60 } };
        var prepared = CharLmTraining.Prepare(settings, cacheFolder: Value(args, "--cache"));
        double prepare = clock.Elapsed.TotalSeconds;
        string folder = Path.Combine(Path.GetTempPath(), "recur-scale-" + Environment.ProcessId);
        var timing = new Timing(clock);
        try
        {
            var manifest = prepared.Manifest(prepared.Record("bench scale"));
            prepared.Run(ModelFolder.Create(folder, overwrite: true), manifest, [timing], null, CancellationToken.None);
        }
        finally { Directory.Delete(folder, recursive: true); }
        double rss = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).First();
        Console.WriteLine(JsonSerializer.Serialize(new Result(rss, prepare, timing.FirstBatch, timing.CharsPerSecond)));
    }

    /// <summary>Time to the end of the first batch, and chars/s over the training batches (the trainer's own measure).</summary>
    private sealed class Timing(Stopwatch clock) : ITrainerCallback
    {
        public double FirstBatch { get; private set; } = double.NaN;
        public double CharsPerSecond { get; private set; } = double.NaN;

        public void OnBatchEnd(in BatchProgress p)
        {
            if (double.IsNaN(FirstBatch)) FirstBatch = clock.Elapsed.TotalSeconds;
            CharsPerSecond = p.ItemsPerSecond;
        }
    }
}
