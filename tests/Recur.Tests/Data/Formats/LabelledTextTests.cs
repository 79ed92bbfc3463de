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
        var badJson = dir.Write("b.jsonl", "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\",\n");
        Assert.StartsWith("b.jsonl:2: invalid JSON", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(badJson)).Message);
        var noLabel = dir.Write("n.jsonl", "{\"text\":\"a\"}\n");
        Assert.Equal("n.jsonl:1: missing field \"label\"", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(noLabel)).Message);
        var blank = dir.Write("x.jsonl", "{\"text\":\"a\",\"label\":1}\n\n{\"text\":\"a\",\"label\":1}\n");
        Assert.StartsWith("x.jsonl:2: empty line", Assert.Throws<DataFormatException>(() => LabelledTextReader.ReadJsonLines(blank)).Message);
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
