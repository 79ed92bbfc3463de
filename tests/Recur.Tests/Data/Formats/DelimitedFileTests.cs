using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class DelimitedFileTests
{
    [Fact]
    public void Quoted_fields_with_delimiters_quotes_and_newlines_are_parsed()
    {
        using var dir = new TempDir();
        var path = dir.Write("a.csv", "text,label\n\"Hello, world\",pos\n\"She said \"\"no\"\"\nthen left\",neg\nplain,neu\n");
        var file = DelimitedFile.Read(path);
        Assert.Equal(["text", "label"], file.Header!);
        Assert.Equal(3, file.Rows.Count);
        Assert.Equal(["Hello, world", "pos"], file.Rows[0].Fields);
        Assert.Equal("She said \"no\"\nthen left", file.Rows[1].Fields[0]);
        Assert.Equal([2L, 3L, 5L], file.Rows.Select(r => r.Line));
        Assert.Equal(1, file.Column("label"));
        var e = Assert.Throws<DataFormatException>(() => file.Column("missing"));
        Assert.Contains("\"text\", \"label\"", e.Message);
    }

    [Fact]
    public void Ragged_rows_and_empty_lines_are_errors_with_file_and_line()
    {
        using var dir = new TempDir();
        var ragged = dir.Write("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        var e = Assert.Throws<DataFormatException>(() => DelimitedFile.Read(ragged));
        Assert.Equal("ragged.csv:3: expected 3 fields (as in the header), got 2", e.Message);
        var blank = dir.Write("blank.csv", "a,b\n1,2\n\n3,4\n");
        Assert.StartsWith("blank.csv:3: empty line", Assert.Throws<DataFormatException>(() => DelimitedFile.Read(blank)).Message);
        var bad = dir.WriteBytes("bad.csv", [.. "a,b\n1,2\n3,"u8, 0xC0, 0x80, .. "\n"u8]);
        Assert.StartsWith("bad.csv:3: invalid UTF-8", Assert.Throws<DataFormatException>(() => DelimitedFile.Read(bad)).Message);
    }

    [Fact]
    public void Tsv_without_quoting_keeps_bare_quotes_and_reads_gzip()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("s.tsv.gz", "text\tlabel\n\"Great\" movie, 10/10\t1\n");
        var rows = LabelledTextReader.ReadDelimited(path, "text", "label", DelimitedOptions.Tsv);
        Assert.Equal(new LabelledText("\"Great\" movie, 10/10", "1", 2), rows.Single());
    }
}
