using System.CommandLine;
using System.Globalization;
using Recur.Cli.Demo;
using Recur.Cli.Hosting;
using Recur.Cli.Output;
using Recur.Cli.Reports;
using Recur.Layers;
using Recur.Models;

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
        return new Command("demo", "Small worked examples that show how recurrent networks compute.") { hello, Bits(host), Gradients(host), Compare(host) };
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

    private static readonly RecurrentConfig[] Cells = [new(CellKind.Rnn, 32), new(CellKind.Lstm, 32), new(CellKind.Gru, 32)];

    private static string CellName(RecurrentConfig c) =>
        c.Cell == CellKind.Rnn ? $"RNN ({ConfigJson.Name(c.Nonlinearity)})" : c.Cell.ToString().ToUpperInvariant();

    private static Command Gradients(CliHost host)
    {
        var delays = new Option<string>("--delays") { Description = "Delays to train at, comma-separated", DefaultValueFactory = _ => "5,10,20,50,100", HelpName = "N,N,..." };
        var updates = new Option<int>("--updates") { Description = "Updates per network", DefaultValueFactory = _ => 1000, HelpName = "N" }.AtLeast(1);
        var seed = new Option<ulong>("--seed") { Description = "Seed for weights and data", DefaultValueFactory = _ => 1, HelpName = "N" };
        var report = ReportOption();
        var cmd = new Command("gradients", "Vanishing and exploding gradients on a long-dependency task (say the first of T random bits at the end): how much error signal reaches each earlier step for RNN, LSTM and GRU, accuracy against the delay, and what clipping does to an exploding RNN.")
        {
            delays, updates, seed, report,
        };
        host.SetAction(cmd, p =>
        {
            int[] chosen;
            try { chosen = [.. p.GetValue(delays)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, CultureInfo.InvariantCulture))]; }
            catch (FormatException) { throw new UserError($"--delays must be whole numbers separated by commas; got '{p.GetValue(delays)}'"); }
            if (chosen.Length == 0 || chosen.Any(d => d < 1)) throw new UserError($"--delays must be positive; got '{p.GetValue(delays)}'");
            var task = new FirstBitTask(seed: p.GetValue(seed));
            var r = host.Report;
            r.Line("Task: T random bits (±1, one a step); at the last step say the first one. The error signal must travel back T-1 steps.", Tone.Accent);

            const int Steps = 100;
            var exploding = new RecurrentConfig(CellKind.Rnn, 32, Nonlinearity: RnnNonlinearity.Relu);
            var profiles = Cells.Select(c => (Name: CellName(c), Reach: task.GradientReach(c, Steps))).ToList();
            profiles.Add(($"RNN (relu), gain 2", task.GradientReach(exploding, Steps, FirstBitTask.RecurrentGain(2))));
            r.Heading($"How much gradient reaches each earlier step, ‖∂L/∂h_t‖ / ‖∂L/∂h_T-1‖, untrained networks, T = {Steps}");
            int[] distances = [0, 1, 2, 5, 10, 20, 50, Steps - 1];
            r.Table([new("steps back", true), .. profiles.Select(x => new Column(x.Name, true))],
                distances.Select(k => new Cell[] { k.ToString(CultureInfo.InvariantCulture) }.Concat(profiles.Select(x => (Cell)Sci(x.Reach[k]))).ToArray()));
            r.Line("At 20 steps back: " + string.Join(", ", profiles.Select(x => $"{x.Name} {Sci(x.Reach[20])}")) + ".");
            r.Line("Shrinking toward 0 is the vanishing gradient, growing the exploding one. The LSTM and GRU start with their forget/update");
            r.Line("gates biased to keep the state (bias 1, as Keras does for the LSTM); the LSTM's memory is in c, which h shows only in part.");

            r.Heading($"Accuracy on fresh sequences after {p.GetValue(updates)} updates (batch 32, Adam 3e-3, clip 1; guessing is 50%)");
            var results = chosen.Select(d => Cells.Select(c => task.Train(c, d, p.GetValue(updates))).ToArray()).ToList();
            r.Table([new("delay", true), .. Cells.Select(c => new Column(CellName(c), true))],
                results.Select(row => new Cell[] { row[0].Delay.ToString(CultureInfo.InvariantCulture) }
                    .Concat(row.Select(x => new Cell(Percent(x.Accuracy), x.Accuracy >= 0.95 ? Tone.Good : x.Accuracy < 0.6 ? Tone.Bad : Tone.Normal))).ToArray()));
            r.Line("Longest delay learned (95% or more): " + string.Join(", ", Cells.Select((c, i) =>
                $"{CellName(c)} {(results.Where(row => row[i].Accuracy >= 0.95).Select(row => row[i].Delay).DefaultIfEmpty().Max() is int d and > 0 ? d.ToString(CultureInfo.InvariantCulture) : "none")}")) + ".");

            int delay = Math.Min(20, chosen.Max());
            const double Lr = 0.05;
            r.Heading($"The exploding RNN (relu, gain 2) at delay {delay}, plain SGD lr {Lr.ToString(CultureInfo.InvariantCulture)}, with and without clipping the gradient norm at 1");
            var runs = new[] { (Clip: 0.0, Label: "no clipping"), (Clip: 1.0, Label: "clip at 1") }
                .Select(c => (c.Label, Result: task.Train(exploding, delay, p.GetValue(updates), clip: c.Clip, prepare: FirstBitTask.RecurrentGain(2), sgd: Lr))).ToList();
            r.Table([new("training"), new("largest gradient norm", true), new("final loss", true), new("accuracy", true), new("updates", true)],
                runs.Select(x => new Cell[] { x.Label, Sci(x.Result.MaxGradientNorm), Sci(x.Result.FinalLoss), Percent(x.Result.Accuracy), x.Result.Updates.ToString(CultureInfo.InvariantCulture) }));
            r.Line("Clipping rescales the whole gradient to norm 1 when it is larger, keeping its direction: one huge step cannot throw the weights away.");
            if (p.GetValue(report) is { } page)
            {
                DemoPages.Gradients(page, profiles, results, [.. Cells.Select(CellName)], runs);
                host.Out.WriteLine($"report: {Path.GetFullPath(page)}");
            }
            return 0;
        });
        return cmd;
    }

    private static Command Compare(CliHost host)
    {
        var delay = new Option<int>("--delay") { Description = "Steps between the bit and the answer", DefaultValueFactory = _ => 40, HelpName = "N" }.AtLeast(1);
        var seconds = new Option<double>("--seconds") { Description = "Training time per network", DefaultValueFactory = _ => 10, HelpName = "S" }.AtLeast(0.1);
        var seed = new Option<ulong>("--seed") { Description = "Seed for weights and data", DefaultValueFactory = _ => 1, HelpName = "N" };
        var report = ReportOption();
        var cmd = new Command("compare", "RNN vs LSTM vs GRU with 32 units on the same long-dependency task and time budget: parameters, updates, time per update and accuracy.")
        {
            delay, seconds, seed, report,
        };
        host.SetAction(cmd, p =>
        {
            var task = new FirstBitTask(seed: p.GetValue(seed));
            var r = host.Report;
            r.Line($"Say the first of {p.GetValue(delay) + 1} random bits at the end; {p.GetValue(seconds).ToString(CultureInfo.InvariantCulture)} s of training each (batch 32, Adam 3e-3, clip 1; guessing is 50%).", Tone.Accent);
            var results = Cells.Select(c => task.Train(c, p.GetValue(delay), int.MaxValue, p.GetValue(seconds))).ToList();
            r.Table([new("network"), new("parameters", true), new("ms / update", true), new("learned (95%) after", true), new("updates", true), new("final accuracy", true)],
                results.Select(x => new Cell[]
                {
                    CellName(x.Cell), x.Parameters.ToString(CultureInfo.InvariantCulture),
                    (1000 * x.Seconds / Math.Max(1, x.Updates)).ToString("F2", CultureInfo.InvariantCulture),
                    x.LearnedAfter is { } l ? new Cell($"{l.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s, {l.Updates} updates", Tone.Good) : new Cell("not within budget", Tone.Bad),
                    x.Updates.ToString(CultureInfo.InvariantCulture),
                    new Cell(Percent(x.Accuracy), x.Accuracy >= 0.95 ? Tone.Good : x.Accuracy < 0.6 ? Tone.Bad : Tone.Normal),
                }));
            r.Line("Per unit a GRU has 3 gate blocks and an LSTM 4 against the RNN's 1, so it is cheaper per update than the LSTM; the");
            r.Line("'learned after' column says which reaches the long dependency first (checked every 100 updates on 256 fresh sequences).");
            if (p.GetValue(report) is { } page)
            {
                DemoPages.Compare(page, [.. results.Select(x => (CellName(x.Cell), x))]);
                host.Out.WriteLine($"report: {Path.GetFullPath(page)}");
            }
            return 0;
        });
        return cmd;
    }

    private static Option<string?> ReportOption() =>
        new("--report") { Description = "Also write the results as an HTML page with charts (self-contained, as recur report writes)", HelpName = "FILE" };

    private static string Sci(double x) => double.IsNaN(x) ? "NaN" : double.IsPositiveInfinity(x) ? "inf" : x.ToString(x != 0 && (Math.Abs(x) < 1e-2 || Math.Abs(x) >= 1e4) ? "0.00e+0" : "0.000", CultureInfo.InvariantCulture);

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
