using Recur.Data.Files;
using System.Globalization;

namespace Recur.Data.Formats;

/// <summary>Reads the CMU Pronouncing Dictionary (spelling to phonemes, a sequence-to-sequence task).</summary>
public static class PronunciationReader
{
    /// <summary>
    /// Lines <c>WORD  PH1 PH2 ...</c> (gzip transparent); alternative pronunciations are written <c>WORD(1)</c>,
    /// <c>WORD(2)</c>. Lines starting with ";;;" are comments, as the format defines. A line without phonemes or
    /// with a malformed variant number is an error with file and line.
    /// </summary>
    public static List<Pronunciation> ReadCmuDict(string path)
    {
        var result = new List<Pronunciation>();
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var span))
        {
            if (span.StartsWith(";;;")) continue;
            var parts = span.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw reader.Error(parts.Length == 0 ? "empty line" : $"\"{parts[0]}\" has no phonemes");
            string word = parts[0];
            int variant = 0;
            if (word.EndsWith(')') && word.LastIndexOf('(') is int open and > 0)
            {
                if (!int.TryParse(word.AsSpan(open + 1, word.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out variant))
                    throw reader.Error($"\"{word}\": malformed variant number");
                word = word[..open];
            }
            result.Add(new Pronunciation(word, parts[1..], variant, reader.LineNumber));
        }
        return result;
    }
}
