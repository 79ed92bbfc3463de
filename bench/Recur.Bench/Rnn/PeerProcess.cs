using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.Bench.Rnn;

/// <summary>
/// A long-lived Python peer (bench/peers/*.py) driven with one JSON command per line on stdin and one JSON answer per
/// line on stdout, so that a suite can alternate Recur and peer blocks without restarting the interpreter. The peer
/// announces itself with <c>{"ready": true, "peer": "..."}</c>; an answer holding <c>error</c> throws.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    /// <summary>What the peer says it runs on (library version, threads, the BLAS it loaded).</summary>
    public string Description { get; }

    /// <summary>Starts <c>/usr/bin/python3 bench/peers/&lt;script&gt; args...</c>, or returns null (with a note) when the script is not found.</summary>
    public static PeerProcess? Start(string script, params string[] args)
    {
        string? path = FindPeerScript(script);
        if (path is null)
        {
            BenchReport.Note($"peer skipped: bench/peers/{script} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
            return null;
        }
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        foreach (string a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (!line.StartsWith('{')) { Console.WriteLine(line); continue; }
            var ready = JsonNode.Parse(line)!;
            if (ready["error"] is { } err) throw new InvalidOperationException($"{script} failed to start: {err}");
            return new PeerProcess(process, ready["peer"]?.GetValue<string>() ?? "(undescribed peer)");
        }
        process.WaitForExit();
        throw new InvalidOperationException($"{script} exited with code {process.ExitCode} before it was ready (see its error above)");
    }

    /// <summary>Sends one command object and returns the answer (throws on <c>error</c> or a dead peer).</summary>
    public JsonNode Ask(object command)
    {
        string text = JsonSerializer.Serialize(command);
        _process.StandardInput.WriteLine(text);
        _process.StandardInput.Flush();
        string? line = _process.StandardOutput.ReadLine();
        if (line is null) throw new InvalidOperationException($"the peer died on {text}");
        var answer = JsonNode.Parse(line)!;
        if (answer["error"] is { } err) throw new InvalidOperationException($"the peer failed on {text}: {err}");
        return answer;
    }

    /// <summary>Runs <c>{"cmd": "run", "calls": n}</c> and returns the per-call seconds.</summary>
    public double[] Run(int calls) =>
        Ask(new { cmd = "run", calls }).AsObject()["times"]!.AsArray().Select(t => t!.GetValue<double>()).ToArray();

    /// <summary>bench/peers/<paramref name="script"/> in the working directory or the build output, or any parent of them.</summary>
    public static string? FindPeerScript(string script)
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string path = Path.Combine(dir.FullName, "bench", "peers", script);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.WriteLine("{\"cmd\": \"quit\"}");
            _process.StandardInput.Flush();
            if (!_process.WaitForExit(5000)) _process.Kill();
        }
        catch (IOException) { }
        _process.Dispose();
    }
}
