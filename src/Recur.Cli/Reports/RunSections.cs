using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Tasks;

namespace Recur.Cli.Reports;

/// <summary>The run at a glance (what, how long, why it stopped, best epoch) and how it was run (settings, data fingerprints).</summary>
internal static class RunSections
{
    /// <summary>Adds the "Summary" section.</summary>
    public static void AddSummary(HtmlPage page, ReportSource source)
    {
        page.Section("Summary", "summary");
        var facts = new List<(string, string)> { ("folder", source.Folder.Path) };
        if (source.Manifest is { } m)
        {
            facts.Add(("kind", m.Kind.Name()));
            facts.Add(("saved", $"{m.SavedUtc:yyyy-MM-dd HH:mm:ss} UTC by Recur {m.RecurVersion}"));
        }
        if (source.Model is { } model)
        {
            facts.Add(("model", string.Join(" -> ", model.Network.Children.Where(c => c.Module is not Layers.Dropout).Select(c => c.Module.Describe()))));
            facts.Add(("parameters", $"{model.Network.ParameterCount:N0}"));
        }
        if (source.Manifest?.Training is { } t)
        {
            facts.Add(("trained", $"{t.Epochs} epoch{(t.Epochs == 1 ? "" : "s")} in {Duration(t.Seconds)}, started {t.StartedUtc:yyyy-MM-dd HH:mm} UTC on {t.Threads} thread{(t.Threads == 1 ? "" : "s")}"));
            facts.Add(("stopped", t.StopReason.Length > 0 ? t.StopReason : "not finished (still running, or interrupted)"));
            if (t.BestEpoch > 0)
                facts.Add(("best epoch", $"{t.BestEpoch} by {t.Monitor}: " + string.Join(", ", t.Best.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal))
                    .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:G5}")))));
        }
        page.Facts(facts);
        foreach (var p in source.Problems) page.Note(p);
    }

    /// <summary>Adds the "Settings and data" section.</summary>
    public static void AddSettings(HtmlPage page, ReportSource source)
    {
        page.Section("Settings and data", "settings");
        if (source.Manifest?.Training is not { } t)
        {
            page.Note($"{ModelFolder.ManifestName} records no training run (a model made or migrated otherwise), so there are no settings or data fingerprints");
            return;
        }
        page.Subheading("Command line");
        page.Preformatted(t.CommandLine);
        page.Subheading("Data");
        if (t.Data.Count == 0) page.Note("no data fingerprints recorded");
        else
            page.Table(["role", "file", "bytes", "records", "SHA-256"],
                t.Data.Select(d => (IReadOnlyList<string>)[d.Role, d.Path, $"{d.Bytes:N0}", $"{d.Records:N0}", d.Sha256]), 2, 3);
        page.Subheading("Settings");
        page.Table(["setting", "value"], Flatten(t.Settings, "").Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]));
        if (source.Manifest.Architecture.Count > 0)
        {
            page.Subheading("Architecture");
            page.Table(["setting", "value"], Flatten(source.Manifest.Architecture, "").Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]));
        }
    }

    /// <summary>Nested settings as dotted names ("rnn.hidden_size") and their JSON values.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Flatten(JsonObject node, string prefix)
    {
        foreach (var (key, value) in node)
        {
            string name = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is JsonObject inner) foreach (var kv in Flatten(inner, name)) yield return kv;
            else yield return new(name, value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "null");
        }
    }

    private static string Duration(double seconds) =>
        seconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s") : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
}
