using System.Text;
using System.Text.Json;

namespace Recur.Cli.Reports;

/// <summary>One generated text, after an epoch of training.</summary>
/// <param name="Epoch">The epoch just finished.</param>
/// <param name="Temperature">The sampling temperature.</param>
/// <param name="Prompt">The text the model continued.</param>
/// <param name="Text">The prompt and what followed it.</param>
internal sealed record EpochSample(int Epoch, double Temperature, string Prompt, string Text);

/// <summary>
/// The char LM's samples by epoch, one JSON object a line in the model folder's samples.jsonl
/// (<c>{"epoch": 3, "temperature": 0.8, "prompt": "...", "text": "..."}</c>): appended during training, read by the report.
/// </summary>
internal static class EpochSamples
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Appends one sample to <paramref name="path"/>.</summary>
    public static void Append(string path, EpochSample sample) =>
        File.AppendAllText(path, JsonSerializer.Serialize(sample, Options) + "\n", new UTF8Encoding(false));

    /// <summary>The samples in <paramref name="path"/> (none when it does not exist); a line that does not parse is skipped.</summary>
    public static List<EpochSample> Read(string path)
    {
        var samples = new List<EpochSample>();
        if (!File.Exists(path)) return samples;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize<EpochSample>(line, Options) is { } s) samples.Add(s);
            }
            catch (JsonException) { } // a line cut by an interrupted run
        }
        return samples;
    }
}
