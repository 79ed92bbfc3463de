namespace Recur.Data.Formats;

/// <summary>A source text and its translation (or any input/output pair) for an encoder-decoder.</summary>
/// <param name="Source">Input text.</param>
/// <param name="Target">Output text.</param>
/// <param name="Line">Line of the pair in its file.</param>
public sealed record SentencePair(string Source, string Target, long Line);
