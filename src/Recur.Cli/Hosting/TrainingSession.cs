using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recur.Cli.Output;
using Recur.Cli.Reports;
using Recur.IO.Checkpoints;
using Recur.Kernels;
using Recur.Models;
using Recur.Tasks;
using Recur.Training;

namespace Recur.Cli.Hosting;

/// <summary>
/// What every <c>recur train &lt;task&gt;</c> does around the task itself: resolves <c>--resume</c> (the recorded settings,
/// refusing options that would change them), makes the model folder only once the data has been read, runs with a
/// progress display, turns Ctrl+C into "finish this batch, validate, save", and ends with one summary line.
/// </summary>
internal static class TrainingSession
{
    /// <summary>A run being resumed: its model, folder, checkpoint and recorded settings (as JSON).</summary>
    public sealed record Resumed(TrainedModel Model, ModelFolder Folder, Checkpoint Checkpoint, JsonElement Settings);

    /// <summary>Loads the run named by --resume, or null without it.</summary>
    public static Resumed? Resume(ParseResult p, TrainOptions options, TaskKind kind)
    {
        if (p.GetValue(options.Resume) is not { } dir) return null;
        var folder = ModelFolder.At(dir);
        if (folder.IsLegacyCharLm)
            throw new UserError($"--resume {dir}: the folder was written by an earlier Recur (no {ModelFolder.ManifestName}); it still loads for eval, generate and info, but its training cannot be continued: start a new run");
        if (!File.Exists(folder.LastCheckpointPath))
            throw new UserError($"--resume {dir}: no {ModelFolder.CheckpointsName}/{ModelFolder.LastName} (expected a model folder written by 'recur train {kind.Name()}' that finished an epoch)");
        var model = TrainedModel.Load(dir, kind);
        if (model.Manifest.Training?.Settings is not { } settings)
            throw new UserError($"--resume {dir}: {ModelFolder.ManifestName} records no training settings");
        if (p.GetValue(options.Out) is { } o && Path.GetFullPath(o) != folder.Path)
            throw new UserError($"--out {o} conflicts with --resume {dir}: a resumed run continues in its own folder");
        var checkpoint = Checkpoint.Load(folder.LastCheckpointPath, kind.Name());
        return new Resumed(model, folder, checkpoint, JsonSerializer.SerializeToElement(settings, ConfigJson.Options));
    }

    /// <summary>
    /// The settings of this run: for --resume, the recorded ones (options that would change them refused) with the
    /// budget extended; else the task's defaults with the given options over them and the budget as given.
    /// </summary>
    /// <param name="p">The parse result.</param>
    /// <param name="command">The train command (its typed options are checked against a resumed run).</param>
    /// <param name="options">The shared training options.</param>
    /// <param name="defaults">The task's default settings.</param>
    /// <param name="apply">Applies the given options over settings.</param>
    /// <param name="resumed">The run being resumed, or null.</param>
    /// <param name="training">The training part of the settings.</param>
    /// <param name="withTraining">The settings with another training part.</param>
    public static TSettings Settings<TSettings>(ParseResult p, Command command, TrainOptions options, TSettings defaults,
        Func<GivenOptions, TSettings, TSettings> apply, Resumed? resumed, Func<TSettings, TrainingSettings> training,
        Func<TSettings, TrainingSettings, TSettings> withTraining)
    {
        if (resumed is null)
        {
            var given = apply(new GivenOptions(p), defaults);
            return withTraining(given, options.Budget(p, training(given), null));
        }
        var recorded = resumed.Settings.Deserialize<TSettings>(ConfigJson.Options)
            ?? throw new UserError($"--resume {resumed.Folder.Path}: {ModelFolder.ManifestName} records no training settings");
        RefuseChanges(p, command, options, recorded, apply);
        return withTraining(recorded, options.Budget(p, training(recorded), resumed.Checkpoint.Epoch));
    }

    /// <summary>
    /// Refuses, naming them, options given with --resume that would change the recorded settings: each given option
    /// (other than the budget) is applied alone to the recorded settings, and must leave them as they were.
    /// </summary>
    private static void RefuseChanges<TSettings>(ParseResult p, Command command, TrainOptions options, TSettings recorded,
        Func<GivenOptions, TSettings, TSettings> apply)
    {
        string before = JsonSerializer.Serialize(recorded, ConfigJson.Options);
        var conflicts = new List<string>();
        foreach (var option in GivenOptions.Typed(p, command).Where(o => !options.ExtendsARun(o) && o.Name != "--verbose"))
        {
            var changed = apply(new GivenOptions(p, o2 => o2 == option), recorded);
            if (JsonSerializer.Serialize(changed, ConfigJson.Options) != before) conflicts.Add(option.Name);
        }
        if (conflicts.Count > 0)
            throw new UserError($"{string.Join(", ", conflicts)} would change the run being resumed; --resume continues it with its recorded data and settings (see 'recur info'), so leave {(conflicts.Count == 1 ? "it" : "them")} out or start a new run");
    }

    /// <summary>"training: batch 32, Adam lr 0.002, clip 5, up to 20 epochs, ..., seed 1, 2 threads".</summary>
    public static string SettingsLine(TrainingSettings s) =>
        string.Create(CultureInfo.InvariantCulture, $"training: batch {s.BatchSize}, {(s.WeightDecay > 0 ? $"AdamW lr {s.LearningRate} weight decay {s.WeightDecay}" : $"Adam lr {s.LearningRate}")}, ")
        + (s.Clip > 0 ? string.Create(CultureInfo.InvariantCulture, $"clip {s.Clip}, ") : "")
        + Budget(s)
        + (s.LrPatience > 0 ? $", learning rate halved after {s.LrPatience} epoch{(s.LrPatience == 1 ? "" : "s")} without improvement" : "")
        + (s.Patience > 0 ? $", early stopping after {s.Patience}" : "")
        + $", seed {s.Seed}, {KernelConfig.Threads} thread{(KernelConfig.Threads == 1 ? "" : "s")}";

    private static string Budget(TrainingSettings s) => (s.Epochs, s.Minutes) switch
    {
        ({ } e, { } m) => string.Create(CultureInfo.InvariantCulture, $"up to {e} epochs or {m} minutes, whichever comes first"),
        ({ } e, null) => $"up to {e} epoch{(e == 1 ? "" : "s")}",
        (null, { } m) => string.Create(CultureInfo.InvariantCulture, $"{m} minutes"),
        _ => "",
    };

    /// <summary>
    /// Writes the folder's report.html (the run's validation data is still in memory) and prints its path. A report that
    /// cannot be written is a warning, whatever the cause (a bug in drawing included): the model is saved, and
    /// <c>recur report</c> can try again.
    /// </summary>
    private static void WriteReport(CliHost host, ModelFolder folder, ITaskTraining training)
    {
        try
        {
            TrainingReport.Write(ReportSource.Read(folder.Path, training: training), folder.ReportPath);
            host.Out.WriteLine($"report: {folder.ReportPath}");
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            string why = e is IOException or UnauthorizedAccessException or InvalidDataException or UserError ? e.Message : $"{e.GetType().Name}: {e.Message}";
            host.Warn($"the training report could not be written ({why}); try 'recur report --model {folder.Path}'");
        }
    }

    /// <summary>
    /// Runs a prepared training: the model folder (the resumed one, or a new one for --out, refused when it holds
    /// something unless --overwrite), its first line, the task's description, then training with progress on the host and
    /// one summary line. Returns the folder and whether the run ended by a failure (non-finite loss) rather than normally.
    /// </summary>
    /// <param name="host">The command host.</param>
    /// <param name="p">The parse result (--out, --overwrite).</param>
    /// <param name="options">The shared training options.</param>
    /// <param name="kind">The task.</param>
    /// <param name="training">The task's prepared training.</param>
    /// <param name="resumed">The run being resumed, or null.</param>
    /// <param name="describe">Prints the task's description lines (data, model, settings).</param>
    /// <param name="itemName">What the throughput counts.</param>
    /// <param name="extra">More callbacks (e.g. samples), given the progress display to write through and the model folder.</param>
    public static (ModelFolder Folder, bool Failed) Train(CliHost host, ParseResult p, TrainOptions options, TaskKind kind, ITaskTraining training,
        Resumed? resumed, Action describe, string itemName, Func<TrainingProgress, ModelFolder, IEnumerable<ITrainerCallback>>? extra = null)
    {
        var folder = resumed?.Folder ?? ModelFolder.Create(p.GetValue(options.Out) ?? ModelFolder.DefaultPath(kind), p.GetValue(options.Overwrite));
        host.Out.WriteLine($"recur train {kind.Name()}: {(resumed is null ? "writing" : "continuing")} {folder.Path}");
        describe();
        var manifest = training.Manifest(resumed?.Model.Manifest.Training ?? training.Record(host.CommandLine));
        var progress = new TrainingProgress(host.Out, itemName);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, a) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl+C aborts
            a.Cancel = true;
            cancel.Cancel();
            host.Error.WriteLine("recur: stopping after this batch, then validating and saving (Ctrl+C again to abort)...");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var callbacks = new List<ITrainerCallback> { progress };
            if (extra is not null) callbacks.AddRange(extra(progress, folder));
            var history = progress.Run(() => training.Run(folder, manifest, callbacks, resumed?.Checkpoint, cancel.Token));
            bool failed = history.StopReason.StartsWith("stopped:", StringComparison.Ordinal);
            var best = history.Epochs.FirstOrDefault(e => e.Epoch == history.BestEpoch);
            string score = best is null ? "no epoch finished" : $"best epoch {best.Epoch}: " + string.Join(", ",
                best.Values.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal) && double.IsFinite(kv.Value))
                    .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G4}")));
            host.Out.WriteLine($"{history.StopReason}; {score}");
            host.Out.WriteLine(File.Exists(folder.WeightsPath) ? $"model saved in {folder.Path}" : $"no epoch finished, so {folder.Path} holds no model");
            WriteReport(host, folder, training);
            return (folder, failed);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
