using Recur.Cli.Inputs;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>
/// Everything a report may draw from, read from a model folder: the manifest, the model, history.csv and
/// gradients.json — each may be missing (a run that never finished an epoch, a folder of an earlier Recur), and then
/// <see cref="Problems"/> says why — plus the data to evaluate on.
/// </summary>
internal sealed class ReportSource
{
    private ReportSource(ModelFolder folder) => Folder = folder;

    /// <summary>The model folder.</summary>
    public ModelFolder Folder { get; }

    /// <summary>model.json (or the manifest a legacy char-LM checkpoint implies); null when unreadable.</summary>
    public ModelManifest? Manifest { get; private set; }

    /// <summary>The trained model; null when the folder has no weights yet or they do not load.</summary>
    public TrainedModel? Model { get; private set; }

    /// <summary>history.csv; null when absent or unreadable.</summary>
    public TrainingHistory? History { get; private set; }

    /// <summary>gradients.json; null when absent (runs before it was recorded) or unreadable.</summary>
    public GradientLog? Gradients { get; private set; }

    /// <summary>Labelled data given with --data, or null to use the run's own validation data.</summary>
    public string? Data { get; private init; }

    /// <summary>The training that just wrote the folder (its validation data already read), or null.</summary>
    public ITaskTraining? Training { get; private init; }

    /// <summary>What could not be read, one line each.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Reads what <paramref name="folder"/> holds.</summary>
    /// <param name="folder">A model folder (or one of the earlier char-LM layout).</param>
    /// <param name="data">Labelled data for the task's evaluation sections, or null.</param>
    /// <param name="training">The training that just ended, or null.</param>
    /// <exception cref="Hosting.UserError">The folder holds neither a model.json nor an earlier char-LM checkpoint.</exception>
    public static ReportSource Read(string folder, string? data = null, ITaskTraining? training = null)
    {
        var f = ModelFolder.At(folder);
        if (File.Exists(f.Path)) throw new Hosting.UserError($"--model {folder} is a file; a report reads a whole model folder (the one holding {ModelFolder.ManifestName} and {ModelFolder.HistoryName})");
        if (!Directory.Exists(f.Path)) throw new Hosting.UserError($"--model: no such folder: {folder}");
        if (!File.Exists(f.ManifestPath) && !f.IsLegacyCharLm)
            throw new Hosting.UserError($"--model {folder}: the folder holds no {ModelFolder.ManifestName} (nor the checkpoint of an earlier 'recur train charlm'); expected a model folder written by 'recur train'");
        var s = new ReportSource(f) { Data = data, Training = training };
        try
        {
            if (File.Exists(f.ManifestPath)) s.Manifest = f.ReadManifest();
        }
        catch (InvalidDataException e) { s.Problems.Add($"{ModelFolder.ManifestName} could not be read: {e.Message}"); }
        try
        {
            if (s.Manifest is null || File.Exists(f.WeightsPath)) s.Model = TrainedModel.Load(f.Path);
            else s.Problems.Add($"no {ModelFolder.WeightsName}: the run has not finished an epoch, so there is no model to evaluate");
            s.Manifest ??= s.Model?.Manifest;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or ArgumentException or System.Text.Json.JsonException or IO.Safetensors.SafetensorsFormatException)
        {
            s.Problems.Add($"the model could not be loaded: {e.Message}");
        }
        try
        {
            s.History = TrainingHistory.Beside(f.Path);
            if (s.History is null) s.Problems.Add($"no {ModelFolder.HistoryName}: no epoch was recorded, so there are no training curves");
            else if (s.History.Rows.Count == 0) s.Problems.Add($"{ModelFolder.HistoryName} has a header but no epochs, so there are no training curves");
        }
        catch (FormatException e) { s.Problems.Add($"{ModelFolder.HistoryName} could not be read: {e.Message}"); }
        try
        {
            if (File.Exists(f.GradientsPath)) s.Gradients = GradientLog.Load(f.GradientsPath);
        }
        catch (InvalidDataException e) { s.Problems.Add($"{GradientLog.FileName} could not be read: {e.Message}"); }
        return s;
    }
}
