namespace Recur.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class GenerateCommandTests(TinyModelFixture tiny)
{
    [Fact]
    public void StreamsThePromptAndTheRequestedNumberOfCharacters()
    {
        var r = Cli.Ok("generate", "--model", tiny.Folder, "--prompt", "the ", "--length", "60", "--seed", "3");
        Assert.StartsWith("the ", r.Out);
        Assert.EndsWith("\n", r.Out);
        string sampled = r.Out[4..^1];
        Assert.Equal(60, sampled.Length);
        Assert.All(sampled, c => Assert.Contains(c.ToString(), tiny.Vocabulary.Tokens));
    }

    [Fact]
    public void TheSameSeedGivesTheSameTextAndAnotherSeedOtherText()
    {
        string[] args = ["generate", "-m", tiny.Folder, "-p", "the ", "-n", "80", "-t", "1.5"];
        var a = Cli.Ok([.. args, "--seed", "1"]).Out;
        var b = Cli.Ok([.. args, "--seed", "1"]).Out;
        var c = Cli.Ok([.. args, "--seed", "2"]).Out;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TemperatureZeroIsGreedyWhateverTheSeedAndMatchesTopKOne()
    {
        var greedy = Cli.Ok("generate", "-m", tiny.Folder, "-p", "the c", "-n", "40", "-t", "0", "--seed", "1").Out;
        Assert.Equal(greedy, Cli.Ok("generate", "-m", tiny.Folder, "-p", "the c", "-n", "40", "-t", "0", "--seed", "99").Out);
        Assert.Equal(greedy, Cli.Ok("generate", "-m", tiny.Folder, "-p", "the c", "-n", "40", "-k", "1", "--seed", "5").Out);

        // The model's own greedy continuation, independently of the command.
        var expected = new System.Text.StringBuilder("the c");
        tiny.Model.Generate(new Recur.Data.Text.CharEncoder(tiny.Vocabulary).Encode("the c"), 40, 0, 0, new Recur.Tensors.Rng(0), i => expected.Append(tiny.Vocabulary[i]));
        Assert.Equal(expected + "\n", greedy);
    }

    [Fact]
    public void AFolderWithoutBestFallsBackToLastAndAFileWorksDirectly()
    {
        Cli.Ok("generate", "-m", tiny.NoUnkFolder, "-p", "a", "-n", "5", "--seed", "1");
        Cli.Ok("generate", "-m", Path.Combine(tiny.Folder, "best.safetensors"), "-p", "a", "-n", "5", "--seed", "1");
    }

    [Fact]
    public void PromptCharactersOutsideTheVocabularyAreReadAsUnkWithAWarningNamingThem()
    {
        var r = Cli.Run("generate", "-m", tiny.Folder, "-p", "thé Zoo", "-n", "10", "--seed", "1");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("thé Zoo", r.Out);
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("recur: warning:", line);
        Assert.Contains("'é' U+00E9", line);
        Assert.Contains("'Z' U+005A", line);
        Assert.DoesNotContain("'o'", line);
    }

    [Fact]
    public void WithoutUnkThePromptIsRefusedNamingTheCharacters()
    {
        var r = Cli.Run("generate", "-m", tiny.NoUnkFolder, "-p", "thé", "-n", "10");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("", r.Out);
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("recur: ", line);
        Assert.Contains("'é' U+00E9", line);
    }
}
