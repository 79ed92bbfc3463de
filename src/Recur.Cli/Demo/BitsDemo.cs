using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training.Optimizers;

namespace Recur.Cli.Demo;

/// <summary>The network a bit problem is given.</summary>
internal enum BitNetwork
{
    /// <summary>Input neurons straight to sigmoid output neurons (applied to every step alike for problems 3 and 4).</summary>
    FeedForward,

    /// <summary>A tanh RNN over the steps with one sigmoid output neuron per step.</summary>
    Recurrent,
}

/// <summary>One trained network on one problem.</summary>
/// <param name="Problem">1-4.</param>
/// <param name="Variable">Problem 2 with variable lengths (padded with -1).</param>
/// <param name="Network">What was trained.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="TrainBits">Bit accuracy on the training examples.</param>
/// <param name="TestBits">Bit accuracy on the held-out examples.</param>
/// <param name="TestExact">Held-out examples with every bit right.</param>
/// <param name="Example">One held-out example: input, target and output bits as text.</param>
internal sealed record BitResult(int Problem, bool Variable, BitNetwork Network, int Parameters, double TrainBits, double TestBits, double TestExact,
    (string Input, string Target, string Output) Example);

/// <summary>
/// The notes' four bit problems, with the notes' input and output sizes:
/// <code>
///   1  one bit in, its inverse out                          x [1]        -> o [1]         o = 1 - x
///   2  10 bits in, 10 inverted out (variable: 1-10 bits,     x [10]       -> o [10]        o_i = 1 - x_i
///      padded with -1 to 10; padded outputs not scored)
///   3  the same over time, one bit a step, 10 steps          x_t [1]      -> o_t [1]       o_t = 1 - x_t
///   4  invert a bit when the current input equals the        x_t [1]      -> o_t [1]       o_t = x_t == o_{t-1} ? 1 - x_t : x_t
///      previous output (o_0 = 0)
/// </code>
/// Problems 1 and 2 need no memory and a single layer of sigmoid neurons solves them. Problem 4's output depends on
/// the previous output, i.e. on the past: whatever x_t is, the rule gives o_t = 1 - o_{t-1}, so the answer
/// alternates 1, 0, 1, 0, ... and is a function of the step's position, not of its input. A feed-forward network that
/// sees one step at a time cannot know it (about half its bits are wrong); an RNN counts steps in its state and can.
/// Every pattern is enumerated (2 for problem 1, 1,024 or 2,046 for problem 2, 1,024 sequences for problems 3-4),
/// 80% trains the network (full-batch Adam on binary cross-entropy) and 20% is held out.
/// </summary>
internal static class BitsDemo
{
    /// <summary>Steps (problems 3-4) and bits (problem 2).</summary>
    public const int Length = 10;

    /// <summary>The input value of padded positions in problem 2's variable-length form.</summary>
    public const float Padding = -1f;

    /// <summary>Trains <paramref name="network"/> on problem <paramref name="problem"/>.</summary>
    public static BitResult Run(int problem, bool variable, BitNetwork network, int epochs, int hidden, ulong seed)
    {
        if (problem is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(problem), problem, "the problems are 1, 2, 3 and 4");
        var (inputs, targets, masks) = Examples(problem, variable);
        var rng = new Rng(seed);
        int n = inputs.Length, test = problem == 1 ? n : Math.Max(1, n / 5);
        int[] order = [.. Enumerable.Range(0, n)];
        if (problem != 1) rng.Shuffle(order);
        int[] testRows = order[..test], trainRows = problem == 1 ? order : order[test..]; // problem 1 has two examples: both train and test

        bool overTime = problem >= 3;
        int width = problem == 2 ? Length : 1;   // features per step (problem 2: all 10 bits at once)
        int steps = overTime ? Length : 1;
        var rnn = network == BitNetwork.Recurrent ? new Rnn(1, hidden, rng: rng) : null;
        var head = new Linear(rnn is null ? width : hidden, width, rng: rng);
        var parameters = (rnn?.Parameters ?? []).Concat(head.Parameters).ToArray();
        if (rnn is not null && !overTime) throw new ArgumentException($"problem {problem} has no time axis for an RNN", nameof(network));

        Var Logits(Tape tape, Tensor x) =>                          // x [B, steps, width] -> logits [B, steps, width]
            rnn is null ? tape.Linear(head, tape.Input(x)) : tape.Linear(head, tape.Recurrent(rnn, tape.Input(x)).Output);

        var (trainX, trainY, trainM) = Gather(inputs, targets, masks, trainRows, steps, width);
        var adam = new Adam(parameters, network == BitNetwork.Recurrent ? 0.02 : 0.1);
        var tape = new Tape();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            tape.Reset();
            adam.ZeroGrad();
            var loss = tape.BinaryCrossEntropyWithLogits(Logits(tape, trainX), trainY, trainM);
            tape.Backward(loss);
            adam.Step();
        }

        (double Bits, double Exact, float[] Output) Score(int[] rows)
        {
            var (x, y, m) = Gather(inputs, targets, masks, rows, steps, width);
            var t = new Tape();
            var z = Logits(t, x).Value.Span;
            int per = steps * width;
            long right = 0, scored = 0, exact = 0;
            var output = new float[z.Length];
            for (int r = 0; r < rows.Length; r++)
            {
                bool all = true;
                for (int k = r * per; k < (r + 1) * per; k++)
                {
                    output[k] = z[k] > 0 ? 1 : 0;
                    if (m[k] == 0) continue;
                    scored++;
                    if (output[k] == y[k]) right++; else all = false;
                }
                if (all) exact++;
            }
            return ((double)right / scored, (double)exact / rows.Length, output);
        }
        var trained = Score(trainRows);
        var held = Score(testRows);
        int e0 = testRows[0], len = (int)masks[e0].Sum();
        string Bits(IEnumerable<float> v) => string.Concat(v.Take(len).Select(b => b == Padding ? "-" : b.ToString("0", System.Globalization.CultureInfo.InvariantCulture)));
        var example = (Bits(inputs[e0]), Bits(targets[e0]), Bits(held.Output.Take(steps * width)));
        return new BitResult(problem, variable, network, parameters.Sum(p => p.Count), trained.Bits, held.Bits, held.Exact, example);
    }

    /// <summary>Every example of the problem: input bits, target bits and a mask (0 on padding), each of length 1 or 10.</summary>
    public static (float[][] Inputs, float[][] Targets, float[][] Masks) Examples(int problem, bool variable)
    {
        var inputs = new List<float[]>();
        var targets = new List<float[]>();
        var masks = new List<float[]>();
        if (problem == 1)
        {
            foreach (float x in (float[])[0, 1]) { inputs.Add([x]); targets.Add([1 - x]); masks.Add([1]); }
            return ([.. inputs], [.. targets], [.. masks]);
        }
        int[] lengths = problem == 2 && variable ? [.. Enumerable.Range(1, Length)] : [Length];
        foreach (int length in lengths)
            for (int pattern = 0; pattern < 1 << length; pattern++)
            {
                var x = new float[Length];
                var y = new float[Length];
                var m = new float[Length];
                float previous = 0; // o_0 for problem 4
                for (int t = 0; t < Length; t++)
                {
                    if (t >= length) { x[t] = Padding; continue; }
                    x[t] = pattern >> t & 1;
                    y[t] = problem == 4 ? (x[t] == previous ? 1 - x[t] : x[t]) : 1 - x[t];
                    previous = y[t];
                    m[t] = 1;
                }
                inputs.Add(x); targets.Add(y); masks.Add(m);
            }
        return ([.. inputs], [.. targets], [.. masks]);
    }

    /// <summary>Rows of the examples as one batch [B, steps, width] with targets and masks flattened alike.</summary>
    private static (Tensor X, float[] Y, float[] M) Gather(float[][] inputs, float[][] targets, float[][] masks, int[] rows, int steps, int width)
    {
        var x = new Tensor(rows.Length, steps, width);
        var y = new float[rows.Length * steps * width];
        var m = new float[y.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            inputs[rows[r]].CopyTo(x.Span.Slice(r * steps * width, steps * width));
            targets[rows[r]].CopyTo(y, r * steps * width);
            masks[rows[r]].CopyTo(m, r * steps * width);
        }
        return (x, y, m);
    }
}
