using Recur.Data.Bundled;
using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class RecordFileTests
{
    private static string?[][] Values(RecordFile file) => file.Read().Select(r => Enumerable.Range(0, r.Count).Select(i => r[i]).ToArray()).ToArray();

    private static long[] Lines(RecordFile file) => file.Read().Select(r => r.Line).ToArray();

    [Fact]
    public void Csv_quoted_fields_hold_delimiters_doubled_quotes_and_line_breaks()
    {
        using var dir = new TempDir();
        var path = dir.Write("a.csv", "text,label\n\"Hello, world\",pos\n\"She said \"\"no\"\"\nthen left\",neg\n\"\",neu\nplain,\"\"\"q\"\"\"\n");
        var file = RecordFile.Open(path);
        Assert.Equal(RecordFormat.Csv, file.Format);
        Assert.Equal(["text", "label"], file.Columns);
        Assert.True(file.HasRecords);
        Assert.Equal([["Hello, world", "pos"], ["She said \"no\"\nthen left", "neg"], ["", "neu"], ["plain", "\"q\""]], Values(file));
        Assert.Equal([2L, 3L, 5L, 6L], Lines(file));
    }

    [Fact]
    public void Bom_crlf_and_gzip_read_the_same_as_plain_lf()
    {
        using var dir = new TempDir();
        const string text = "text,label\n\"two\nlines\",1\nb,0\n";
        var plain = dir.Write("plain.csv", text);
        var bomCrlf = dir.WriteBytes("bom.csv", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n"))]);
        var gzip = dir.WriteGzip("g.csv.gz", "\uFEFF" + text.Replace("\n", "\r\n"));
        var expected = Values(RecordFile.Open(plain));
        Assert.Equal([["two\nlines", "1"], ["b", "0"]], expected);
        foreach (var path in new[] { bomCrlf, gzip })
        {
            var file = RecordFile.Open(path);
            Assert.Equal(RecordFormat.Csv, file.Format);
            Assert.Equal(["text", "label"], file.Columns);
            Assert.Equal(expected, Values(file));
            Assert.Equal([2L, 4L], Lines(file));
        }
    }

    [Fact]
    public void Bare_quotes_are_text_in_csv_and_tsv()
    {
        using var dir = new TempDir();
        // A quote inside a field, a quoted word opening a field, and an opening quote that never closes.
        var tsv = dir.Write("b.tsv", "text\tlabel\n5\" screen, \"meh\"\t0\n\"Great\" movie\t1\n\" I love it.\t1\nok\t0\n");
        Assert.Equal([["5\" screen, \"meh\"", "0"], ["\"Great\" movie", "1"], ["\" I love it.", "1"], ["ok", "0"]], Values(RecordFile.Open(tsv)));
        var csv = dir.Write("b.csv", "text,label\n5\" screen,0\n\"Great\" movie,1\n\" I love it.,1\nok,0\n");
        Assert.Equal([["5\" screen", "0"], ["\"Great\" movie", "1"], ["\" I love it.", "1"], ["ok", "0"]], Values(RecordFile.Open(csv)));
        Assert.Equal([2L, 3L, 4L, 5L], Lines(RecordFile.Open(csv)));
    }

    [Fact]
    public void A_quoted_line_break_wins_over_a_literal_reading_that_only_fits_by_chance()
    {
        using var dir = new TempDir();
        // Read literally, line 2 has three fields ("1", "\"Hello", " world") like the header.
        var path = dir.Write("m.csv", "id,text,label\n1,\"Hello, world\nsecond line\",pos\n2,plain,neg\n");
        Assert.Equal([["1", "Hello, world\nsecond line", "pos"], ["2", "plain", "neg"]], Values(RecordFile.Open(path)));
        Assert.Equal([2L, 4L], Lines(RecordFile.Open(path)));
    }

    [Fact]
    public void Lines_looked_at_for_a_quote_that_was_text_are_read_again_as_records()
    {
        using var dir = new TempDir();
        // Line 2's quote is never closed properly: the quoted reading looks at lines 3-4 and gives up at "x.
        var path = dir.Write("t.tsv", "text\tlabel\n\" opening quote\t1\nplain\t0\nsaid \"x\"\t1\nlast\t0\n");
        var file = RecordFile.Open(path);
        Assert.Equal([["\" opening quote", "1"], ["plain", "0"], ["said \"x\"", "1"], ["last", "0"]], Values(file));
        Assert.Equal([2L, 3L, 4L, 5L], Lines(file));
    }

    [Fact]
    public void A_quoted_reading_looks_ahead_only_so_far_when_the_literal_one_fits()
    {
        using var dir = new TempDir();
        int filler = DelimitedRecordParser.LookaheadLines;
        // The quote would close properly after `filler` + 1 lines, too far to take it for a line break.
        var text = "text\tlabel\n\"open\t1\n" + string.Concat(Enumerable.Repeat("x\t0\n", filler)) + "end\"\t1\n";
        var records = Values(RecordFile.Open(dir.Write("far.tsv", text)));
        Assert.Equal(filler + 2, records.Length);
        Assert.Equal(new string?[] { "\"open", "1" }, records[0]);
        Assert.Equal(new string?[] { "end\"", "1" }, records[^1]);
        // Nearer, the same quote closes a field with line breaks.
        var near = "text\tlabel\n\"open\t1\n" + string.Concat(Enumerable.Repeat("x\t0\n", 3)) + "end\"\t1\n";
        Assert.Equal([["open\t1\nx\t0\nx\t0\nx\t0\nend", "1"]], Values(RecordFile.Open(dir.Write("near.tsv", near))));
    }

    [Fact]
    public void Pandas_quoted_tsv_fields_hold_tabs_quotes_and_line_breaks()
    {
        using var dir = new TempDir();
        // As pandas' to_csv(sep="\t") writes: fields with a tab, a newline or a quote are quoted, quotes doubled.
        var path = dir.Write("p.tsv", "text\tlabel\n\"a\tb\"\t1\n\"first\nsecond\"\t0\n\"say \"\"hi\"\"\"\t1\n\"x\ty\tz\nmore\"\t0\n");
        var file = RecordFile.Open(path);
        Assert.Equal(RecordFormat.Tsv, file.Format);
        Assert.Equal([["a\tb", "1"], ["first\nsecond", "0"], ["say \"hi\"", "1"], ["x\ty\tz\nmore", "0"]], Values(file));
        Assert.Equal([2L, 3L, 5L, 6L], Lines(file));
    }

    [Fact]
    public void Bundled_sentiment_tsv_reads_as_3000_records_equal_to_a_literal_split()
    {
        var data = BundledData.Locate();
        var file = RecordFile.Open(data.SentimentSentences);
        Assert.Equal(RecordFormat.Tsv, file.Format);
        Assert.Equal(["text", "label", "source"], file.Columns);
        var records = Values(file);
        Assert.Equal(3000, records.Length);
        // The file has no quoting, only quotes as text (some lines open with one): the fields are the tab-split lines.
        var literal = File.ReadAllLines(data.SentimentSentences).Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(literal, records);
        Assert.Contains(records, r => r[0]!.StartsWith('"'));
    }

    [Fact]
    public void Json_lines_give_scalars_as_text_and_missing_keys_as_null()
    {
        using var dir = new TempDir();
        var path = dir.Write("d.jsonl",
            "{\"text\":\"Good \\\"x\\\"\",\"label\":1,\"ok\":true,\"score\":2.50}\n" +
            "\n" +
            "{\"label\":\"neg\",\"text\":\"Bad\",\"extra\":[1,2]}\n" +
            "{\"text\":null,\"label\":0,\"ok\":false}\n");
        var file = RecordFile.Open(path);
        Assert.Equal(RecordFormat.JsonLines, file.Format);
        Assert.Equal(["text", "label", "ok", "score"], file.Columns);
        Assert.Equal([["Good \"x\"", "1", "true", "2.50"], ["Bad", "neg", null, null], [null, "0", "false", null]], Values(file));
        Assert.Equal([1L, 3L, 4L], Lines(file));
    }

    [Fact]
    public void Json_nested_values_are_errors_naming_line_and_key_when_read()
    {
        using var dir = new TempDir();
        var path = dir.Write("n.jsonl", "{\"text\":\"a\",\"meta\":{\"x\":1}}\n{\"text\":\"b\",\"meta\":[1]}\n");
        var file = RecordFile.Open(path);
        var records = file.Read().ToList();
        Assert.Equal(["a", "b"], records.Select(r => r[0]));
        Assert.True(records[0].IsNested(1));
        Assert.False(records[0].IsNested(0));
        Assert.Equal("n.jsonl:1: \"meta\" is an object, expected a string, number, boolean or null", Assert.Throws<DataFormatException>(() => records[0][1]).Message);
        Assert.Equal("n.jsonl:2: \"meta\" is an array, expected a string, number, boolean or null", Assert.Throws<DataFormatException>(() => records[1][1]).Message);
    }

    [Fact]
    public void Json_arrays_and_pretty_printed_objects_read_as_records()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("a.json.gz", "[\n  {\n    \"text\": \"one\",\n    \"label\": 1\n  },\n  {\"text\": \"two\", \"label\": 0}\n]\n");
        var file = RecordFile.Open(path);
        Assert.Equal(["text", "label"], file.Columns);
        Assert.Equal([["one", "1"], ["two", "0"]], Values(file));
        Assert.Equal([2L, 6L], Lines(file));
    }

    [Fact]
    public void Invalid_json_names_the_file_and_line()
    {
        using var dir = new TempDir();
        var bad = dir.Write("b.jsonl", "{\"text\":\"a\"}\n{\"text\": \"b\" \"label\": 1}\n");
        Assert.StartsWith("b.jsonl:2: invalid JSON", Assert.Throws<DataFormatException>(() => RecordFile.Open(bad).Read().ToList()).Message);
        var cut = dir.Write("c.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\",\n");
        Assert.Equal("c.jsonl:2: the file ends inside this JSON object", Assert.Throws<DataFormatException>(() => RecordFile.Open(cut).Read().ToList()).Message);
        var scalar = dir.Write("s.jsonl", "{\"text\":\"a\"}\n\"just text\"\n");
        Assert.Equal("s.jsonl:2: expected a JSON object ('{'), got '\"'", Assert.Throws<DataFormatException>(() => RecordFile.Open(scalar).Read().ToList()).Message);
        var unclosed = dir.Write("u.json", "[{\"text\":\"a\"},\n{\"text\":\"b\"}\n");
        Assert.Equal("u.json:3: the file ends inside the top-level array (no closing ']')", Assert.Throws<DataFormatException>(() => RecordFile.Open(unclosed).Read().ToList()).Message);
    }

    [Fact]
    public void Large_json_objects_grow_the_buffer()
    {
        using var dir = new TempDir();
        string big = new('x', 200_000);
        var path = dir.Write("big.jsonl", $"{{\"text\":\"a\"}}\n{{\"text\":\"{big}\"}}\n{{\"text\":\"c\"}}\n");
        Assert.Equal([["a"], [big], ["c"]], Values(RecordFile.Open(path)));
    }

    [Fact]
    public void Ragged_rows_are_errors_with_file_line_and_counts()
    {
        using var dir = new TempDir();
        var path = dir.Write("r.csv", "a,b,c\n1,2,3\n\"x\ny\",5\n");
        var file = RecordFile.Open(path);
        var e = Assert.Throws<DataFormatException>(() => file.Read().ToList());
        Assert.Equal("r.csv:3: expected 3 fields (as in the header), got 2", e.Message);
        Assert.Equal(3, e.Line);
        var tsv = dir.Write("r.tsv", "a\tb\n1\t2\t3\n");
        Assert.Equal("r.tsv:2: expected 2 fields (as in the header), got 3", Assert.Throws<DataFormatException>(() => RecordFile.Open(tsv).Read().ToList()).Message);
    }

    [Fact]
    public void A_quoted_field_that_never_closes_or_closes_badly_names_its_place()
    {
        using var dir = new TempDir();
        var open = dir.Write("o.csv", "a,b,c\n1,\"x\n2,3\n");
        Assert.Equal("o.csv:2:3: the quoted field opened here is not closed by the end of the file", Assert.Throws<DataFormatException>(() => RecordFile.Open(open).Read().ToList()).Message);
        var bad = dir.Write("q.csv", "a,b,c\n1,\"x\ny\" z,3\n");
        Assert.Equal("q.csv:3:2: the quoted field opened at line 2 column 3 has a quote followed by other text (a quote inside a quoted field is written \"\")",
            Assert.Throws<DataFormatException>(() => RecordFile.Open(bad).Read().ToList()).Message);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_records_keep_their_lines()
    {
        using var dir = new TempDir();
        var path = dir.Write("b.csv", "\n  \ntext,label\n\na,1\n   \nb,2\n\n\n");
        var file = RecordFile.Open(path);
        Assert.Equal(["text", "label"], file.Columns);
        Assert.Equal([["a", "1"], ["b", "2"]], Values(file));
        Assert.Equal([5L, 7L], Lines(file));
        // A line of tabs in a TSV is a record of empty fields, not a blank line.
        var tabs = dir.Write("t.tsv", "a\tb\n\t\n");
        Assert.Equal([["", ""]], Values(RecordFile.Open(tabs)));
    }

    [Fact]
    public void Empty_and_header_only_files_open_with_no_records()
    {
        using var dir = new TempDir();
        var empty = RecordFile.Open(dir.Write("e.csv", ""));
        Assert.Empty(empty.Columns);
        Assert.False(empty.HasRecords);
        Assert.Empty(empty.Read());
        Assert.Equal("e.csv: no column \"text\": the file is empty", Assert.Throws<DataFormatException>(() => empty.Column("text")).Message);
        var headerOnly = RecordFile.Open(dir.WriteBytes("h.tsv", [0xEF, 0xBB, 0xBF, .. "text\tlabel\r\n\r\n"u8]));
        Assert.Equal(["text", "label"], headerOnly.Columns);
        Assert.False(headerOnly.HasRecords);
        Assert.Empty(headerOnly.Read());
        var emptyJson = RecordFile.Open(dir.Write("e.jsonl", "\n\n"));
        Assert.Empty(emptyJson.Columns);
        Assert.False(emptyJson.HasRecords);
    }

    [Fact]
    public void Columns_are_found_exactly_then_ignoring_case_and_spaces()
    {
        using var dir = new TempDir();
        var file = RecordFile.Open(dir.Write("c.csv", "ID,Review Text , label,LABEL\n1,a,b,c\n"));
        Assert.Equal(0, file.Column("ID"));
        Assert.Equal(0, file.Column("id"));
        Assert.Equal(1, file.Column("review text"));
        Assert.Equal(3, file.Column("LABEL"));
        var ambiguous = Assert.Throws<DataFormatException>(() => file.Column("Label"));
        Assert.Equal("c.csv:1: column \"Label\" is ambiguous: \" label\", \"LABEL\" differ only in case or spaces", ambiguous.Message);
        var unknown = Assert.Throws<DataFormatException>(() => file.Column("text"));
        Assert.Equal("c.csv:1: no column \"text\"; the columns are \"ID\", \"Review Text \", \" label\", \"LABEL\"", unknown.Message);
        Assert.False(file.TryColumn("text", out _));
    }

    [Theory]
    [InlineData("x.csv", "a\tb\n1\t2\n", RecordFormat.Csv)]
    [InlineData("x.CSV.gz", "a\tb\n1\t2\n", RecordFormat.Csv)]
    [InlineData("x.tsv", "a,b\n1,2\n", RecordFormat.Tsv)]
    [InlineData("x.tab", "a,b\n", RecordFormat.Tsv)]
    [InlineData("x.jsonl", "a,b\n", RecordFormat.JsonLines)]
    [InlineData("x.ndjson", "a,b\n", RecordFormat.JsonLines)]
    [InlineData("x.json", "a,b\n", RecordFormat.JsonLines)]
    [InlineData("x.txt", "\n  {\"a\":1}\n", RecordFormat.JsonLines)]
    [InlineData("x.txt", "[{\"a\":1}]", RecordFormat.JsonLines)]
    [InlineData("x.txt", "text\tlabel\n", RecordFormat.Tsv)]
    [InlineData("x.txt", "text, with commas\tlabel\n", RecordFormat.Tsv)]
    [InlineData("x.txt", "a,b,c\tlabel\n", RecordFormat.Csv)]
    [InlineData("x.txt", "\ttext\n", RecordFormat.Tsv)]
    [InlineData("x.dat", "text,label\n", RecordFormat.Csv)]
    [InlineData("x", "review\n", RecordFormat.Csv)]
    [InlineData("x", "", RecordFormat.Csv)]
    public void Format_is_detected_by_extension_then_content(string name, string content, RecordFormat expected)
    {
        using var dir = new TempDir();
        var path = name.EndsWith(".gz", StringComparison.Ordinal) ? dir.WriteGzip(name, content) : dir.Write(name, content);
        Assert.Equal(expected, RecordFile.DetectFormat(path));
    }

    [Fact]
    public void Sniffed_gzip_without_extension_is_read()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("upload.gz", "text\tlabel\nhi\t1\n");
        var file = RecordFile.Open(path);
        Assert.Equal(RecordFormat.Tsv, file.Format);
        Assert.Equal([["hi", "1"]], Values(file));
    }

    [Fact]
    public void A_given_format_overrides_the_extension()
    {
        using var dir = new TempDir();
        var path = dir.Write("data.csv", "a\tb\n1\t2\n");
        Assert.Equal([["1", "2"]], Values(RecordFile.Open(path, RecordFormat.Tsv)));
        Assert.Equal([["1\t2"]], Values(RecordFile.Open(path)));
    }

    [Fact]
    public void Normalize_maps_decomposed_and_precomposed_text_to_the_same_values()
    {
        using var dir = new TempDir();
        var path = dir.Write("n.csv", "Cafe\u0301,label\nCafe\u0301,\u00C5\nCaf\u00E9,A\u030A\n");
        var raw = RecordFile.Open(path);
        Assert.Equal("Cafe\u0301", raw.Columns[0]);
        Assert.NotEqual(Values(raw)[0], Values(raw)[1]);
        var normalized = RecordFile.Open(path, normalize: true);
        Assert.Equal("Caf\u00E9", normalized.Columns[0]);
        Assert.Equal([["Caf\u00E9", "\u00C5"], ["Caf\u00E9", "\u00C5"]], Values(normalized));
        var json = dir.Write("n.jsonl", "{\"te\u0301xt\":\"Cafe\u0301\"}\n{\"t\u00E9xt\":\"Caf\u00E9\"}\n");
        Assert.Equal([["Caf\u00E9"], ["Caf\u00E9"]], Values(RecordFile.Open(json, normalize: true)));
    }

    [Fact]
    public void Invalid_utf8_names_the_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.WriteBytes("bad.csv", [.. "a,b\n1,2\n3,"u8, 0xC0, 0x80, .. "\n"u8]);
        Assert.StartsWith("bad.csv:3: invalid UTF-8", Assert.Throws<DataFormatException>(() => RecordFile.Open(path).Read().ToList()).Message);
    }
}
