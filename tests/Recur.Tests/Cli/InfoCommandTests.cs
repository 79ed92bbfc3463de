namespace Recur.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class InfoCommandTests(TinyModelFixture tiny)
{
    [Fact]
    public void DescribesArchitectureParametersVocabularyProgressAndHistory()
    {
        var r = Cli.Ok("info", "--model", tiny.Folder);
        Assert.Contains("Embedding(16, 8) -> Lstm(8 -> 16) -> Linear(16 -> 16)", r.Out);
        Assert.Matches($@"parameters:\s+{tiny.Model.ParameterCount:N0}\n", r.Out);
        foreach (var (name, p) in tiny.Model.NamedParameters())
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(name)}\s+\[{string.Join(", ", p.Value.Shape.ToArray())}\]\s+{p.Count:N0}\n", r.Out);
        Assert.Contains("16 tokens (<unk> and 15 characters)", r.Out);
        Assert.Contains(@"characters: \n␣.acdeghmnorst", r.Out);
        Assert.Matches(@"epoch:\s+2\n", r.Out);
        Assert.Matches(@"val_bpc:\s+1.2345\n", r.Out);
        // History table: every column, a bar per epoch scaled to the range (longest for the worst), the best marked.
        Assert.Contains("Training history (history.csv, 2 epochs)", r.Out);
        // Numbers shown to 5 significant digits (the file keeps full precision), large ones whole, nan as written.
        Assert.Matches(@"1\s+0.5\s+3.9\s+3.1\s+0.4\s+123,457\s+#{30}\n", r.Out);
        Assert.Matches(@"2\s+1\s+2.5\s+1.2346\s+0.3\s+nan\s+# best\n", r.Out);
        Assert.Contains("val_bpc by epoch: █▁  3.1 -> 1.2346, best 1.2346 at epoch 2", r.Out);
    }

    [Fact]
    public void WithoutHistoryItStillDescribesTheModel()
    {
        var r = Cli.Ok("info", "-m", tiny.NoUnkFolder);
        Assert.Contains("last.safetensors", r.Out);
        Assert.Contains("15 tokens", r.Out);
        Assert.DoesNotContain("Training history", r.Out);
    }

    [Fact]
    public void AMalformedHistoryIsAWarningNotAFailure()
    {
        var dir = tiny.Scratch.File("bad-history");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(tiny.Folder, "best.safetensors"), Path.Combine(dir, "best.safetensors"));
        File.WriteAllText(Path.Combine(dir, "history.csv"), "epoch,val_bpc\n1,2.0,extra\n");
        var r = Cli.Run("info", "-m", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Parameters", r.Out);
        Assert.Contains("history.csv:2:", Assert.Single(r.ErrLines));
    }

    [Fact]
    public void LongHistoriesAreThinnedKeepingFirstBestAndLast()
    {
        var dir = tiny.Scratch.File("long-history");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(tiny.Folder, "best.safetensors"), Path.Combine(dir, "best.safetensors"));
        var rows = Enumerable.Range(1, 100).Select(e => $"{e},{(e == 37 ? 0.5 : 3.0 - e * 0.01).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        File.WriteAllLines(Path.Combine(dir, "history.csv"), ["epoch,val_bpc", .. rows]);
        var r = Cli.Ok("info", "-m", dir);
        Assert.Matches(@"\n\s+1\s+2.99\s", r.Out);
        Assert.Matches(@"\n\s+37\s+0.5\s+# best", r.Out);
        Assert.Matches(@"\n\s+100\s+2\s", r.Out);
        Assert.Contains("epochs not shown", r.Out);
        Assert.Contains("best 0.5 at epoch 37", r.Out);
    }
}
