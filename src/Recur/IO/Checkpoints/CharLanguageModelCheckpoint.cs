using System.Globalization;
using Recur.Data.Text;
using Recur.IO.Safetensors;
using Recur.Models;
using Recur.Tensors;

namespace Recur.IO.Checkpoints;

/// <summary>
/// A character language model in one self-describing safetensors file: the weights under their dotted names,
/// and in <c>__metadata__</c> the kind (<c>recur.kind=charlm</c>), the architecture, the vocabulary, and training
/// progress. Written atomically (temporary file, flush, rename), so an interrupted save never loses the previous file.
/// </summary>
public static class CharLanguageModelCheckpoint
{
    /// <summary>The metadata value of <c>recur.kind</c> for this model.</summary>
    public const string Kind = "charlm";

    /// <summary>Saves <paramref name="model"/>, its <paramref name="vocabulary"/> and free-form <paramref name="info"/> (e.g. epoch, val_bpc).</summary>
    public static void Save(string path, CharLanguageModel model, Vocabulary vocabulary, IReadOnlyDictionary<string, string>? info = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var w = new SafetensorsWriter()
            .AddMetadata("format", "recur-checkpoint/1")
            .AddMetadata("recur.kind", Kind)
            .AddMetadata("recur.version", typeof(CharLanguageModel).Assembly.GetName().Version?.ToString() ?? "0")
            .AddMetadata("recur.saved_utc", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture))
            .AddMetadata("recur.config", model.Config.ToJson())
            .AddMetadata("recur.vocabulary", vocabulary.ToJson());
        if (info is not null) foreach (var (k, v) in info) w.AddMetadata("recur.info." + k, v);
        foreach (var (name, p) in model.NamedParameters()) w.Add(name, p.Value);
        w.Save(path);
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; throws <see cref="InvalidDataException"/> naming the file when it is another kind or incomplete.</summary>
    public static (CharLanguageModel Model, Vocabulary Vocabulary, IReadOnlyDictionary<string, string> Info) Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("recur.kind", out var kind) || kind != Kind)
            throw new InvalidDataException($"{path}: not a Recur character language model (recur.kind is '{kind ?? "missing"}')");
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: metadata '{key}' is missing");
        var config = CharLanguageModelConfig.FromJson(Meta("recur.config"));
        var vocabulary = Vocabulary.FromJson(Meta("recur.vocabulary"));
        if (vocabulary.Count != config.VocabSize)
            throw new InvalidDataException($"{path}: the vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabSize}");
        var model = new CharLanguageModel(config, new Rng(0));
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!file.Contains(name)) throw new InvalidDataException($"{path}: tensor '{name}' is missing");
            p.Load(file.ReadTensor(name));
        }
        var info = file.Metadata.Where(kv => kv.Key.StartsWith("recur.info.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["recur.info.".Length..], kv => kv.Value);
        return (model, vocabulary, info);
    }
}
