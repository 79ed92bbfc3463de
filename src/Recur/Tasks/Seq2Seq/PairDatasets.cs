using System.Text;
using Recur.Data.Formats;

namespace Recur.Tasks.Seq2Seq;

/// <summary>
/// Real pair data sets as <c>source&lt;TAB&gt;target</c> files with a fixed seeded split by source (every pair of a
/// source on the same side, so a word's other pronunciations never leak into its test): the CMU dictionary (spelling to
/// ARPAbet phonemes with stress digits) and the Ding German-English dictionary.
/// </summary>
public static class PairDatasets
{
    /// <summary>The seed of the published splits.</summary>
    public const ulong SplitSeed = 1;

    /// <summary>The test share of the published splits.</summary>
    public const double TestFraction = 0.1;

    /// <summary>The CMU dictionary's pronunciations as pairs: the word, then its phonemes separated by spaces (stress digits kept).</summary>
    public static List<SentencePair> CmuDict(string path) =>
        [.. PronunciationReader.ReadCmuDict(path).Select(p => new SentencePair(p.Word, string.Join(' ', p.Phonemes), p.Line))];

    /// <summary>
    /// Writes <paramref name="pairs"/> as <c>train.tsv</c> and <c>test.tsv</c> in <paramref name="folder"/>: the sources
    /// split <see cref="TestFraction"/> to test with <see cref="SplitSeed"/> (<see cref="Seq2SeqTraining.SplitBySource"/>).
    /// </summary>
    /// <returns>The two files' paths and pair counts.</returns>
    /// <exception cref="ArgumentException">A side holds a tab or a line break (it could not be read back).</exception>
    public static (string Train, int TrainPairs, string Test, int TestPairs) WriteSplit(IReadOnlyList<SentencePair> pairs, string folder)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        foreach (var p in pairs)
            if (p.Source.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || p.Target.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                throw new ArgumentException($"the pair of line {p.Line} holds a tab or a line break", nameof(pairs));
        var (train, test) = Seq2SeqTraining.SplitBySource(pairs, TestFraction, SplitSeed);
        Directory.CreateDirectory(folder);
        string trainPath = Path.Combine(folder, "train.tsv"), testPath = Path.Combine(folder, "test.tsv");
        Write(trainPath, train);
        Write(testPath, test);
        return (trainPath, train.Count, testPath, test.Count);
    }

    private static void Write(string path, IEnumerable<SentencePair> pairs)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var p in pairs) w.WriteLine($"{p.Source}\t{p.Target}");
    }
}
