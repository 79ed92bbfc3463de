namespace Recur.Data.Text;

/// <summary>
/// How input text is normalised before it becomes tokens, so that the same visible text gives the same tokens: "é"
/// typed as one code point (U+00E9) and as "e" + U+0301 (as macOS file names and some exports have it) become one.
/// </summary>
public enum TextNormalization
{
    /// <summary>Unicode canonical composition (NFC, <see cref="UnicodeNormalization.ToNfc"/>), what most text already is; the default.</summary>
    Nfc,

    /// <summary>The text as it is.</summary>
    None,
}
