using System.Text.Json.Serialization;

namespace Recur.Data.Formats;

/// <summary>The layouts of tagged corpora that <see cref="TaggedTextReader"/> reads.</summary>
public enum TaggedFormat
{
    /// <summary>One sentence per line of white-space separated <c>word/TAG</c> tokens (the Brown corpus).</summary>
    Slash,

    /// <summary>CoNLL-U (Universal Dependencies): one word per line in 10 tab-separated columns, '#' comments, a blank line after each sentence.</summary>
    [JsonStringEnumMemberName("conllu")]
    ConllU,

    /// <summary>
    /// CoNLL columns: one token per line, the token first and its tag last (a tab or spaces between, as in the
    /// two-column NER and POS files and the four-column CoNLL-2003), a blank line after each sentence.
    /// </summary>
    Conll,
}
