using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class TaggedAndPairTests
{
    [Fact]
    public void Slash_tagged_lines_in_the_brown_format()
    {
        using var dir = new TempDir();
        var path = dir.Write("ca01", "\n\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` 1/2/cd ./.\n\n\n\tIt/pps was/bedz ./.\n");
        var sentences = TaggedTextReader.ReadSlashTagged(path);
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["The", "Fulton", "County", "said", "``", "1/2", "."], sentences[0].Words);
        Assert.Equal(["at", "np-tl", "nn-tl", "vbd", "``", "cd", "."], sentences[0].Tags);
        Assert.Equal(3, sentences[0].Line);
        Assert.Equal(6, sentences[1].Line);
        var bad = dir.Write("bad", "a/b c\n");
        Assert.Equal("bad:1: token \"c\" is not word/TAG", Assert.Throws<DataFormatException>(() => TaggedTextReader.ReadSlashTagged(bad)).Message);
    }

    [Fact]
    public void Conllu_sentences_skip_ranges_and_empty_nodes_and_pick_the_tag_column()
    {
        using var dir = new TempDir();
        var path = dir.Write("t.conllu",
            "# sent_id = 1\n# text = Don't go.\n" +
            "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n" +
            "1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n" +
            "2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n" +
            "2.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_\n" +
            "3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_\n" +
            "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n" +
            "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n");
        var s = TaggedTextReader.ReadConllU(path);
        Assert.Equal(2, s.Count);
        Assert.Equal(["Do", "n't", "go", "."], s[0].Words);
        Assert.Equal(["AUX", "PART", "VERB", "PUNCT"], s[0].Tags);
        Assert.Equal(4, s[0].Line);
        Assert.Equal(["VBP", "RB", "VB", "."], TaggedTextReader.ReadConllU(path, ConlluTagColumn.Xpos)[0].Tags);
        Assert.Equal(["Hi"], s[1].Words);
        var bad = dir.Write("bad.conllu", "1\tHi\thi\tINTJ\n");
        Assert.Equal("bad.conllu:1: expected 10 tab-separated columns, got 4", Assert.Throws<DataFormatException>(() => TaggedTextReader.ReadConllU(bad)).Message);
    }

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
