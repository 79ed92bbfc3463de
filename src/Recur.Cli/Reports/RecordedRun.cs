using System.Text.Json;
using Recur.Models;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// The settings a model was trained with, read back from its model.json so that a report can rebuild the run's
/// validation data — only when the data files still hold the bytes they were trained on.
/// </summary>
internal static class RecordedRun
{
    /// <summary>The recorded settings, or null with <paramref name="problem"/> saying why they cannot serve.</summary>
    public static TSettings? Settings<TSettings>(TrainedModel model, out string? problem) where TSettings : class
    {
        problem = null;
        if (model.Manifest.Training is not { } t)
        {
            problem = $"{ModelFolder.ManifestName} records no training run, so its validation data is unknown";
            return null;
        }
        foreach (var d in t.Data)
            if (!d.Matches())
            {
                problem = $"the run's data file {d.Path} is gone or changed since training, so its validation data cannot be rebuilt";
                return null;
            }
        try
        {
            return t.Settings.Deserialize<TSettings>(ConfigJson.Options) ?? throw new JsonException("empty settings");
        }
        catch (JsonException e)
        {
            problem = $"the recorded settings could not be read ({e.Message})";
            return null;
        }
    }
}
