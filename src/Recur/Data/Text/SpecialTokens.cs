namespace Recur.Data.Text;

/// <summary>
/// The reserved tokens of a <see cref="Vocabulary"/>; each is optional (null = absent). Present ones take the first
/// indices in the order PAD, UNK, BOS, EOS, so with the defaults PAD = 0 (an embedding's padding index),
/// UNK = 1, BOS = 2, EOS = 3.
/// </summary>
/// <param name="Pad">Padding token (fills short sequences of a batch).</param>
/// <param name="Unk">Unknown token (stands for any token not in the vocabulary).</param>
/// <param name="Bos">Beginning-of-sequence token.</param>
/// <param name="Eos">End-of-sequence token.</param>
public sealed record SpecialTokens(string? Pad, string? Unk, string? Bos, string? Eos)
{
    /// <summary>&lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt;, &lt;eos&gt;.</summary>
    public static SpecialTokens Default { get; } = new("<pad>", "<unk>", "<bos>", "<eos>");

    /// <summary>No special tokens: every index is a real token and unknown tokens are errors.</summary>
    public static SpecialTokens None { get; } = new(null, null, null, null);

    /// <summary>The present special tokens in index order.</summary>
    public IEnumerable<string> Present()
    {
        if (Pad is not null) yield return Pad;
        if (Unk is not null) yield return Unk;
        if (Bos is not null) yield return Bos;
        if (Eos is not null) yield return Eos;
    }
}
