namespace Recur.Tests.Cli;

public sealed class HelpTests
{
    [Theory]
    [InlineData("--help", "generate")]
    [InlineData("train charlm --help", "--epochs <N>")]
    [InlineData("generate --help", "--temperature <T>")]
    [InlineData("train classify --help", "--pooling <last|mean|max|attention>")]
    [InlineData("train tag --help", "--crf <true|false>")]
    [InlineData("train seq2seq --help", "--attention <additive|dot|general|scaled-dot>")]
    [InlineData("predict --help", "--nbest <N>")]
    [InlineData("eval --help", "--json")]
    [InlineData("predict --help", "--data <FILE|-> (REQUIRED)")]
    [InlineData("info --help", "--model <DIR> (REQUIRED)")]
    [InlineData("demo hello --help", "--hidden <N>")]
    [InlineData("check --help", "<paths>")]
    [InlineData("fetch --help", "<brown|cmudict|ding>")]
    public void EveryCommandHasHelp(string args, string expected)
    {
        var r = Cli.Ok(args.Split(' '));
        Assert.Contains("Usage:", r.Out);
        Assert.Contains(expected, r.Out);
        Assert.Contains("--verbose", r.Out);
    }

    [Theory]
    [InlineData("")]
    [InlineData("demo")]
    [InlineData("train")]
    public void ACommandGroupAloneShowsItsHelp(string args)
    {
        var r = Cli.Ok(args.Length == 0 ? [] : [args]);
        Assert.Contains("Commands:", r.Out);
    }

    [Fact]
    public void A_misspelt_option_gets_one_line_suggesting_the_right_one()
    {
        var r = Cli.Run("train", "charlm", "--epoch", "3");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("recur: unknown option '--epoch'; did you mean '--epochs'? (see 'recur train charlm --help')", Assert.Single(r.ErrLines));
        var far = Cli.Run("info", "--model", "x", "--colour");
        Assert.DoesNotContain("did you mean", far.Err);
    }
}
