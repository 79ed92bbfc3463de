namespace Recur.Data.Text;

/// <summary>Receives one token; the span is only valid during the call (it may point into a reused buffer).</summary>
public delegate void TokenSink(ReadOnlySpan<char> token);

/// <summary>
/// Splits text into tokens. The span-based <see cref="Tokenize(ReadOnlySpan{char}, TokenSink)"/> allocates nothing
/// per token, so a corpus can be counted or encoded in a streaming way; <see cref="TokenizerExtensions.Tokenize"/>
/// is the convenient string form. Implementations keep scratch buffers: one instance per thread.
/// </summary>
public interface ITokenizer
{
    /// <summary>Calls <paramref name="sink"/> once per token of <paramref name="text"/>, in order.</summary>
    void Tokenize(ReadOnlySpan<char> text, TokenSink sink);
}

/// <summary>String conveniences over <see cref="ITokenizer"/>.</summary>
public static class TokenizerExtensions
{
    /// <summary>The tokens of <paramref name="text"/> as new strings.</summary>
    public static List<string> Tokenize(this ITokenizer tokenizer, string text)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        tokenizer.Tokenize(text.AsSpan(), t => tokens.Add(new string(t)));
        return tokens;
    }
}
