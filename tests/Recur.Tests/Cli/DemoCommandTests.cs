using Recur.Cli.Demo;

namespace Recur.Tests.Cli;

public sealed class DemoCommandTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void TheRnnLearnsToSpellElloFromAnySeed(ulong seed)
    {
        var r = HelloDemo.Train(hidden: 3, steps: 200, learningRate: 0.05, seed);
        Assert.True(r.Losses[0] > 0.8, $"the first loss {r.Losses[0]} should be near ln 4 = 1.39");
        Assert.True(r.Losses[^1] < 0.05, $"final loss {r.Losses[^1]}");
        Assert.Equal("ello", r.Predicted);
        Assert.All(r.After, s => Assert.True(s.Probabilities[HelloDemo.Vocabulary.IndexOf(s.Target)] > 0.9));
    }

    [Fact]
    public void TheTraceShowsOneHotInputsBoundedHiddenStatesAndDistributions()
    {
        var r = HelloDemo.Train(hidden: 5, steps: 50, learningRate: 0.05, seed: 1);
        Assert.Equal("hell", new string(r.After.Select(s => s.Input).ToArray()));
        foreach (var s in r.After.Concat(r.Before))
        {
            Assert.Equal(1f, s.OneHot.Sum());
            Assert.Equal(1f, s.OneHot[HelloDemo.Vocabulary.IndexOf(s.Input)]);
            Assert.Equal(5, s.Hidden.Length);
            Assert.All(s.Hidden, h => Assert.InRange(h, -1f, 1f));
            Assert.Equal(1.0, s.Probabilities.Sum(), 9);
            Assert.Equal(HelloDemo.Vocabulary[Array.IndexOf(s.Probabilities, s.Probabilities.Max())], s.Predicted);
        }
        Assert.Equal(4 * 5 + 5 * 5 + 5 + 5 + 5 * 4 + 4, r.ParameterCount);
    }

    [Fact]
    public void TheCommandIsDeterministicForASeedAndPrintsEveryStep()
    {
        var a = Cli.Ok("demo", "hello", "--seed", "4");
        Assert.Equal(a.Out, Cli.Ok("demo", "hello", "--seed", "4").Out);
        Assert.NotEqual(a.Out, Cli.Ok("demo", "hello", "--seed", "5").Out);
        Assert.Contains("Predicted \"ello\" for target \"ello\"", a.Out);
        Assert.Matches(@"\n\s+1\s+h\s+\[1 0 0 0\]\s+\[[-+]\d\.\d\d [-+]\d\.\d\d [-+]\d\.\d\d\]\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s+e\s+e\s+yes\n", a.Out);
        Assert.Matches(@"\n\s+4\s+l\s+\[0 0 1 0\]\s+.*\s+o\s+o\s+yes\n", a.Out);
        Assert.Equal(8, a.Out.Split('\n').Count(l => l.TrimStart().StartsWith("step ", StringComparison.Ordinal)));
    }
}
