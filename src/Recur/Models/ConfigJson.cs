using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recur.Models;

/// <summary>
/// How model configurations are written as JSON everywhere (checkpoints, model folders): snake_case names, enums as
/// snake_case strings ("lstm", "attention"), and NaN / infinity allowed as strings.
/// </summary>
public static class ConfigJson
{
    /// <summary>The shared options (compact).</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same, indented for files people read.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The name of an enum value as configurations spell it ("lstm", "attention", "char").</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value, Options).Trim('"');

    /// <summary>Every name of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(Name)];

    /// <summary>The value named <paramref name="name"/>, or null when no value has that name.</summary>
    public static T? Parse<T>(string name) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>()) if (Name(v) == name) return v;
        return null;
    }

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // files, not HTML: keep non-ASCII tokens readable
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
