namespace Recur.Tasks;

/// <summary>
/// The folder a trained model lives in, the same for every task:
/// <code>
///   model.json                     what the model is (<see cref="ModelManifest"/>), written at the start of training and after every epoch
///   model.safetensors              the best epoch's weights as a PyTorch state_dict (safetensors.torch.load_file + load_state_dict)
///   history.csv                    one row of metrics per epoch
///   checkpoints/last.safetensors   resumable state after the last epoch (weights, optimizer, generators, history)
///   checkpoints/best.safetensors   the same at the best epoch
///   gradients.json                 gradient norms per epoch and per time step (<see cref="GradientLog"/>)
///   samples.jsonl                  text generated after some epochs (char LM, written by the command line)
///   report.html                    the training report (written by the command line)
/// </code>
/// Every file is replaced atomically, so an interrupted run leaves a folder that loads (from its last completed epoch).
/// Folders written by <c>recur train charlm</c> before this layout (no model.json; <c>best.safetensors</c> and
/// <c>last.safetensors</c> beside history.csv) are recognised as <see cref="IsLegacyCharLm"/>.
/// </summary>
public sealed class ModelFolder
{
    /// <summary>File names inside the folder.</summary>
    public const string ManifestName = "model.json", WeightsName = "model.safetensors", HistoryName = "history.csv",
        CheckpointsName = "checkpoints", LastName = "last.safetensors", BestName = "best.safetensors", ReportName = "report.html",
        SamplesName = "samples.jsonl";

    private ModelFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>model.json.</summary>
    public string ManifestPath => Combine(ManifestName);

    /// <summary>model.safetensors.</summary>
    public string WeightsPath => Combine(WeightsName);

    /// <summary>history.csv.</summary>
    public string HistoryPath => Combine(HistoryName);

    /// <summary>gradients.json (<see cref="GradientLog"/>).</summary>
    public string GradientsPath => Combine(GradientLog.FileName);

    /// <summary>samples.jsonl.</summary>
    public string SamplesPath => Combine(SamplesName);

    /// <summary>report.html.</summary>
    public string ReportPath => Combine(ReportName);

    /// <summary>checkpoints/last.safetensors.</summary>
    public string LastCheckpointPath => Combine(CheckpointsName, LastName);

    /// <summary>checkpoints/best.safetensors.</summary>
    public string BestCheckpointPath => Combine(CheckpointsName, BestName);

    /// <summary>True for a folder of the earlier <c>recur train charlm</c> layout: checkpoints at the top, no model.json.</summary>
    public bool IsLegacyCharLm => !File.Exists(ManifestPath) && (File.Exists(Combine(BestName)) || File.Exists(Combine(LastName)));

    /// <summary>The legacy layout's checkpoint to load: best.safetensors, else last.safetensors.</summary>
    public string LegacyCheckpointPath => File.Exists(Combine(BestName)) ? Combine(BestName) : Combine(LastName);

    /// <summary>The legacy layout's last checkpoint (what <c>--resume</c> continues).</summary>
    public string LegacyLastCheckpointPath => Combine(LastName);

    /// <summary>The folder at <paramref name="path"/>, whether or not it exists.</summary>
    public static ModelFolder At(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ModelFolder(path);
    }

    /// <summary>
    /// Prepares <paramref name="path"/> for a new run: creates it, or accepts it when it is empty. A folder that holds
    /// anything is refused unless <paramref name="overwrite"/>, which removes a previous model's files (the layout's
    /// names above, gradients.json, samples.jsonl and report.html) and leaves any other file alone.
    /// </summary>
    /// <exception cref="IOException">The folder is not empty and <paramref name="overwrite"/> is false, or it is a file.</exception>
    public static ModelFolder Create(string path, bool overwrite)
    {
        var folder = At(path);
        if (File.Exists(folder.Path)) throw new IOException($"{path} is a file; the model needs a folder");
        if (Directory.Exists(folder.Path) && Directory.EnumerateFileSystemEntries(folder.Path).Any())
        {
            if (!overwrite)
                throw new IOException($"{path} is not empty ({Describe(folder.Path)}); choose another folder, or pass --overwrite to replace the model in it");
            foreach (string name in (string[])[ManifestName, WeightsName, HistoryName, LastName, BestName, GradientLog.FileName, SamplesName, ReportName])
                File.Delete(folder.Combine(name));
            if (Directory.Exists(folder.Combine(CheckpointsName))) Directory.Delete(folder.Combine(CheckpointsName), recursive: true);
        }
        Directory.CreateDirectory(folder.Combine(CheckpointsName));
        return folder;
    }

    /// <summary>Reads model.json.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a valid manifest.</exception>
    public ModelManifest ReadManifest()
    {
        if (!File.Exists(ManifestPath))
            throw new InvalidDataException(Directory.Exists(Path)
                ? $"{Path} holds no {ManifestName}: not a Recur model folder"
                : $"no such model folder: {Path}");
        return ModelManifest.Load(ManifestPath);
    }

    /// <summary>A default folder name for a new run of <paramref name="kind"/>: <c>runs/&lt;kind&gt;-&lt;yyyyMMdd-HHmmss&gt;</c>, never an existing one.</summary>
    public static string DefaultPath(TaskKind kind)
    {
        string stem = System.IO.Path.Combine("runs", $"{kind.Name()}-{DateTime.Now:yyyyMMdd-HHmmss}");
        string path = stem;
        for (int i = 2; Directory.Exists(path) || File.Exists(path); i++) path = $"{stem}-{i}";
        return path;
    }

    private string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Describe(string path)
    {
        var names = Directory.EnumerateFileSystemEntries(path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        return names.Count <= 4 ? $"it holds {string.Join(", ", names)}" : $"it holds {string.Join(", ", names.Take(4))} and {names.Count - 4} more";
    }
}
