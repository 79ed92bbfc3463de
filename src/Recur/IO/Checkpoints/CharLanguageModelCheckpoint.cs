using System.Text.Json;
using Recur.Data.Text;
using Recur.Models;
using Recur.Tensors;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.IO.Checkpoints;

/// <summary>
/// A character language model as a <see cref="Checkpoint"/> of kind <c>charlm</c>: the config
/// (<see cref="CharLanguageModelConfig"/> JSON), the weights and dropout generators, the vocabulary as
/// <c>Data["vocabulary"]</c>, and the training state when an optimizer is captured.
/// </summary>
public static class CharLanguageModelCheckpoint
{
    /// <summary>The checkpoint kind of this model.</summary>
    public const string Kind = "charlm";

    /// <summary>The <see cref="Checkpoint.Data"/> key of the vocabulary.</summary>
    public const string VocabularyKey = "vocabulary";

    /// <summary>Snapshots <paramref name="model"/> with its <paramref name="vocabulary"/> and, when given, the training
    /// state; set <see cref="Checkpoint.Epoch"/> and <see cref="Checkpoint.History"/> before saving.</summary>
    public static Checkpoint Capture(CharLanguageModel model, Vocabulary vocabulary, Optimizer? optimizer = null, LearningRateSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var checkpoint = Checkpoint.Capture(Kind, model.Config.ToJson(), model, optimizer, schedule);
        checkpoint.Data[VocabularyKey] = vocabulary.ToJson();
        return checkpoint;
    }

    /// <summary>Builds the model a checkpoint describes, with its weights and dropout generators, and its vocabulary.
    /// Restore an optimizer or schedule from <paramref name="checkpoint"/> separately.</summary>
    /// <exception cref="InvalidDataException">Another kind, a bad config or vocabulary, or weights that do not fit.</exception>
    public static (CharLanguageModel Model, Vocabulary Vocabulary) Rebuild(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string source = checkpoint.Source;
        if (checkpoint.Kind != Kind)
            throw new InvalidDataException($"{source}: the checkpoint holds a '{checkpoint.Kind}' model, not a character language model ('{Kind}')");
        var config = Parse(source, "config", () => CharLanguageModelConfig.FromJson(checkpoint.Config));
        if (!checkpoint.Data.TryGetValue(VocabularyKey, out var vocabularyJson))
            throw new InvalidDataException($"{source}: the checkpoint has no '{VocabularyKey}'");
        var vocabulary = Parse(source, "vocabulary", () => Vocabulary.FromJson(vocabularyJson));
        if (vocabulary.Count != config.VocabSize)
            throw new InvalidDataException($"{source}: the vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabSize}");
        // The config must agree with the stored weights before the model is built, so that a bad config cannot make
        // it allocate more than the file holds.
        RequireShape(checkpoint, "embedding.weight", config.VocabSize, config.EmbeddingDim);
        RequireShape(checkpoint, "head.weight", config.VocabSize, config.Rnn.HiddenSize);
        if (config.Rnn.NumLayers < 1 || !checkpoint.Weights.ContainsKey($"rnn.weight_hh_l{config.Rnn.NumLayers - 1}"))
            throw new InvalidDataException($"{source}: the config's {config.Rnn.NumLayers} layers do not match the stored weights");
        var model = Parse(source, "config", () => new CharLanguageModel(config, new Rng(0)));
        checkpoint.Restore(model);
        return (model, vocabulary);
    }

    private static void RequireShape(Checkpoint checkpoint, string name, params int[] shape)
    {
        if (!checkpoint.Weights.TryGetValue(name, out var t))
            throw new InvalidDataException($"{checkpoint.Source}: tensor 'model.{name}' is missing");
        if (!Shape.Equal(t.Shape, shape))
            throw new InvalidDataException($"{checkpoint.Source}: tensor 'model.{name}' has shape {Shape.Format(t.Shape)} but the config needs {Shape.Format(shape)}");
    }

    private static T Parse<T>(string source, string what, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{source}: the {what} is not valid: {e.Message}", e);
        }
    }

    /// <summary>Saves <paramref name="model"/>, its <paramref name="vocabulary"/> and free-form <paramref name="info"/>
    /// (e.g. epoch, val_bpc) atomically.</summary>
    public static void Save(string path, CharLanguageModel model, Vocabulary vocabulary, IReadOnlyDictionary<string, string>? info = null)
    {
        var checkpoint = Capture(model, vocabulary);
        if (info is not null) foreach (var (k, v) in info) checkpoint.Info[k] = v;
        checkpoint.Save(path);
    }

    /// <summary>Loads a model saved by <see cref="Save"/> or as a <c>charlm</c> checkpoint.</summary>
    /// <exception cref="InvalidDataException">The file is another kind or does not fit; the message names it.</exception>
    public static (CharLanguageModel Model, Vocabulary Vocabulary, IReadOnlyDictionary<string, string> Info) Load(string path)
    {
        var checkpoint = Checkpoint.Load(path, Kind);
        var (model, vocabulary) = Rebuild(checkpoint);
        return (model, vocabulary, checkpoint.Info);
    }
}
