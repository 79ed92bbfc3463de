using System.CommandLine;
using System.Globalization;
using System.Text;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Output;
using Recur.Data.Text;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur info</c>: what a checkpoint holds — architecture, parameters, vocabulary, saved training progress — and
/// the training history (history.csv beside it) as a table with a plot of validation bits per character.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Most history rows shown; longer histories are thinned evenly (the first, best and last epochs always stay).</summary>
    private const int MaxHistoryRows = 25;

    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "Checkpoint file, or the --out folder of 'recur train charlm'", Required = true, HelpName = "DIR|FILE" };
        var cmd = new Command("info", "Describe a trained model: architecture, parameters, vocabulary and training history.") { model };
        host.SetAction(cmd, p => Run(host, p.GetValue(model)!));
        return cmd;
    }

    private static int Run(CliHost host, string modelPath)
    {
        var m = ModelFiles.Load(modelPath);
        IReadOnlyDictionary<string, string> metadata;
        using (var file = SafetensorsFile.Open(m.Path)) metadata = file.Metadata;
        var r = host.Report;
        var model = m.Model;
        var c = model.Config;

        r.Line($"{m.Path}", Tone.Accent);
        r.Facts([
            ("format", $"{Meta(metadata, "format")}, kind {Meta(metadata, "recur.kind")}"),
            ("saved", $"{Meta(metadata, "recur.saved_utc")} by Recur {Meta(metadata, "recur.version")}"),
        ]);

        r.Heading("Architecture");
        r.Line("  " + string.Join(" -> ", model.Children.Select(ch => ch.Module.Describe())));
        r.Facts([
            ("cell", c.Cell),
            ("hidden units", $"{c.HiddenSize} x {c.NumLayers} layer{(c.NumLayers == 1 ? "" : "s")}"),
            ("embedding", c.EmbeddingDim.ToString(CultureInfo.InvariantCulture)),
            ("dropout", c.Dropout.ToString(CultureInfo.InvariantCulture)),
            ("parameters", new Cell($"{model.ParameterCount:N0}", Tone.Accent)),
        ]);

        r.Heading("Parameters");
        r.Table([new("name"), new("shape"), new("count", RightAligned: true)],
            model.NamedParameters().Select(p => new Cell[] { p.Name, Shape.Format(p.Parameter.Value.Shape), $"{p.Parameter.Count:N0}" })
                .Append([new("total", Tone.Dim), "", new($"{model.ParameterCount:N0}", Tone.Dim)]));

        r.Heading("Vocabulary");
        var v = m.Vocabulary;
        var specials = v.Specials.Present().ToList();
        r.Facts([
            ("size", $"{v.Count} tokens" + (specials.Count > 0 ? $" ({string.Join(", ", specials)} and {v.Count - specials.Count} characters)" : "")),
            ("characters", Characters(v)),
        ]);

        if (m.Info.Count > 0)
        {
            r.Heading("Saved with the checkpoint");
            r.Facts(m.Info.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, new Cell(kv.Value))));
        }

        TrainingHistory? history;
        try
        {
            history = TrainingHistory.Beside(m.Path);
        }
        catch (FormatException e)
        {
            host.Warn($"the training history is unreadable: {e.Message}");
            history = null;
        }
        if (history is { Rows.Count: > 0 }) WriteHistory(r, history);
        return 0;
    }

    private static void WriteHistory(Report r, TrainingHistory history)
    {
        r.Heading($"Training history ({TrainingHistory.FileName}, {history.Rows.Count} epoch{(history.Rows.Count == 1 ? "" : "s")})");
        int val = history.IndexOf("val_bpc");
        var rows = history.Rows;
        int best = -1;
        if (val >= 0)
            for (int i = 0; i < rows.Count; i++)
                if (double.IsFinite(rows[i][val]) && (best < 0 || rows[i][val] < rows[best][val])) best = i;
        var shown = rows.Count <= MaxHistoryRows
            ? Enumerable.Range(0, rows.Count).ToList()
            : Enumerable.Range(0, MaxHistoryRows - 1).Select(i => i * (rows.Count - 1) / (MaxHistoryRows - 2)).Append(best).Where(i => i >= 0).Distinct().Order().ToList();

        var columns = history.Columns.Select(name => new Column(name, RightAligned: true)).ToList();
        double min = 0, max = 0;
        if (val >= 0)
        {
            var finite = rows.Select(row => row[val]).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
            (min, max) = (finite.Min(), finite.Max());
            columns.Add(new Column("val_bpc (lower is better)"));
        }
        r.Table(columns, shown.Select(i =>
        {
            var cells = rows[i].Select(x => new Cell(Number(x), i == best ? Tone.Good : Tone.Normal)).ToList();
            if (val >= 0) cells.Add(new Cell(TextPlot.Bar(rows[i][val], min, max, 30, r.BarChar) + (i == best ? " best" : ""), i == best ? Tone.Good : Tone.Dim));
            return cells.ToArray();
        }));
        if (shown.Count < rows.Count) r.Line($"  ({rows.Count - shown.Count} of {rows.Count} epochs not shown)", Tone.Dim);
        if (val >= 0)
        {
            var series = rows.Select(row => row[val]).ToList();
            r.Line();
            int epoch = history.IndexOf("epoch");
            string where = epoch >= 0 ? $"epoch {Number(rows[Math.Max(best, 0)][epoch])}" : $"row {best + 1}";
            r.Line($"  val_bpc by epoch: {TextPlot.Sparkline(series)}  {Number(series[0])} -> {Number(series[^1])}" + (best >= 0 ? $", best {Number(series[best])} at {where}" : ""));
        }
    }

    /// <summary>The ordinary characters of the vocabulary in index order, control characters escaped (\n, \t, \u0001).</summary>
    private static string Characters(Vocabulary v)
    {
        const int maxShown = 120;
        var sb = new StringBuilder();
        var specials = v.Specials.Present().ToHashSet();
        int count = 0;
        foreach (string t in v.Tokens.Where(t => !specials.Contains(t)))
        {
            if (count++ == maxShown) { sb.Append($" ... ({v.Count - specials.Count - maxShown} more)"); break; }
            sb.Append(t switch
            {
                "\n" => "\\n",
                "\t" => "\\t",
                "\r" => "\\r",
                " " => "␣",
                "\\" => "\\\\",
                _ when t.Length == 1 && char.IsControl(t[0]) => $"\\u{(int)t[0]:X4}",
                _ => t,
            });
        }
        return sb.ToString();
    }

    private static string Meta(IReadOnlyDictionary<string, string> metadata, string key) => metadata.TryGetValue(key, out var v) ? v : "?";

    private static string Number(double x) =>
        !double.IsFinite(x) ? "-" : x == Math.Round(x) && Math.Abs(x) < 1e9 ? x.ToString("F0", CultureInfo.InvariantCulture) : x.ToString("0.####", CultureInfo.InvariantCulture);
}
