using System.Text.RegularExpressions;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed partial class EvalCommandTests(TinyModelFixture tiny)
{
    [Fact]
    public void PrintsBitsPerCharacterPerplexityAndTheCharactersScored()
    {
        var r = Cli.Ok("eval", "--model", tiny.Folder, "--text", tiny.TextFile, "--seq", "20", "--batch", "4");
        double bpc = Fact(r.Out, "bits per character"), ppl = Fact(r.Out, "perplexity");
        Assert.Equal(Math.Pow(2, bpc), ppl, 2);
        // 4 lanes of (N - 1) / 4 characters each.
        int n = tiny.Text.Length, lane = (n - 1) / 4;
        Assert.Contains($"{4 * lane:N0} characters in 4 lanes of {lane:N0}", r.Out);
        // Trained on this very text: far below the log2(V) bits of a uniform guess, and below an untrained model.
        Assert.True(bpc < 0.6 * Math.Log2(tiny.Vocabulary.Count), r.Out);

        using var dir = new Recur.Tests.Data.TempDir();
        var untrained = new CharLanguageModel(tiny.Model.Config, new Rng(1));
        CharLanguageModelCheckpoint.Save(dir.File("untrained.safetensors"), untrained, tiny.Vocabulary);
        double fresh = Fact(Cli.Ok("eval", "-m", dir.File("untrained.safetensors"), "--text", tiny.TextFile, "--seq", "20", "--batch", "4").Out, "bits per character");
        Assert.InRange(fresh, 0.8 * Math.Log2(tiny.Vocabulary.Count), 1.2 * Math.Log2(tiny.Vocabulary.Count));
        Assert.True(bpc < fresh - 1);
    }

    [Fact]
    public void AShortTextUsesFewerLanesAndGzipIsRead()
    {
        var gz = tiny.Scratch.WriteGzip("short.txt.gz", "the cat sat on the mat.\n");
        var r = Cli.Ok("eval", "-m", tiny.Folder, "--text", gz);
        Assert.Contains("23 characters in 1 lane of 23", r.Out);
    }

    [Fact]
    public void UnknownCharactersAreScoredAsUnkWithAWarningOrRefusedWithoutUnk()
    {
        var file = tiny.Scratch.Write("accents.txt", "the café sat on the mat. Zoë ran.\n");
        var r = Cli.Run("eval", "-m", tiny.Folder, "--text", file);
        Assert.Equal(0, r.ExitCode);
        var warning = Assert.Single(r.ErrLines);
        Assert.StartsWith("recur: warning:", warning);
        Assert.Contains("'é' U+00E9 x1", warning);
        Assert.Contains("'Z' U+005A x1", warning);

        var refused = Cli.Run("eval", "-m", tiny.NoUnkFolder, "--text", file);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("'ë' U+00EB", Assert.Single(refused.ErrLines));
    }

    private static double Fact(string output, string key)
    {
        var m = Regex.Match(output, Regex.Escape(key) + @":\s+([0-9.]+)");
        Assert.True(m.Success, $"no '{key}' in:\n{output}");
        return TinyModelFixture.Number(m.Groups[1].Value);
    }
}
