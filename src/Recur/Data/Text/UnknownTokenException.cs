namespace Recur.Data.Text;

/// <summary>A token (or label) that a vocabulary without an UNK token does not contain.</summary>
public sealed class UnknownTokenException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="token"/>; <paramref name="context"/> says which vocabulary or where.</summary>
    public UnknownTokenException(string token, string context)
        : base($"{Describe(token)} is not in {context}")
    {
        Token = token;
    }

    /// <summary>The token that was not found.</summary>
    public string Token { get; }

    /// <summary>Quotes a token and, for invisible or single-character tokens, names its code points (e.g. <c>"\n" (U+000A)</c>).</summary>
    internal static string Describe(string token)
    {
        var shown = System.Text.Json.JsonSerializer.Serialize(token);
        if (token.EnumerateRunes().Count() != 1) return shown;
        return $"{shown} (U+{token.EnumerateRunes().First().Value:X4})";
    }
}
