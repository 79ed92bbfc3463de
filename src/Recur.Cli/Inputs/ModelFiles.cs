using System.Text.Json;
using Recur.Cli.Hosting;
using Recur.IO.Safetensors;
using Recur.Tasks;

namespace Recur.Cli.Inputs;

/// <summary>
/// Loads the model named by --model: a model folder, a folder of the earlier char-LM layout, a checkpoint file or a
/// model.json. Every way this can fail is one message naming the path.
/// </summary>
internal static class ModelFiles
{
    /// <summary>Loads <paramref name="path"/>, optionally requiring a kind.</summary>
    public static TrainedModel Load(string path, TaskKind? expected = null)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new UserError($"--model: no such file or folder: {path}");
        if (Directory.Exists(path) && !File.Exists(Path.Combine(path, ModelFolder.ManifestName)) && !ModelFolder.At(path).IsLegacyCharLm)
            throw new UserError($"--model {path}: the folder holds no {ModelFolder.ManifestName} (nor the best.safetensors or last.safetensors of an earlier 'recur train charlm'); expected a model folder written by 'recur train'");
        try
        {
            return TrainedModel.Load(path, expected);
        }
        catch (SafetensorsFormatException e)
        {
            throw new UserError($"--model {path}: not a readable model file (expected a model folder or a safetensors checkpoint written by 'recur train'): {e.Problem}");
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            // Metadata that parses but holds a bad config, vocabulary or tensor shape.
            throw new UserError($"{path}: not a usable Recur model: {e.Message}");
        }
    }
}
