using System.Text.Json.Nodes;

namespace Recur.Tasks;

/// <summary>
/// How a model was trained, kept in its <c>model.json</c>: the command line, every setting (so that <c>--resume</c>
/// continues the same run), the data files' fingerprints, and where the run got to.
/// </summary>
public sealed record TrainingRecord
{
    /// <summary>The record of a run starting now with <paramref name="settings"/> (the task's settings record) on <paramref name="data"/>.</summary>
    public static TrainingRecord Start<TSettings>(string commandLine, TSettings settings, IReadOnlyList<DataFingerprint> data) => new()
    {
        CommandLine = commandLine,
        Settings = (JsonObject)ModelManifest.ToNode(settings),
        Data = data,
        Threads = Kernels.KernelConfig.Threads,
        StartedUtc = DateTime.UtcNow,
    };

    /// <summary>
    /// Checks that the run's data files still have the bytes they had (a run resumes only on the same data). A file
    /// among <paramref name="fingerprinted"/> (just read, e.g. into a token cache) is compared by its hash there; any
    /// other is read again.
    /// </summary>
    /// <exception cref="InvalidDataException">A file changed or is gone; the message names it.</exception>
    public void RequireUnchangedData(IReadOnlyList<DataFingerprint>? fingerprinted = null)
    {
        foreach (var d in Data)
            if (fingerprinted?.FirstOrDefault(f => f.Path == d.Path) is { } now ? now.Bytes != d.Bytes || now.Sha256 != d.Sha256 : !d.Matches()) throw new InvalidDataException($"{d.Path} changed since the run started (its size or SHA-256 differs); the run cannot be resumed on other data");
    }

    /// <summary>The command line that started the run (for people; <see cref="Settings"/> is what is used).</summary>
    public string CommandLine { get; init; } = "";

    /// <summary>The task's training settings (batch size, learning rate, budget, ...), as that task writes them.</summary>
    public JsonObject Settings { get; init; } = [];

    /// <summary>The files trained and validated on.</summary>
    public IReadOnlyList<DataFingerprint> Data { get; init; } = [];

    /// <summary>Kernel threads used (results are deterministic for a given seed and thread count).</summary>
    public int Threads { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public DateTime StartedUtc { get; init; }

    /// <summary>Epochs completed so far.</summary>
    public int Epochs { get; init; }

    /// <summary>The epoch whose weights are in <c>model.safetensors</c> (0 before the first).</summary>
    public int BestEpoch { get; init; }

    /// <summary>The metric that chose the best epoch, e.g. <c>val_accuracy</c>.</summary>
    public string Monitor { get; init; } = "";

    /// <summary>The best epoch's metrics (<c>val_accuracy</c>, <c>val_loss</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> Best { get; init; } = new Dictionary<string, double>();

    /// <summary>Why the run stopped; empty while it runs.</summary>
    public string StopReason { get; init; } = "";

    /// <summary>Wall-clock seconds of training so far.</summary>
    public double Seconds { get; init; }
}
