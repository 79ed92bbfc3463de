using Recur.Data.Bundled;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;

namespace Recur.Tests.Data.Formats;

public class LabelledTextTests
{
    [Fact]
    public void Csv_and_json_lines_give_texts_with_labels_and_lines()
    {
        using var dir = new TempDir();
        var csv = dir.Write("r.csv", "id,review,stars\n1,Good,5\n2,\"Bad, really\",1\n");
        Assert.Equal([new LabelledText("Good", "5", 2), new LabelledText("Bad, really", "1", 3)], LabelledTextReader.ReadDelimited(csv, "review", "stars"));
        var jsonl = dir.Write("r.jsonl", "{\"text\":\"Good\",\"label\":1}\n{\"text\":\"Bad \\\"x\\\"\",\"label\":\"neg\",\"extra\":[1]}\n");
        Assert.Equal([new LabelledText("Good", "1", 1), new LabelledText("Bad \"x\"", "neg", 2)], LabelledTextReader.ReadJsonLines(jsonl));
    }

    [Fact]
    public void Bad_records_name_file_and_line()
    {
        using var dir = new TempDir();
        var emptyText = dir.Write("e.csv", "text,label\nok,1\n,0\n");
        Assert.Equal("e.csv:3: the text (column \"text\") is empty", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadDelimited(emptyText, "text", "label")).Message);
        var missingLabel = dir.Write("m.csv", "text,label\nok,\n");
        Assert.Contains("m.csv:2: the label (column \"label\") is empty (a missing value)", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadDelimited(missingLabel, "text", "label")).Message);
        var badJson = dir.Write("b.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\" \"label\":2}\n");
        Assert.StartsWith("b.jsonl:2: invalid JSON", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(badJson)).Message);
        var cut = dir.Write("c.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\",\n");
        Assert.Equal("c.jsonl:2: the file ends inside this JSON object", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(cut)).Message);
        var noLabel = dir.Write("n.jsonl", "{\"text\":\"a\"}\n");
        Assert.Equal("n.jsonl:1: no column \"label\"; the columns are \"text\"", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(noLabel)).Message);
        var laterNoLabel = dir.Write("l.jsonl", "{\"text\":\"a\",\"label\":1}\n\n{\"text\":\"b\"}\n");
        Assert.Equal("l.jsonl:3: the label (column \"label\") is missing", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(laterNoLabel)).Message);
        var blankText = dir.Write("t.jsonl", "{\"text\":\"  \",\"label\":1}\n");
        Assert.Equal("t.jsonl:1: the text (column \"text\") is empty", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(blankText)).Message);
    }

    [Fact]
    public void Records_of_any_format_give_labelled_texts_with_the_chosen_columns()
    {
        var data = BundledData.Locate();
        var file = RecordFile.Open(data.SentimentSentences);
        var columns = TextColumns.Choose(file);
        Assert.Equal(new TextColumnChoice(0, 1, "named like a text", "named like a label"), columns);
        var texts = LabelledTextReader.Read(file, columns.Text, columns.Label!.Value).ToList();
        Assert.Equal(BundledDatasets.SentimentSentences(data: data), texts);

        using var dir = new TempDir();
        var blanks = dir.Write("b.jsonl", "\n{\"text\":\"a\",\"label\":true}\n\n\n{\"text\":\"b\",\"label\":false}\n");
        Assert.Equal([new LabelledText("a", "true", 2), new LabelledText("b", "false", 5)], LabelledTextReader.ReadJsonLines(blanks));
        var empty = dir.Write("e.csv", "text,label\nok,1\n,0\n");
        var csv = RecordFile.Open(empty);
        Assert.Equal("e.csv:3: the text (column \"text\") is empty", Assert.Throws<DataFormatException>(() => LabelledTextReader.Read(csv, 0, 1).ToList()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelledTextReader.Read(csv, 0, 2));
    }

    [Fact]
    public void Labels_are_fitted_on_training_and_unseen_ones_are_errors()
    {
        var train = new[] { new LabelledText("a", "pos", 2), new LabelledText("b", "neg", 3), new LabelledText("c", "pos", 4) };
        var labels = LabelEncoder.Fit(train);
        Assert.Equal(["neg", "pos"], labels.Classes);
        Assert.Equal([1, 0, 1], labels.Encode(train, "train.csv"));
        var test = new[] { new LabelledText("d", "neutral", 7) };
        var e = Assert.Throws<DataFormatException>(() => labels.Encode(test, "test.csv"));
        Assert.Equal("test.csv:7: label \"neutral\" was not seen in training (known: neg, pos)", e.Message);
        Assert.Throws<UnknownTokenException>(() => labels.Encode("neutral"));
        Assert.Equal(labels.Classes, new LabelEncoder(Vocabulary.FromJson(labels.Vocabulary.ToJson())).Classes);
    }
}
