using System.CommandLine;
using System.Globalization;
using System.Text;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Output;
using Recur.Cli.Tasks;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur info</c>: what a model folder holds, for any task kind — architecture, parameters, input processing,
/// vocabularies and labels, how it was trained (command line, data fingerprints, best epoch) — and the training history
/// (history.csv) as a table with a bar of the monitored metric.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Most history rows shown; longer histories are thinned evenly (the first, best and last epochs always stay).</summary>
    private const int MaxHistoryRows = 25;

    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder written by 'recur train' (or a checkpoint file)", Required = true, HelpName = "DIR" };
        var cmd = new Command("info", "Describe a trained model: architecture, parameters, vocabulary and training history.") { model };
        host.SetAction(cmd, p => Run(host, p.GetValue(model)!));
        return cmd;
    }

    private static int Run(CliHost host, string modelPath)
    {
        var m = ModelFiles.Load(modelPath);
        var manifest = m.Manifest;
        var model = m.Network;
        var r = host.Report;

        r.Line(m.Source, Tone.Accent);
        r.Facts([
            ("kind", manifest.Kind.Name()),
            ("format", m is TrainedCharLm { CheckpointPath: { } checkpoint } ? $"{Path.GetFileName(checkpoint)}: a checkpoint of an earlier Recur (no {ModelFolder.ManifestName})" : $"{manifest.Format}/{manifest.Version}"),
            ("saved", $"{manifest.SavedUtc:yyyy-MM-dd HH:mm:ss} UTC by Recur {manifest.RecurVersion}"),
        ]);

        r.Heading("Architecture");
        r.Line("  " + string.Join(" -> ", model.Children.Where(ch => ch.Module is not Layers.Dropout).Select(ch => ch.Module.Describe())));
        r.Facts(manifest.Architecture.Select(kv => (kv.Key, new Cell(kv.Value?.ToJsonString() ?? "null"))).Append(("parameters", new Cell($"{model.ParameterCount:N0}", Tone.Accent))));

        r.Heading("Parameters");
        r.Table([new("name"), new("shape"), new("count", RightAligned: true)],
            model.NamedParameters().Select(p => new Cell[] { p.Name, Shape.Format(p.Parameter.Value.Shape), $"{p.Parameter.Count:N0}" })
                .Append([new("total", Tone.Dim), "", new($"{model.ParameterCount:N0}", Tone.Dim)]));

        TaskCommands.For(m.Kind).Describe(m, r);

        if (manifest.Training is { } t)
        {
            r.Heading("Training");
            var facts = new List<(string, Cell)>
            {
                ("command", t.CommandLine),
                ("started", $"{t.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, {t.Threads} thread{(t.Threads == 1 ? "" : "s")}"),
                ("progress", $"{t.Epochs} epoch{(t.Epochs == 1 ? "" : "s")} in {TimeSpan.FromSeconds(t.Seconds):hh\\:mm\\:ss}" + (t.StopReason.Length > 0 ? $"; {t.StopReason}" : "; not finished (or interrupted)")),
                ("best", t.BestEpoch == 0 ? "none yet" : $"epoch {t.BestEpoch} by {t.Monitor}: " + string.Join(", ",
                    t.Best.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal)).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G5}")))),
            };
            foreach (var d in t.Data)
                facts.Add(($"data ({d.Role})", $"{d.Path}, {d.Bytes:N0} bytes, {d.Records:N0} records, sha256 {d.Sha256[..12]}..."));
            r.Facts(facts);
        }
        else if (m is TrainedCharLm { CheckpointPath: { } path })
        {
            IReadOnlyDictionary<string, string> info;
            using (var file = SafetensorsFile.Open(path)) info = file.Metadata.Where(kv => kv.Key.StartsWith("recur.info.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["recur.info.".Length..], kv => kv.Value);
            if (info.Count > 0)
            {
                r.Heading("Saved with the checkpoint");
                r.Facts(info.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, new Cell(kv.Value))));
            }
        }

        TrainingHistory? history;
        try
        {
            history = TrainingHistory.Beside(m.Source);
        }
        catch (FormatException e)
        {
            host.Warn($"the training history is unreadable: {e.Message}");
            history = null;
        }
        string monitor = manifest.Training?.Monitor is { Length: > 0 } mon ? mon : "val_bpc";
        if (history is { Rows.Count: > 0 }) WriteHistory(r, history, monitor, HigherIsBetter(monitor));
        return 0;
    }

    private static bool HigherIsBetter(string monitor) => !(monitor.EndsWith("loss", StringComparison.Ordinal) || monitor.EndsWith("bpc", StringComparison.Ordinal));

    private static void WriteHistory(Report r, TrainingHistory history, string monitor, bool higher)
    {
        int n = history.Rows.Count;
        r.Heading($"Training history ({TrainingHistory.FileName}, {n} epoch{(n == 1 ? "" : "s")})");
        int val = history.IndexOf(monitor), epoch = history.IndexOf("epoch");
        var series = Enumerable.Range(0, n).Select(i => val < 0 ? double.NaN : history.Value(i, val)).ToList();
        int best = -1;
        for (int i = 0; i < n; i++)
            if (double.IsFinite(series[i]) && (best < 0 || (higher ? series[i] > series[best] : series[i] < series[best]))) best = i;
        var shown = n <= MaxHistoryRows
            ? Enumerable.Range(0, n).ToList()
            : Enumerable.Range(0, MaxHistoryRows - 1).Select(i => i * (n - 1) / (MaxHistoryRows - 2)).Append(best).Where(i => i >= 0).Distinct().Order().ToList();

        var columns = history.Columns.Select(name => new Column(name, RightAligned: true)).ToList();
        var finite = series.Where(double.IsFinite).ToList();
        if (finite.Count > 0) columns.Add(new Column($"{monitor} ({(higher ? "higher" : "lower")} is better)"));
        r.Table(columns, shown.Select(i =>
        {
            var tone = i == best ? Tone.Good : Tone.Normal;
            var cells = Enumerable.Range(0, history.Columns.Count).Select(c => new Cell(history.Display(i, c), tone)).ToList();
            if (finite.Count > 0) cells.Add(new Cell(TextPlot.Bar(series[i], finite.Min(), finite.Max(), 30, r.BarChar) + (i == best ? " best" : ""), i == best ? Tone.Good : Tone.Dim));
            return cells.ToArray();
        }));
        if (shown.Count < n) r.Line($"  ({n - shown.Count} of {n} epochs not shown)", Tone.Dim);
        if (best >= 0)
        {
            string at = epoch >= 0 ? $"epoch {history.Rows[best][epoch]}" : $"row {best + 1}";
            r.Line();
            r.Line($"  {monitor} by epoch: {TextPlot.Sparkline(series)}  {history.Display(0, val)} -> {history.Display(n - 1, val)}, best {history.Display(best, val)} at {at}");
        }
    }

}
