using Recur.Data.Files;
using Recur.Data.Formats;

namespace Recur.Tests.Data.Formats;

public class TextColumnsTests
{
    private static TextColumnChoice Choose(TempDir dir, string name, string content, string? text = null, string? label = null, bool labelRequired = true, int sample = 200)
        => TextColumns.Choose(RecordFile.Open(dir.Write(name, content)), text, label, labelRequired, sample);

    [Fact]
    public void Given_names_win_and_match_ignoring_case()
    {
        using var dir = new TempDir();
        var c = Choose(dir, "a.csv", "Label,Body,Stars\npos,hello there,5\n", text: "body", label: "stars");
        Assert.Equal(new TextColumnChoice(1, 2, "given", "given"), c);
        var e = Assert.Throws<DataFormatException>(() => Choose(dir, "b.csv", "text,label\na,b\n", text: "review"));
        Assert.Equal("b.csv:1: no column \"review\"; the columns are \"text\", \"label\"", e.Message);
        Assert.Throws<DataFormatException>(() => Choose(dir, "c.csv", "text,label\na,b\n", text: "text", label: "TEXT"));
    }

    [Fact]
    public void Conventional_names_are_found_in_order_of_preference_ignoring_case()
    {
        using var dir = new TempDir();
        Assert.Equal(new TextColumnChoice(2, 0, "named like a text", "named like a label"), Choose(dir, "a.csv", "Sentiment,id,Review\n1,7,fine\n"));
        // "label" is preferred to "sentiment", "body" to "title" (in the order of the lists).
        Assert.Equal(new TextColumnChoice(2, 3, "named like a text", "named like a label"), Choose(dir, "b.csv", "title,sentiment,body,LABEL\nt,s,b,l\n"));
        Assert.Equal(new TextColumnChoice(0, 1, "named like a text", "named like a label"), Choose(dir, "c.tsv", " Text \t y \nhi\t1\n"));
    }

    [Fact]
    public void Without_names_the_text_is_the_longest_non_numeric_column_and_the_label_the_last_other()
    {
        using var dir = new TempDir();
        // The id is longer than the words but all numbers; the label is the last column.
        var c = Choose(dir, "a.csv", "id,words,tag\n1234567890123,a good film,x\n1234567890124,bad,y\n");
        Assert.Equal(1, c.Text);
        Assert.Equal(2, c.Label);
        Assert.Equal("the longest values (mean 7 characters over the first 2 records)", c.TextReason);
        Assert.Equal("the last column other than the text", c.LabelReason);
        // Label first, text last: the label is the last column other than the text.
        var d = Choose(dir, "b.tsv", "a\tb\nneg\tnot good at all\npos\tvery nice indeed\n");
        Assert.Equal(new TextColumnChoice(1, 0, "the longest values (mean 15.5 characters over the first 2 records)", "the last column other than the text"), d);
    }

    [Fact]
    public void Only_the_first_records_are_sampled()
    {
        using var dir = new TempDir();
        // Column b is longer from record 3 on, beyond a sample of 2.
        var content = "a,b,c\nlong text one,x,0\nlong text two,y,1\n" + string.Concat(Enumerable.Repeat("s,a much much longer text,1\n", 50));
        Assert.Equal(0, Choose(dir, "s.csv", content, sample: 2).Text);
        Assert.Equal(1, Choose(dir, "s.csv", content, sample: 200).Text);
    }

    [Fact]
    public void Json_lines_columns_are_chosen_the_same_way()
    {
        using var dir = new TempDir();
        var c = Choose(dir, "d.jsonl", "{\"id\":1,\"meta\":{\"a\":1},\"content\":\"hello\",\"target\":true}\n");
        Assert.Equal(new TextColumnChoice(2, 3, "named like a text", "named like a label"), c);
        // Nested values are never taken for the text.
        var n = Choose(dir, "n.jsonl", "{\"meta\":{\"a\":\"a long nested value\"},\"words\":\"hi\",\"y\":1}\n");
        Assert.Equal(1, n.Text);
    }

    [Fact]
    public void Prediction_input_needs_no_label()
    {
        using var dir = new TempDir();
        Assert.Equal(new TextColumnChoice(0, null, "the only column", null), Choose(dir, "p.csv", "sentence\nhello\n", labelRequired: false));
        Assert.Equal(new TextColumnChoice(0, null, "the only column", null), Choose(dir, "q.csv", "whatever\nhello\n", labelRequired: false));
        // A label-named column is still recognised (and kept from being the text); no other is guessed.
        Assert.Equal(new TextColumnChoice(1, 0, "the longest values (mean 5 characters over the first 1 records)", "named like a label"), Choose(dir, "r.csv", "class,words\nlong label,hello\n", labelRequired: false));
        Assert.Equal(new TextColumnChoice(1, null, "the longest values (mean 11 characters over the first 1 records)", null), Choose(dir, "s.csv", "a,b\nx,hello there\n", labelRequired: false));
    }

    [Fact]
    public void Files_without_usable_columns_are_clear_errors()
    {
        using var dir = new TempDir();
        Assert.Equal("e.csv: the file is empty: it has no columns", Assert.Throws<DataFormatException>(() => Choose(dir, "e.csv", "")).Message);
        Assert.Equal("o.csv: the file has a single column, \"text\", so there is no label column", Assert.Throws<DataFormatException>(() => Choose(dir, "o.csv", "text\nhi\n")).Message);
        var semicolons = Assert.Throws<DataFormatException>(() => Choose(dir, "semi.csv", "text;label\nhi;1\n"));
        Assert.Equal("semi.csv: the file has a single column, \"text;label\", so there is no label column (is it separated by something other than commas? its header reads \"text;label\")", semicolons.Message);
        Assert.StartsWith("n.csv: no column looks like text", Assert.Throws<DataFormatException>(() => Choose(dir, "n.csv", "a,b,label\n1,2,x\n")).Message);
    }

    [Fact]
    public void A_header_only_file_still_gets_columns_by_name_or_position()
    {
        using var dir = new TempDir();
        Assert.Equal(new TextColumnChoice(0, 1, "named like a text", "named like a label"), Choose(dir, "h.csv", "text,label\n"));
        Assert.Equal(new TextColumnChoice(0, 1, "the first column other than the label (there are no records to look at)", "the last column other than the text"), Choose(dir, "g.csv", "a,b\n"));
    }
}
