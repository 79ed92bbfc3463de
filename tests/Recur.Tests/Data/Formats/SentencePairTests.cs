using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class SentencePairTests
{
    [Fact]
    public void Tab_separated_pairs()
    {
        using var dir = new TempDir();
        var path = dir.Write("p.tsv", "Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\tCC-BY 2.0\n");
        Assert.Equal([new SentencePair("Go.", "Va !", 1), new SentencePair("Hi.", "Salut !", 2)], SentencePairReader.ReadTsv(path));
        Assert.Throws<DataFormatException>(() => SentencePairReader.ReadTsv(path, allowExtraColumns: false));
        var bad = dir.Write("b.tsv", "Go.\tVa !\nno tab here\n");
        Assert.Equal("b.tsv:2: expected source<TAB>target, found no tab", Assert.Throws<DataFormatException>(() => SentencePairReader.ReadTsv(bad)).Message);
    }

    [Fact]
    public void Ding_lines_split_into_aligned_parts()
    {
        using var dir = new TempDir();
        var path = dir.Write("de-en",
            "# Version :: 1.9\n" +
            "Abbiegung {f}; Abzweigung {f} | Abbiegungen {pl} :: turn; turnoff | turns\n" +
            "Haus {n} :: house\n");
        var pairs = SentencePairReader.ReadDing(path);
        Assert.Equal([
            new SentencePair("Abbiegung {f}; Abzweigung {f}", "turn; turnoff", 2),
            new SentencePair("Abbiegungen {pl}", "turns", 2),
            new SentencePair("Haus {n}", "house", 3)], pairs);
        Assert.Equal("house", SentencePairReader.ReadDing(path, englishToGerman: true)[2].Source);
        var bad = dir.Write("bad", "a | b :: c\n");
        Assert.Equal("bad:1: 2 German parts but 1 English parts (separated by \" | \")", Assert.Throws<DataFormatException>(() => SentencePairReader.ReadDing(bad)).Message);
    }

    [Fact]
    public void Cmu_dictionary_lines_with_variants_and_comments()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("d.txt.gz", ";;; comment\nAARON  EH1 R AH0 N\nAARON(1)  AA1 R AH0 N\n");
        var entries = PronunciationReader.ReadCmuDict(path);
        Assert.Equal(2, entries.Count);
        Assert.Equal(("AARON", 0), (entries[0].Word, entries[0].Variant));
        Assert.Equal(["EH1", "R", "AH0", "N"], entries[0].Phonemes);
        Assert.Equal(("AARON", 1, 3L), (entries[1].Word, entries[1].Variant, entries[1].Line));
        var bad = dir.Write("bad.txt", "WORD\n");
        Assert.Equal("bad.txt:1: \"WORD\" has no phonemes", Assert.Throws<DataFormatException>(() => PronunciationReader.ReadCmuDict(bad)).Message);
    }
}
