using System.Text.Json.Serialization;

namespace Recur.Data.Formats;

/// <summary>The layouts <see cref="RecordFile"/> reads.</summary>
public enum RecordFormat
{
    /// <summary>Comma-separated values with a header line (RFC 4180 quoting, bare quotes tolerated).</summary>
    Csv,

    /// <summary>Tab-separated values with a header line (quoted fields as pandas writes them, bare quotes tolerated).</summary>
    Tsv,

    /// <summary>JSON objects, one per line (also pretty-printed objects, or one top-level array of objects).</summary>
    [JsonStringEnumMemberName("jsonl")]
    JsonLines,
}
