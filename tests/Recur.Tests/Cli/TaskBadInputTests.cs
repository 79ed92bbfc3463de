using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary>
/// Bad input to the task commands: one clear "recur:" line naming the problem, a non-zero exit, no stack trace, and
/// nothing written into --out.
/// </summary>
public sealed class TaskBadInputTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "unknown column", "no column \"body\"" },
        { "ragged row", "reviews.csv:3: expected 2 fields" },
        { "empty text", "reviews.csv:3: the text (column \"text\") is empty" },
        { "one class", "has one class only (pos)" },
        { "header only", "holds no records" },
        { "too large for memory", "too large to train on in memory" },
        { "not UTF-8", "reviews.csv" },
        { "tag corpus of one tag", "one tag only" },
        { "bad option value", "--pooling must be one of last, mean, max, attention; got 'median'" },
        { "eval with a model of another kind", "--data" },
        { "newer model format", "format version 9 is newer than this Recur reads (1)" },
        { "dropout out of range", "--dropout must be in [0, 1), got 1.5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneClearLineAndWritesNothing(string name, string expected)
    {
        using var dir = new TempDir();
        string good = "text,label\nthe food was great,pos\nawful place,neg\nlovely staff,pos\nbad plot,neg\nnice,pos\nugly,neg\nfine,pos\nsad,neg\nok,pos\nno,neg\n";
        string run = dir.File("run");
        string[] args = name switch
        {
            "unknown column" => ["train", "classify", "--data", dir.Write("reviews.csv", good), "--text", "body", "--out", run],
            "ragged row" => ["train", "classify", "--data", dir.Write("reviews.csv", "text,label\ngood,pos\nbad,neg,extra\n"), "--out", run],
            "empty text" => ["train", "classify", "--data", dir.Write("reviews.csv", "text,label\ngood,pos\n,neg\n"), "--out", run],
            "one class" => ["train", "classify", "--data", dir.Write("reviews.csv", "text,label\ngood,pos\nfine,pos\nnice,pos\n"), "--out", run],
            "header only" => ["train", "classify", "--data", dir.Write("reviews.csv", "text,label\n"), "--out", run],
            "too large for memory" => ["train", "classify", "--data", Sparse(dir.File("huge.csv")), "--out", run],
            "not UTF-8" => ["train", "classify", "--data", dir.WriteBytes("reviews.csv", [.. "text,label\ncaf"u8, 0xE9, .. ",pos\n"u8]), "--out", run],
            "tag corpus of one tag" => ["train", "tag", "--data", dir.Write("t.txt", "a/X b/X\nc/X\nd/X e/X\n"), "--out", run],
            "bad option value" => ["train", "classify", "--data", dir.Write("reviews.csv", good), "--pooling", "median", "--out", run],
            "eval with a model of another kind" => ["eval", "--model", Path.Combine(AppContext.BaseDirectory, "fixtures", "legacy-charlm"), "--text", dir.File("missing.csv")],
            "newer model format" => ["info", "--model", NewerModel(dir)],
            "dropout out of range" => ["train", "classify", "--data", dir.Write("reviews.csv", good), "--dropout", "1.5", "--out", run],
            _ => throw new ArgumentException(name),
        };
        var r = Cli.Run(args);
        Assert.True(r.ExitCode != 0, r.ToString());
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("recur: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("internal error", line);
        Assert.False(Directory.Exists(run), $"{run} was created");
    }

    [Fact]
    public void An_unknown_column_lists_the_columns()
    {
        using var dir = new TempDir();
        var r = Cli.Run("train", "classify", "--data", dir.Write("r.csv", "review,stars\ngood,5\nbad,1\n"), "--label", "rating", "--out", dir.File("o"));
        Assert.Contains("\"review\", \"stars\"", Assert.Single(r.ErrLines));
    }

    // A file whose size says far more than this machine's memory, without writing it (sparse).
    private static string Sparse(string path)
    {
        using var f = File.Create(path);
        f.Write("text,label\n"u8);
        f.SetLength(1L << 42); // 4 TB
        return path;
    }

    private static string NewerModel(TempDir dir)
    {
        string folder = dir.File("newer");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.json"), """{"format": "recur-model", "version": 9, "kind": "classify", "architecture": {}}""");
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "");
        return folder;
    }
}
