using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Data.Text;
using Recur.IO.Safetensors;
using Recur.Models;

namespace Recur.Tasks;

/// <summary>
/// The <c>model.json</c> of a model folder: what the model is and everything needed to rebuild it and apply it to raw
/// input with no other flag — format and version, task kind, architecture, preprocessing (tokenizer settings, input
/// columns), vocabularies and label sets, and how it was trained.
/// <code>
///   {
///     "format": "recur-model", "version": 1, "kind": "classify",
///     "recur_version": "0.1.0.0", "saved_utc": "2026-12-07T22:00:00Z",
///     "architecture":  { the model's config: sizes, cell, pooling, ... },
///     "preprocessing": { tokenizer, normalisation, maximum length, input columns, ... },
///     "vocabularies":  { "tokens": {...}, "labels": {...}, ... },
///     "training":      { "command_line", "settings", "data": [fingerprints], "epochs", "best_epoch", "best", ... }
///   }
/// </code>
/// The sections' contents belong to the task (<see cref="Kind"/>); this class checks the envelope.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The value of <c>format</c>.</summary>
    public const string FormatName = "recur-model";

    /// <summary>The version this Recur writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>The format version the folder was written in.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>What the model does.</summary>
    public required TaskKind Kind { get; init; }

    /// <summary>The Recur version that wrote it.</summary>
    public string RecurVersion { get; init; } = typeof(ModelManifest).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>When it was written (UTC).</summary>
    public DateTime SavedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>The network's configuration.</summary>
    public required JsonObject Architecture { get; init; }

    /// <summary>How raw input becomes the network's input.</summary>
    public JsonObject Preprocessing { get; init; } = [];

    /// <summary>Token vocabularies and label sets by name.</summary>
    public JsonObject Vocabularies { get; init; } = [];

    /// <summary>How the model was trained; null for a model made otherwise (imported, migrated).</summary>
    public TrainingRecord? Training { get; init; }

    /// <summary>The manifest as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ConfigJson.Indented);

    /// <summary>Writes the manifest to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(ToJson() + "\n");
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Reads and checks a manifest: format name, a version this Recur reads, a known kind, the sections present.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">The file, for messages.</param>
    /// <exception cref="InvalidDataException">Anything wrong, with <paramref name="source"/> and the key.</exception>
    public static ModelManifest Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {e.Message}", e);
        }
        string format = root["format"] is JsonValue f && f.TryGetValue<string>(out var fs) ? fs : "";
        if (format != FormatName)
            throw new InvalidDataException($"{source}: \"format\" is \"{format}\", expected \"{FormatName}\" (not a Recur model folder)");
        if (root["version"] is not JsonValue v || !v.TryGetValue<int>(out int version) || version < 1)
            throw new InvalidDataException($"{source}: \"version\" must be a positive integer");
        if (version > CurrentVersion)
            throw new InvalidDataException($"{source}: format version {version} is newer than this Recur reads ({CurrentVersion}); update Recur to use this model");
        string kind = root["kind"] is JsonValue k && k.TryGetValue<string>(out var ks) ? ks : "";
        if (TaskKinds.Parse(kind) is null)
            throw new InvalidDataException($"{source}: \"kind\" is \"{kind}\", expected one of {string.Join(", ", Enum.GetValues<TaskKind>().Select(x => x.Name()))}");
        try
        {
            return root.Deserialize<ModelManifest>(ConfigJson.Options) ?? throw new InvalidDataException($"{source}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {e.Path?.TrimStart('$', '.') ?? "a value"} is not valid: {e.Message}", e);
        }
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static ModelManifest Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary><paramref name="node"/> (the value at <paramref name="path"/> of the manifest) as a <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">Missing or not a valid <typeparamref name="T"/>; the message names the path.</exception>
    public static T Read<T>(JsonNode? node, string path, string source)
    {
        if (node is null) throw new InvalidDataException($"{source}: \"{path}\" is missing");
        try
        {
            return node.Deserialize<T>(ConfigJson.Options) ?? throw new InvalidDataException($"{source}: \"{path}\" is null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{source}: \"{path}\" is not valid: {e.Message}", e);
        }
    }

    /// <summary>The vocabulary document at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Missing or not a valid vocabulary.</exception>
    public static Vocabulary ReadVocabulary(JsonNode? node, string path, string source)
    {
        var document = Read<VocabularyDocument>(node, path, source);
        try
        {
            return Vocabulary.FromDocument(document);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: \"{path}\": {e.Message}", e);
        }
    }

    /// <summary><paramref name="value"/> as a JSON node in the manifest's conventions.</summary>
    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, ConfigJson.Options)!;
}
