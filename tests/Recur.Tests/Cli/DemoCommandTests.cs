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

/// <summary><c>recur demo bits</c>: the notes' bit problems, with data checked against their rules.</summary>
public sealed class DemoBitsTests
{
    [Fact]
    public void The_examples_follow_the_notes_rules()
    {
        var (x1, y1, _) = BitsDemo.Examples(1, false);
        Assert.Equal([[1f], [0f]], y1);
        Assert.Equal(2, x1.Length);

        var (x2, y2, m2) = BitsDemo.Examples(2, variable: true);
        Assert.Equal(2046, x2.Length); // 2 + 4 + ... + 1024 patterns of 1-10 bits
        int i = Array.FindIndex(m2, m => m.Sum() == 3);
        Assert.Equal([BitsDemo.Padding], x2[i][3..].Distinct());
        for (int t = 0; t < 3; t++) Assert.Equal(1 - x2[i][t], y2[i][t]);

        var (x4, y4, _) = BitsDemo.Examples(4, false);
        Assert.Equal(1024, x4.Length);
        for (int n = 0; n < x4.Length; n++)
        {
            float previous = 0;
            for (int t = 0; t < 10; t++)
            {
                Assert.Equal(x4[n][t] == previous ? 1 - x4[n][t] : x4[n][t], y4[n][t]);
                previous = y4[n][t];
            }
        }
    }

    [Fact]
    public void A_feed_forward_network_solves_problems_1_to_3_and_only_an_rnn_solves_problem_4()
    {
        var r = Cli.Ok("demo", "bits", "--epochs", "300");
        string[] rows = [.. r.Out.Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]))];
        Assert.Equal(7, rows.Length);
        foreach (string row in rows.Where(l => !l.TrimStart().StartsWith('4')))
            Assert.Contains("100.0%     100.0%", row);
        Assert.Contains("RNN", Assert.Single(rows, l => l.TrimStart().StartsWith('4') && l.Contains("100.0%     100.0%")));
        var ffn = BitsDemo.Run(4, false, BitNetwork.FeedForward, 300, 8, 1);
        Assert.InRange(ffn.TestBits, 0.4, 0.6); // it can only guess: half the bits
    }
}

/// <summary><c>recur demo gradients</c> and <c>compare</c>: the first-bit task shows vanishing and exploding gradients and what clipping does.</summary>
public sealed class DemoGradientsTests
{
    private static readonly Recur.Models.RecurrentConfig Tanh = new(Recur.Layers.CellKind.Rnn, 32);
    private static readonly Recur.Models.RecurrentConfig Relu = new(Recur.Layers.CellKind.Rnn, 32, Nonlinearity: Recur.Layers.RnnNonlinearity.Relu);

    [Fact]
    public void The_answer_is_the_first_bit_and_every_step_carries_a_bit()
    {
        var (x, y) = FirstBitTask.Batch(new Recur.Tensors.Rng(3), 64, 12);
        for (int b = 0; b < 64; b++)
        {
            Assert.Equal(x[b, 0, 0] > 0 ? 1f : 0f, y[b]);
            for (int t = 0; t < 12; t++) Assert.Equal(1f, Math.Abs(x[b, t, 0]));
        }
    }

    [Fact]
    public void A_tanh_rnn_gradient_vanishes_going_back_and_a_gain_2_relu_rnn_gradient_explodes()
    {
        var task = new FirstBitTask();
        var vanishing = task.GradientReach(Tanh, 40);
        var exploding = task.GradientReach(Relu, 40, FirstBitTask.RecurrentGain(2));
        Assert.Equal(1, vanishing[0], 6);
        Assert.True(vanishing[20] < 1e-3 && vanishing[39] < vanishing[20], $"tanh: {vanishing[20]} at 20 steps back, {vanishing[39]} at 39");
        Assert.True(exploding[20] > 10 && exploding[39] > exploding[20], $"relu gain 2: {exploding[20]} at 20 steps back, {exploding[39]} at 39");
    }

    [Fact]
    public void Clipping_lets_an_exploding_rnn_learn_where_plain_sgd_blows_up()
    {
        var task = new FirstBitTask();
        var learns = task.Train(Tanh, delay: 5, updates: 300);
        Assert.True(learns.Accuracy >= 0.95, $"a tanh RNN at delay 5: {learns.Accuracy}");
        Assert.NotNull(learns.LearnedAfter);
        var wild = task.Train(Relu, 20, 300, clip: 0, prepare: FirstBitTask.RecurrentGain(2), sgd: 0.05);
        var clipped = task.Train(Relu, 20, 300, clip: 1, prepare: FirstBitTask.RecurrentGain(2), sgd: 0.05);
        Assert.True(wild.MaxGradientNorm > 1e6, $"largest norm without clipping {wild.MaxGradientNorm}");
        Assert.True(wild.Accuracy < 0.6, $"without clipping: {wild.Accuracy}");
        Assert.True(clipped.Accuracy >= 0.95, $"with clipping: {clipped.Accuracy}");
    }
}

/// <summary>The demos' <c>--report</c> pages: self-contained HTML with every chart.</summary>
public sealed class DemoReportTests
{
    [Fact]
    public void Demo_gradients_and_compare_write_pages_with_their_charts()
    {
        using var dir = new Recur.Tests.Data.TempDir();
        string g = dir.File("g.html"), c = dir.File("c.html");
        Assert.Contains("report: ", Cli.Ok("demo", "gradients", "--delays", "3,4", "--updates", "100", "--report", g).Out);
        Assert.Contains("report: ", Cli.Ok("demo", "compare", "--delay", "3", "--seconds", "0.5", "--report", c).Out);
        string gradients = File.ReadAllText(g), compare = File.ReadAllText(c);
        foreach (string id in (string[])["reach", "accuracy", "norms", "losses"]) Assert.Contains($"data-chart=\"{id}\"", gradients);
        Assert.Contains("data-chart=\"learning\"", compare);
        foreach (string page in (string[])[gradients, compare])
        {
            Assert.StartsWith("<!DOCTYPE html>", page);
            Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/", "", StringComparison.Ordinal));
            Assert.DoesNotContain("https://", page);
        }
    }
}
