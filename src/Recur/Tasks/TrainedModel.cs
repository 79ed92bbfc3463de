using Recur.Layers;
using Recur.Tasks.Classification;
using Recur.Tasks.LanguageModel;
using Recur.Tasks.Seq2Seq;
using Recur.Tasks.Tagging;

namespace Recur.Tasks;

/// <summary>
/// A trained model as its folder describes it: the manifest, the network with its weights, and what the task needs to
/// read raw input (tokenizers, vocabularies, label sets). <see cref="Load"/> rebuilds any kind from its folder with no
/// other information; the subclasses apply it (<see cref="TrainedClassifier"/>, <see cref="TrainedTagger"/>,
/// <see cref="TrainedCharLm"/>).
/// </summary>
public abstract class TrainedModel
{
    /// <summary>Wraps a loaded model.</summary>
    protected TrainedModel(ModelManifest manifest, Module network, string source)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(network);
        Manifest = manifest;
        Network = network;
        Source = source;
        network.Training = false;
    }

    /// <summary>What the model does.</summary>
    public TaskKind Kind => Manifest.Kind;

    /// <summary>The model.json contents (for a legacy folder, one made up from its checkpoint).</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The network, in evaluation mode.</summary>
    public Module Network { get; }

    /// <summary>Where it was loaded from (a folder, or a checkpoint file).</summary>
    public string Source { get; }

    /// <summary>
    /// Loads the model at <paramref name="path"/>: a model folder (model.json + model.safetensors), a folder of the
    /// earlier <c>recur train charlm</c> layout, or a single checkpoint file of a character language model.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a model, a newer format, another kind than <paramref name="expected"/>,
    /// or files that do not fit together; the message names the file.</exception>
    public static TrainedModel Load(string path, TaskKind? expected = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        TrainedModel model;
        if (File.Exists(path))
        {
            if (Path.GetFileName(path) == ModelFolder.ManifestName) return Load(Path.GetDirectoryName(Path.GetFullPath(path))!, expected);
            model = TrainedCharLm.LoadCheckpoint(path);
        }
        else
        {
            var folder = ModelFolder.At(path);
            if (folder.IsLegacyCharLm) model = TrainedCharLm.LoadCheckpoint(folder.LegacyCheckpointPath);
            else
            {
                var manifest = folder.ReadManifest();
                if (!File.Exists(folder.WeightsPath))
                    throw new InvalidDataException($"{folder.Path} has no {ModelFolder.WeightsName} yet: its training has not finished an epoch");
                model = manifest.Kind switch
                {
                    TaskKind.Classify => TrainedClassifier.Load(folder, manifest),
                    TaskKind.Tag => TrainedTagger.Load(folder, manifest),
                    TaskKind.CharLm => TrainedCharLm.Load(folder, manifest),
                    TaskKind.Seq2Seq => TrainedSeq2Seq.Load(folder, manifest),
                    _ => throw new InvalidDataException($"{folder.ManifestPath}: kind {manifest.Kind} has no loader"),
                };
            }
        }
        if (expected is { } kind && model.Kind != kind)
            throw new InvalidDataException($"{path} holds a '{model.Kind.Name()}' model, not a '{kind.Name()}' one");
        return model;
    }
}
