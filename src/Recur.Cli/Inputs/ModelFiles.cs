using System.Text.Json;
using Recur.Cli.Hosting;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Models;

namespace Recur.Cli.Inputs;

/// <summary>A character language model loaded from a checkpoint file.</summary>
/// <param name="Path">The .safetensors file it came from.</param>
/// <param name="Model">The model, in evaluation mode.</param>
/// <param name="Vocabulary">Its character vocabulary.</param>
/// <param name="Info">Training progress saved with it (epoch, val_bpc, ...).</param>
internal sealed record LoadedModel(string Path, CharLanguageModel Model, Vocabulary Vocabulary, IReadOnlyDictionary<string, string> Info);

/// <summary>
/// Finds and loads the model named by --model: a checkpoint file, or a training output folder (its
/// best.safetensors, else last.safetensors). Every way this can fail is one message naming the path.
/// </summary>
internal static class ModelFiles
{
    /// <summary>The checkpoint file for <paramref name="path"/> (a file, or a folder written by <c>recur train charlm --out</c>).</summary>
    public static string Resolve(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (string name in (string[])["best.safetensors", "last.safetensors"])
            {
                string file = System.IO.Path.Combine(path, name);
                if (File.Exists(file)) return file;
            }
            throw new UserError($"--model {path}: the folder holds no best.safetensors or last.safetensors (expected the --out folder of 'recur train charlm', or a checkpoint file)");
        }
        if (!File.Exists(path)) throw new UserError($"--model: no such file or folder: {path}");
        return path;
    }

    /// <summary>Resolves and loads <paramref name="path"/>.</summary>
    public static LoadedModel Load(string path)
    {
        string file = Resolve(path);
        try
        {
            var (model, vocabulary, info) = CharLanguageModelCheckpoint.Load(file);
            model.Training = false;
            return new LoadedModel(file, model, vocabulary, info);
        }
        catch (SafetensorsFormatException e)
        {
            throw new UserError($"--model {file}: not a readable model file (expected a safetensors checkpoint written by 'recur train charlm'): {e.Problem}");
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            // Metadata that parses as a checkpoint but holds a bad config, vocabulary or tensor shape.
            throw new UserError($"{file}: not a usable Recur character language model: {e.Message}");
        }
    }
}
