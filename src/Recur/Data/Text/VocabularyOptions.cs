namespace Recur.Data.Text;

/// <summary>How the ordinary (non-special) tokens of a vocabulary are ordered.</summary>
public enum VocabularyOrder
{
    /// <summary>Most frequent first; ties in ordinal (UTF-16 code unit) order. Deterministic.</summary>
    ByFrequency,

    /// <summary>Ordinal order of the token text, e.g. code point order for a character vocabulary. Deterministic and independent of counts.</summary>
    Ordinal,
}

/// <summary>Settings for building a <see cref="Vocabulary"/> from token counts.</summary>
public sealed record VocabularyOptions
{
    /// <summary>The reserved tokens; <see cref="SpecialTokens.Default"/> unless set.</summary>
    public SpecialTokens Specials { get; init; } = SpecialTokens.Default;

    /// <summary>Tokens seen fewer times than this are left out (and encode as UNK). At least 1.</summary>
    public long MinFrequency { get; init; } = 1;

    /// <summary>Largest vocabulary size, special tokens included; the most frequent tokens are kept. Null = no limit.</summary>
    public int? MaxSize { get; init; }

    /// <summary>Order of the ordinary tokens after the specials.</summary>
    public VocabularyOrder Order { get; init; } = VocabularyOrder.ByFrequency;
}
