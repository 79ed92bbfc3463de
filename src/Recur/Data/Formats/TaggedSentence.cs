namespace Recur.Data.Formats;

/// <summary>A sentence of words with one tag per word (part of speech, entity, ...).</summary>
/// <param name="Words">The words.</param>
/// <param name="Tags">The tags, as many as words.</param>
/// <param name="Line">Line where the sentence starts in its file.</param>
public sealed record TaggedSentence(string[] Words, string[] Tags, long Line);
