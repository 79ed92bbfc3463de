using System.Globalization;
using System.Text.Json;

namespace Recur.Bench;

/// <summary>
/// One measured comparison. <see cref="Ratio"/> is Recur's advantage: peer time / Recur time, or Recur throughput /
/// peer throughput, so a ratio above 1 means Recur is ahead.
/// </summary>
/// <param name="Suite">Suite name.</param>
/// <param name="Case">Case name, e.g. <c>sq512 t2</c>.</param>
/// <param name="Recur">Recur's measurement (median).</param>
/// <param name="Peer">The peer's measurement (median), or NaN when no peer ran.</param>
/// <param name="Unit">Unit of both measurements, e.g. <c>GFLOP/s</c> or <c>ms</c>.</param>
/// <param name="HigherIsBetter">Whether the unit is a throughput (true) or a time (false).</param>
/// <param name="Extra">More columns (thread count, peer library, ...).</param>
public sealed record BenchRow(string Suite, string Case, double Recur, double Peer, string Unit, bool HigherIsBetter,
    IReadOnlyDictionary<string, object>? Extra = null)
{
    /// <summary>Recur's advantage (> 1 means Recur is ahead); NaN without a peer.</summary>
    public double Ratio => double.IsNaN(Peer) || Peer == 0 || Recur == 0 ? double.NaN : HigherIsBetter ? Recur / Peer : Peer / Recur;
}

/// <summary>Prints rows as an aligned table as they arrive and appends them as JSON lines to the --json file.</summary>
public sealed class BenchReport : IDisposable
{
    private readonly StreamWriter? _json;
    private readonly List<BenchRow> _rows = [];
    private bool _headerPrinted;

    /// <summary>Opens the report; <paramref name="jsonPath"/> is truncated if it exists.</summary>
    public BenchReport(string? jsonPath)
    {
        if (jsonPath is not null) _json = new StreamWriter(jsonPath, append: false);
    }

    /// <summary>The rows reported so far.</summary>
    public IReadOnlyList<BenchRow> Rows => _rows;

    /// <summary>Records, prints and writes one row.</summary>
    public void Add(BenchRow row)
    {
        _rows.Add(row);
        if (!_headerPrinted)
        {
            Console.WriteLine($"{"suite",-8} {"case",-40} {"recur",12} {"peer",12} {"unit",-10} {"ratio",7}");
            _headerPrinted = true;
        }
        Console.WriteLine($"{row.Suite,-8} {row.Case,-40} {Fmt(row.Recur),12} {Fmt(row.Peer),12} {row.Unit,-10} {Fmt(row.Ratio),7}");
        if (_json is null) return;
        var obj = new Dictionary<string, object?>
        {
            ["suite"] = row.Suite,
            ["case"] = row.Case,
            ["recur"] = Num(row.Recur),
            ["peer"] = Num(row.Peer),
            ["unit"] = row.Unit,
            ["ratio"] = Num(row.Ratio),
        };
        if (row.Extra is not null) foreach (var (k, v) in row.Extra) obj[k] = v;
        _json.WriteLine(JsonSerializer.Serialize(obj));
        _json.Flush();
    }

    /// <summary>Prints a free-form note line (e.g. which BLAS the peer loaded).</summary>
    public static void Note(string text) => Console.WriteLine("# " + text);

    private static object? Num(double v) => double.IsFinite(v) ? Math.Round(v, 4) : null;

    private static string Fmt(double v) => double.IsFinite(v) ? v.ToString(v >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture) : "-";

    /// <inheritdoc />
    public void Dispose() => _json?.Dispose();
}
