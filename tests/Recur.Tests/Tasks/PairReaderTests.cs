using Recur.Data.Files;
using Recur.Tasks.Seq2Seq;
using Recur.Tests.Data;

namespace Recur.Tests.Tasks;

public class PairReaderTests
{
    [Fact]
    public void Plain_pairs_ignore_fields_after_the_target_and_keep_lines()
    {
        using var dir = new TempDir();
        var (pairs, columns) = PairReader.Read(dir.Write("p.tsv", "Hallo\tHello\tCC-BY 2.0 (France) Attribution: tatoeba.org\r\nTschüss\tBye\n"));
        Assert.Null(columns);
        Assert.Equal([("Hallo", "Hello", 1L), ("Tschüss", "Bye", 2L)], pairs.Select(p => (p.Source, p.Target, p.Line)));
    }

    [Fact]
    public void Csv_with_named_columns_and_quoted_fields()
    {
        using var dir = new TempDir();
        string path = dir.Write("p.csv", "id,de,en\n1,\"Guten Tag, Welt\",\"Good day, world\"\n2,Ja,Yes\n");
        var (pairs, columns) = PairReader.Read(path, sourceColumn: "de", targetColumn: "en");
        Assert.Equal(new PairColumns("de", "en"), columns);
        Assert.Equal(("Guten Tag, Welt", "Good day, world"), (pairs[0].Source, pairs[0].Target));
        var e = Assert.Throws<DataFormatException>(() => PairReader.Read(path, sourceColumn: "fr", targetColumn: "en"));
        Assert.Contains("no column \"fr\"; the columns are \"id\", \"de\", \"en\"", e.Message);
    }

    [Fact]
    public void Sources_to_translate_stream_from_lines_or_pairs()
    {
        using var dir = new TempDir();
        var sources = PairReader.ReadSources(dir.Write("s.txt", "eins\nzwei\tTWO\n")).ToList();
        Assert.Equal([("eins", 1L), ("zwei", 2L)], sources);
        var e = Assert.Throws<DataFormatException>(() => PairReader.ReadSources(dir.Write("e.txt", "eins\n   \n")).ToList());
        Assert.Contains("e.txt:2:", e.Message);
    }

    [Fact]
    public void Characters_and_words_as_tokens()
    {
        var p = new PairPreprocessing(TokenUnitOf("char"), TokenUnitOf("word"));
        Assert.Equal(["a", "b", " ", "c"], p.Source("ab c"));
        Assert.Equal(["AH0", "B"], p.Target("  AH0   B "));
        Assert.Equal("AH0 B", p.CanonicalTarget("AH0  B"));
    }

    private static Recur.Tasks.TokenUnit TokenUnitOf(string name) => name == "char" ? Recur.Tasks.TokenUnit.Char : Recur.Tasks.TokenUnit.Word;
}
