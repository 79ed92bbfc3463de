using System.Text.Json.Serialization;

namespace Recur.Data.Text;

/// <summary>
/// The stored form of a <see cref="Vocabulary"/>, serialised as JSON:
/// <c>{"format":"recur-vocabulary","version":1,"specials":{"pad":"&lt;pad&gt;",...},"tokens":["&lt;pad&gt;",...]}</c>.
/// Token i of <see cref="Tokens"/> has index i. A checkpoint can embed this object as it is.
/// </summary>
public sealed class VocabularyDocument
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "recur-vocabulary";

    /// <summary>Always <see cref="FormatName"/>; identifies the document.</summary>
    [JsonPropertyName("format")]
    public string Format { get; set; } = FormatName;

    /// <summary>Format version (1).</summary>
    [JsonPropertyName("version")]
    public int Version { get; set; } = 1;

    /// <summary>Which tokens play the special roles; each must also appear in <see cref="Tokens"/>.</summary>
    [JsonPropertyName("specials")]
    public SpecialTokensDocument Specials { get; set; } = new();

    /// <summary>All tokens in index order.</summary>
    [JsonPropertyName("tokens")]
    public List<string> Tokens { get; set; } = [];
}

/// <summary>The special-token roles in a <see cref="VocabularyDocument"/>; null = role absent.</summary>
public sealed class SpecialTokensDocument
{
    /// <summary>Padding token.</summary>
    [JsonPropertyName("pad")]
    public string? Pad { get; set; }

    /// <summary>Unknown token.</summary>
    [JsonPropertyName("unk")]
    public string? Unk { get; set; }

    /// <summary>Beginning-of-sequence token.</summary>
    [JsonPropertyName("bos")]
    public string? Bos { get; set; }

    /// <summary>End-of-sequence token.</summary>
    [JsonPropertyName("eos")]
    public string? Eos { get; set; }
}
