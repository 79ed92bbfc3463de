namespace Recur.Data.Formats;

/// <summary>Which CoNLL-U column supplies the tag.</summary>
public enum ConlluTagColumn
{
    /// <summary>Column 4, universal part-of-speech tag.</summary>
    Upos = 3,

    /// <summary>Column 5, language-specific part-of-speech tag.</summary>
    Xpos = 4,

    /// <summary>Column 8, dependency relation.</summary>
    Deprel = 7,
}
