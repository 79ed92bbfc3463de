using Recur.Data.Files;

namespace Recur.Tests.Data.Files;

public class Utf8ReadingTests
{
    [Fact]
    public void Lines_are_read_without_line_ends_bom_or_gzip_artifacts()
    {
        using var dir = new TempDir();
        var plain = dir.WriteBytes("a.txt", [0xEF, 0xBB, 0xBF, .. "one\r\ntwo\n\nthree"u8]);
        Assert.Equal(["one", "two", "", "three"], Utf8LineReader.ReadLines(plain));
        var gz = dir.WriteGzip("b.txt.gz", "α\nβ\n");
        Assert.Equal(["α", "β"], Utf8LineReader.ReadLines(gz));
        Assert.Equal("α\nβ\n", DataFile.ReadAllText(gz));
    }

    [Fact]
    public void A_file_that_is_only_a_byte_order_mark_is_empty_for_both_readers()
    {
        using var dir = new TempDir();
        var bomOnly = dir.WriteBytes("bom.txt", [0xEF, 0xBB, 0xBF]);
        Assert.Empty(Utf8LineReader.ReadLines(bomOnly));
        Assert.Empty(CodePointReader.ReadAll(bomOnly));
        var empty = dir.WriteBytes("empty.txt", []);
        Assert.Empty(Utf8LineReader.ReadLines(empty));
        // A mark inside the text is a character (U+FEFF), not skipped.
        var inner = dir.WriteBytes("inner.txt", [.. "a\n"u8, 0xEF, 0xBB, 0xBF, .. "b"u8]);
        Assert.Equal(["a", "\uFEFFb"], Utf8LineReader.ReadLines(inner));
    }

    [Fact]
    public void Long_lines_grow_the_buffer()
    {
        using var dir = new TempDir();
        string longLine = new('x', 300_000);
        var path = dir.Write("long.txt", "a\n" + longLine + "\nb");
        Assert.Equal(["a", longLine, "b"], Utf8LineReader.ReadLines(path));
    }

    [Fact]
    public void Invalid_utf8_names_the_file_line_and_byte()
    {
        using var dir = new TempDir();
        var path = dir.WriteBytes("bad.txt", [.. "ok\nfine\nab"u8, 0xFF, .. "c\n"u8]);
        var e = Assert.Throws<DataFormatException>(() => Utf8LineReader.ReadLines(path).ToList());
        Assert.Equal(3, e.Line);
        Assert.StartsWith("bad.txt:3: invalid UTF-8 at byte 3", e.Message);

        var cp = Assert.Throws<DataFormatException>(() => CodePointReader.ReadAll(path).ToList());
        Assert.Equal(3, cp.Line);
        Assert.StartsWith("bad.txt:3:", cp.Message);

        var truncated = dir.WriteBytes("cut.txt", [.. "é"u8, 0xC3]);
        Assert.Contains("ends inside a UTF-8 sequence", Assert.Throws<DataFormatException>(() => CodePointReader.ReadAll(truncated).ToList()).Message);
    }

    [Fact]
    public void Code_points_include_line_ends_and_astral_characters()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("c.txt.gz", "a😀\nb");
        Assert.Equal([(int)'a', 0x1F600, '\n', 'b'], CodePointReader.ReadAll(path));
    }

    [Fact]
    public void Code_points_split_across_buffer_boundaries_decode_correctly()
    {
        using var dir = new TempDir();
        // 65535 ASCII bytes then a 4-byte character straddling the 64 KB read boundary.
        string text = new string('a', 65535) + "😀" + "é\n";
        var path = dir.Write("edge.txt", text);
        var cps = CodePointReader.ReadAll(path).ToArray();
        Assert.Equal(text.EnumerateRunes().Select(r => r.Value), cps);
    }
}
