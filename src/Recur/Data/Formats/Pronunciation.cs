namespace Recur.Data.Formats;

/// <summary>A spelling and one of its pronunciations (ARPAbet phonemes; vowels carry a stress digit 0/1/2).</summary>
/// <param name="Word">The spelling, e.g. "AARON".</param>
/// <param name="Phonemes">The phonemes, e.g. EH1 R AH0 N.</param>
/// <param name="Variant">0 for the first pronunciation, n for an entry written WORD(n).</param>
/// <param name="Line">Line in the dictionary file.</param>
public sealed record Pronunciation(string Word, string[] Phonemes, int Variant, long Line);
