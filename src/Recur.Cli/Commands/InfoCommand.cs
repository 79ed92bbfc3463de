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
        int n = history.Rows.Count;
        r.Heading($"Training history ({TrainingHistory.FileName}, {n} epoch{(n == 1 ? "" : "s")})");
        int val = history.IndexOf("val_bpc"), epoch = history.IndexOf("epoch");
        var series = Enumerable.Range(0, n).Select(i => val < 0 ? double.NaN : history.Value(i, val)).ToList();
        int best = -1;
        for (int i = 0; i < n; i++)
            if (double.IsFinite(series[i]) && (best < 0 || series[i] < series[best])) best = i;
        var shown = n <= MaxHistoryRows
            ? Enumerable.Range(0, n).ToList()
            : Enumerable.Range(0, MaxHistoryRows - 1).Select(i => i * (n - 1) / (MaxHistoryRows - 2)).Append(best).Where(i => i >= 0).Distinct().Order().ToList();

        var columns = history.Columns.Select(name => new Column(name, RightAligned: true)).ToList();
        var finite = series.Where(double.IsFinite).ToList();
        if (finite.Count > 0) columns.Add(new Column("val_bpc (lower is better)"));
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
            r.Line($"  val_bpc by epoch: {TextPlot.Sparkline(series)}  {history.Display(0, val)} -> {history.Display(n - 1, val)}, best {history.Display(best, val)} at {at}");
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
}
