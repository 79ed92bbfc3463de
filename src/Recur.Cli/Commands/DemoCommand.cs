using System.CommandLine;
using System.Globalization;
using Recur.Cli.Demo;
using Recur.Cli.Hosting;
using Recur.Cli.Output;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur demo hello</c>: the textbook "hello" RNN, trained in a moment and shown step by step; <c>recur demo bits</c>:
/// the notes' four bit problems, feed-forward against recurrent.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Lines of the printed loss curve.</summary>
    private const int LossLines = 8;

    public static Command Create(CliHost host)
    {
        var hidden = new Option<int>("--hidden") { Description = "Hidden units", DefaultValueFactory = _ => 3, HelpName = "N" }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "Training steps (Adam updates on the whole word)", DefaultValueFactory = _ => 200, HelpName = "N" }.AtLeast(1);
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.05, HelpName = "X" }.AtLeast(0);
        var seed = new Option<ulong>("--seed") { Description = "Seed for the initial weights", DefaultValueFactory = _ => 1, HelpName = "N" };
        var hello = new Command("hello", "Train a tiny RNN to predict the next character of \"hello\" (vocabulary h, e, l, o; one-hot inputs) and print every step: inputs, hidden states, softmax outputs, predictions.")
        {
            hidden, steps, lr, seed,
        };
        host.SetAction(hello, p => Hello(host, p.GetValue(hidden), p.GetValue(steps), p.GetValue(lr), p.GetValue(seed)));
        return new Command("demo", "Small worked examples that show how recurrent networks compute.") { hello, Bits(host) };
    }

    private static Command Bits(CliHost host)
    {
        var problem = new Option<string>("--problem") { Description = "Which problem: 1 (one bit inverted), 2 (10 bits inverted), 3 (bits inverted over 10 steps), 4 (invert a bit when the input equals the previous output), or all", DefaultValueFactory = _ => "all", HelpName = "1|2|3|4|all" };
        problem.AcceptOnlyFromAmong("1", "2", "3", "4", "all");
        var variable = new Option<bool>("--variable") { Description = "Problem 2 with 1-10 bits padded with -1 to 10 (with 'all': both forms)" };
        var epochs = new Option<int>("--epochs") { Description = "Full-batch Adam updates per network", DefaultValueFactory = _ => 400, HelpName = "N" }.AtLeast(1);
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the RNN (problems 3 and 4)", DefaultValueFactory = _ => 8, HelpName = "N" }.AtLeast(1);
        var seed = new Option<ulong>("--seed") { Description = "Seed for the weights and the train/test split", DefaultValueFactory = _ => 1, HelpName = "N" };
        var cmd = new Command("bits", "The notes' bit problems: a feed-forward network solves problems 1-3, only a recurrent one solves problem 4 (its answer depends on the previous output). Prints an accuracy table.")
        {
            problem, variable, epochs, hidden, seed,
        };
        host.SetAction(cmd, p =>
        {
            string chosen = p.GetValue(problem)!;
            bool all = chosen == "all", variableOnly = p.GetValue(variable);
            var runs = new List<(int Problem, bool Variable, BitNetwork Network)>();
            foreach (int k in all ? (int[])[1, 2, 3, 4] : [int.Parse(chosen, CultureInfo.InvariantCulture)])
            {
                if (k == 2)
                {
                    if (!variableOnly || all) runs.Add((2, false, BitNetwork.FeedForward));
                    if (variableOnly || all) runs.Add((2, true, BitNetwork.FeedForward));
                    continue;
                }
                runs.Add((k, false, BitNetwork.FeedForward));
                if (k >= 3) runs.Add((k, false, BitNetwork.Recurrent));
            }
            var r = host.Report;
            r.Line("The bit problems of the notes; every pattern enumerated, 80% trains (full-batch Adam, binary cross-entropy), 20% is held out.", Tone.Accent);
            var results = runs.Select(x => BitsDemo.Run(x.Problem, x.Variable, x.Network, p.GetValue(epochs), p.GetValue(hidden), p.GetValue(seed))).ToList();
            r.Table([new("problem"), new("network"), new("parameters", true), new("train bits", true), new("test bits", true), new("test exact", true), new("held-out example: input -> target / output")],
                results.Select(x => new Cell[]
                {
                    $"{x.Problem}{(x.Problem == 2 ? x.Variable ? " variable" : " fixed" : "")}",
                    x.Network == BitNetwork.FeedForward ? "feed-forward" : $"RNN ({p.GetValue(hidden)} tanh units)",
                    x.Parameters.ToString(CultureInfo.InvariantCulture),
                    Percent(x.TrainBits), new Cell(Percent(x.TestBits), x.TestBits >= 0.99 ? Tone.Good : Tone.Bad), Percent(x.TestExact),
                    $"{x.Example.Input} -> {x.Example.Target} / {x.Example.Output}",
                }));
            if (results.Any(x => x.Problem == 4))
            {
                r.Line();
                r.Line("Problem 4: o_t = (x_t == o_{t-1}) ? 1 - x_t : x_t gives o_t = 1 - o_{t-1} whatever x_t is, so the answer alternates");
                r.Line("with the step, not the input. A network that sees one step at a time cannot know it; the RNN keeps it in its state.");
            }
            return 0;
        });
        return cmd;
    }

    private static string Percent(double x) => (100 * x).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static int Hello(CliHost host, int hidden, int steps, double lr, ulong seed)
    {
        var result = HelloDemo.Train(hidden, steps, lr, seed);
        var r = host.Report;
        string vocab = HelloDemo.Vocabulary, word = HelloDemo.Word;
        string Spaced(string s) => string.Join(" ", s.ToCharArray());

        r.Line($"A vanilla RNN learns to continue \"{word}\" one character at a time.", Tone.Accent);
        r.Facts([
            ("vocabulary", $"{Spaced(vocab)}   (one-hot: " + string.Join(", ", vocab.Select((c, i) => $"{c} = {OneHot(i, vocab.Length)}")) + ")"),
            ("inputs", $"{Spaced(word[..^1])}   -> targets {Spaced(word[1..])}   ('l' is followed by 'l' once and by 'o' once: only the hidden state can tell)"),
            ("network", "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  h_0 = 0;   y_t = W_hy h_t + b_y;   p_t = softmax(y_t)"),
            ("size", $"{vocab.Length} inputs, {hidden} hidden units, {vocab.Length} outputs: {result.ParameterCount} parameters"),
            ("training", $"{steps} Adam steps on the whole word (BPTT through {word.Length - 1} steps), learning rate {Num(lr)}, seed {seed}"),
        ]);

        r.Heading("Training loss (mean cross-entropy per character, nats)");
        var losses = result.Losses;
        double max = losses.Max();
        foreach (int i in Enumerable.Range(0, LossLines).Select(k => k * (losses.Length - 1) / (LossLines - 1)).Distinct())
            r.Line($"  step {i + 1,5}  {losses[i],7:F4}  {TextPlot.Bar(losses[i], 0, max, 40, r.BarChar)}");

        r.Heading($"Before training it predicts \"{Predicted(result.Before)}\"; after training, step by step:");
        var columns = new List<Column> { new("t", true), new("input"), new("one-hot x_t"), new("hidden state h_t") };
        columns.AddRange(vocab.Select(c => new Column($"p({c})", true)));
        columns.AddRange([new("predicted"), new("target"), new("right?")]);
        r.Table(columns, result.After.Select((s, t) =>
        {
            bool right = s.Predicted == s.Target;
            var cells = new List<Cell>
            {
                (t + 1).ToString(CultureInfo.InvariantCulture), s.Input.ToString(), OneHot(vocab.IndexOf(s.Input), vocab.Length),
                "[" + string.Join(" ", s.Hidden.Select(h => h.ToString("+0.00;-0.00", CultureInfo.InvariantCulture))) + "]",
            };
            cells.AddRange(s.Probabilities.Select((p, j) => new Cell(p.ToString("F3", CultureInfo.InvariantCulture), vocab[j] == s.Predicted ? Tone.Accent : Tone.Dim)));
            cells.AddRange([new Cell(s.Predicted.ToString(), Tone.Accent), s.Target.ToString(), new Cell(right ? "yes" : "no", right ? Tone.Good : Tone.Bad)]);
            return cells.ToArray();
        }));
        string predicted = result.Predicted, target = word[1..];
        r.Line();
        r.Line($"Predicted \"{predicted}\" for target \"{target}\" (final loss {losses[^1].ToString("F4", CultureInfo.InvariantCulture)})", predicted == target ? Tone.Good : Tone.Bad);
        return 0;
    }

    private static string OneHot(int index, int size) => "[" + string.Join(" ", Enumerable.Range(0, size).Select(i => i == index ? "1" : "0")) + "]";

    private static string Predicted(IEnumerable<HelloStep> steps) => new(steps.Select(s => s.Predicted).ToArray());

    private static string Num(double x) => x.ToString(CultureInfo.InvariantCulture);
}
