using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary><c>recur train charlm</c> on text as users have it: tiny files, Windows line ends, decomposed Unicode.</summary>
public sealed class TrainCharLmTextTests
{
    [Fact]
    public void A_tiny_text_trains_with_a_tiny_batch_and_a_small_one_gets_fewer_lanes_with_a_warning()
    {
        using var dir = new TempDir();
        string twelve = dir.Write("twelve.txt", "abcabcabcab"); // 11 characters and the final line end
        Cli.Ok("train", "charlm", "--data", twelve, "--batch", "1", "--seq", "2", "--hidden", "4", "--embed", "2", "--epochs", "1", "--out", dir.File("a"), "--sample-every", "0");

        string small = dir.Write("small.txt", string.Concat(Enumerable.Repeat("the cat sat. ", 40)));
        var r = Cli.Run("train", "charlm", "--data", small, "--hidden", "4", "--embed", "2", "--epochs", "1", "--out", dir.File("b"), "--sample-every", "0");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("not --batch 32; using --batch 4", Assert.Single(r.ErrLines));
        Assert.StartsWith("recur train charlm: writing ", r.Out);

        // Dropout between layers with one layer does nothing: said, as PyTorch warns.
        var d = Cli.Run("train", "charlm", "--data", twelve, "--batch", "1", "--seq", "2", "--hidden", "4", "--embed", "2", "--epochs", "1", "--dropout", "0.3", "--out", dir.File("c"), "--sample-every", "0");
        Assert.Equal(0, d.ExitCode);
        Assert.Contains("--dropout 0.3 does nothing with one layer", Assert.Single(d.ErrLines));
    }

    [Fact]
    public void Windows_line_ends_and_decomposed_accents_read_as_plain_ones()
    {
        using var dir = new TempDir();
        string text = string.Concat(Enumerable.Repeat("Café au lait\nÉté\n", 30));
        // Decomposed by hand: under InvariantGlobalization string.Normalize would leave the text as it is.
        string decomposed = text.Replace("é", "e\u0301", StringComparison.Ordinal).Replace("É", "E\u0301", StringComparison.Ordinal);
        string crlfNfd = dir.Write("windows.txt", decomposed.Replace("\n", "\r\n", StringComparison.Ordinal));
        Cli.Ok("train", "charlm", "--data", crlfNfd, "--hidden", "4", "--embed", "2", "--epochs", "1", "--batch", "2", "--seq", "10", "--out", dir.File("m"), "--sample-every", "0");
        var m = (TrainedCharLm)TrainedModel.Load(dir.File("m"));
        Assert.DoesNotContain("\r", m.Vocabulary.Tokens);
        Assert.Contains("é", m.Vocabulary.Tokens);          // composed
        Assert.DoesNotContain("\u0301", m.Vocabulary.Tokens); // no lone combining accent
        // Scoring the composed LF text: every character known.
        var r = Cli.Run("eval", "--model", dir.File("m"), "--data", dir.Write("plain.txt", text), "--seq", "10", "--batch", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Empty(r.ErrLines);
    }
}
