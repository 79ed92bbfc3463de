using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class TaggedTextReaderTests
{
    private const string Conllu =
        "# sent_id = 1\n# text = Don't go.\n" +
        "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n" +
        "1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n" +
        "2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n" +
        "2.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_\n" +
        "3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_\n" +
        "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n" +
        "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n";

    private const string Conll2003 =
        "-DOCSTART- -X- -X- O\n\n" +
        "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\n" +
        "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n";

    [Fact]
    public void Slash_tagged_lines_in_the_brown_format()
    {
        using var dir = new TempDir();
        var path = dir.Write("ca01", "\n\n\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` 1/2/cd ./.\n\n\n\tIt/pps was/bedz ./.\n");
        var sentences = TaggedTextReader.Read(path, TaggedFormat.Slash).ToList();
        Assert.Equal(2, sentences.Count);
        Assert.Equal(["The", "Fulton", "County", "said", "``", "1/2", "."], sentences[0].Words);
        Assert.Equal(["at", "np-tl", "nn-tl", "vbd", "``", "cd", "."], sentences[0].Tags);
        Assert.Equal(3, sentences[0].Line);
        Assert.Equal(6, sentences[1].Line);
        Assert.Equal(["AT", "NP-TL"], TaggedTextReader.ReadSlashTagged(path, lowercaseTags: false)[0].Tags.Take(2).Select(t => t.ToUpperInvariant()));
        Assert.Equal(["pps", "bedz", "."], TaggedTextReader.ReadSlashTagged(dir.Write("upper", "It/PPS was/BEDZ ./.\n"), lowercaseTags: true)[0].Tags);
    }

    [Theory]
    [InlineData("a/b c\n", "bad.txt:1:5: token \"c\" is not word/TAG")]
    [InlineData("ok/A\n\n\tThe/at jury/ no/x\n", "bad.txt:3:9: token \"jury/\" is not word/TAG")]
    [InlineData("a/b /x\n", "bad.txt:1:5: token \"/x\" is not word/TAG")]
    public void Slash_errors_point_at_the_token(string content, string message)
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.txt", content);
        var e = Assert.Throws<DataFormatException>(() => TaggedTextReader.Read(path, TaggedFormat.Slash).ToList());
        Assert.Equal(message, e.Message);
        Assert.True(e.Column > 0);
    }

    [Fact]
    public void Conllu_sentences_skip_ranges_and_empty_nodes_and_pick_the_tag_column()
    {
        using var dir = new TempDir();
        var path = dir.WriteBytes("t.conllu", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Conllu.Replace("\n", "\r\n"))]);
        var s = TaggedTextReader.Read(path, TaggedFormat.ConllU).ToList();
        Assert.Equal(2, s.Count);
        Assert.Equal(["Do", "n't", "go", "."], s[0].Words);
        Assert.Equal(["AUX", "PART", "VERB", "PUNCT"], s[0].Tags);
        Assert.Equal(4, s[0].Line);
        Assert.Equal(10, s[1].Line);
        Assert.Equal(["VBP", "RB", "VB", "."], TaggedTextReader.Read(path, TaggedFormat.ConllU, ConlluTagColumn.Xpos).First().Tags);
        Assert.Equal(["aux", "advmod", "root", "punct"], TaggedTextReader.ReadConllU(path, ConlluTagColumn.Deprel)[0].Tags);
        Assert.Equal(["Hi"], s[1].Words);
    }

    [Fact]
    public void Conllu_errors_name_the_line_and_column()
    {
        using var dir = new TempDir();
        var columns = dir.Write("bad.conllu", "1\tHi\thi\tINTJ\n");
        Assert.Equal("bad.conllu:1: expected 10 tab-separated columns, got 4", Assert.Throws<DataFormatException>(() => TaggedTextReader.ReadConllU(columns)).Message);
        var noXpos = dir.Write("x.conllu", "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_\n");
        Assert.Equal("x.conllu:1:14: the XPOS column is \"_\" (not annotated); is the tag in another column?",
            Assert.Throws<DataFormatException>(() => TaggedTextReader.ReadConllU(noXpos, ConlluTagColumn.Xpos)).Message);
        var id = dir.Write("id.conllu", "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\nx\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\t_\n");
        Assert.StartsWith("id.conllu:2:1: ID \"x\" is not a word index", Assert.Throws<DataFormatException>(() => TaggedTextReader.ReadConllU(id)).Message);
    }

    [Fact]
    public void Conll_takes_the_first_and_last_fields_and_skips_docstart()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("train.txt.gz", Conll2003);
        var s = TaggedTextReader.Read(path, TaggedFormat.Conll).ToList();
        Assert.Equal(2, s.Count);
        Assert.Equal(["EU", "rejects", "German"], s[0].Words);
        Assert.Equal(["B-ORG", "O", "B-MISC"], s[0].Tags);
        Assert.Equal(3, s[0].Line);
        Assert.Equal(["Peter", "Blackburn"], s[1].Words);
        Assert.Equal(["B-PER", "I-PER"], s[1].Tags);
        Assert.Equal(7, s[1].Line);
    }

    [Fact]
    public void Conll_two_columns_by_tab_or_spaces_with_blank_lines_anywhere()
    {
        using var dir = new TempDir();
        // Tab-separated lines keep spaces inside the token; spaces and trailing white space also separate.
        var path = dir.Write("pos.tsv", "\n\nNew York\tNNP\n  is   VBZ  \n\n\n\nbig\tJJ\t\n");
        var s = TaggedTextReader.Read(path, TaggedFormat.Conll).ToList();
        Assert.Equal(2, s.Count);
        Assert.Equal(["New York", "is"], s[0].Words);
        Assert.Equal(["NNP", "VBZ"], s[0].Tags);
        Assert.Equal(["big"], s[1].Words);
        Assert.Equal(["JJ"], s[1].Tags);
        Assert.Equal(8, s[1].Line);
        var bad = dir.Write("bad.txt", "a\tB\n   lonely\n");
        Assert.Equal("bad.txt:2:4: expected a token and its tag separated by a tab or spaces, got \"lonely\"", Assert.Throws<DataFormatException>(() => TaggedTextReader.Read(bad, TaggedFormat.Conll).ToList()).Message);
    }

    [Theory]
    [InlineData("t.conllu", Conllu, TaggedFormat.ConllU)]
    [InlineData("t.txt", Conll2003, TaggedFormat.Conll)]
    [InlineData("t.txt", "word\tTAG\n1/2\tCD\nand/or\tCC\n", TaggedFormat.Conll)]
    [InlineData("t.txt", "The/at 1/2/cd ./.\nIt/pps\n", TaggedFormat.Slash)]
    [InlineData("t.conll", "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n", TaggedFormat.ConllU)] // CoNLL-X has the same columns
    public void The_layout_is_detected_from_the_first_lines(string name, string content, TaggedFormat expected)
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip(name + ".gz", content);
        Assert.Equal(expected, TaggedTextReader.DetectFormat(path));
        Assert.Equal(TaggedTextReader.Read(path, expected).ToList().Count, TaggedTextReader.Read(path).ToList().Count);
    }

    [Fact]
    public void Detection_of_an_empty_or_unclear_file()
    {
        using var dir = new TempDir();
        var empty = dir.Write("e.txt", "\n# only a comment\n\n");
        Assert.Null(TaggedTextReader.DetectFormat(empty));
        Assert.Empty(TaggedTextReader.Read(empty));
        // Lines of several fields, but not word/TAG tokens nor a constant number of fields as CoNLL columns have.
        var prose = dir.Write("p.txt", "\nJust some prose.\nAnd more of it/that.\n");
        var e = Assert.Throws<DataFormatException>(() => TaggedTextReader.Read(prose).ToList());
        Assert.StartsWith("p.txt:2: cannot tell the layout", e.Message);
    }

    [Fact]
    public void Sentences_stream_so_a_bad_line_later_is_not_read_early()
    {
        using var dir = new TempDir();
        var path = dir.Write("s.txt", "a/A b/B\nc/C\nbroken\n");
        var first = TaggedTextReader.Read(path, TaggedFormat.Slash).Take(2).ToList();
        Assert.Equal(["a", "b"], first[0].Words);
        Assert.Throws<DataFormatException>(() => TaggedTextReader.Read(path, TaggedFormat.Slash).ToList());
    }

    [Fact]
    public void Normalize_makes_decomposed_and_precomposed_words_equal()
    {
        using var dir = new TempDir();
        var path = dir.Write("n.txt", "Cafe\u0301/NN caf\u00E9/NN\n");
        Assert.NotEqual(TaggedTextReader.Read(path).Single().Words[0].ToLowerInvariant(), TaggedTextReader.Read(path).Single().Words[1]);
        var words = TaggedTextReader.Read(path, normalize: true).Single().Words;
        Assert.Equal(["Caf\u00E9", "caf\u00E9"], words);
    }
}
