using System.Diagnostics;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// .NET cannot set flush-to-zero / denormals-are-zero, so a kernel fed values that drive its arithmetic into subnormals
/// could hit the CPU's slow microcode path. Each case times one kernel on ordinary inputs and on inputs that produce
/// (or are) subnormals; the row's ratio is normal time / subnormal time, so a ratio below 0.5 is a slowdown over 2x.
/// </summary>
public sealed class SubnormalSuite : IBenchSuite
{
    /// <inheritdoc />
    public string Name => "subnormal";

    /// <inheritdoc />
    public string Description => "kernel time on subnormal-driving inputs vs normal inputs (ratio >= 0.5 passes)";

    private const int N = 4096;

    private sealed record Case(string Name, string Why, Func<Random, float[][]> Normal, Func<Random, float[][]> Subnormal, Action<float[][]> Run);

    private static float[] Fill(Random rng, float lo, float hi)
    {
        var a = new float[N];
        for (int i = 0; i < N; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    private static float[] Empty() => new float[N];

    private static IEnumerable<Case> Cases()
    {
        yield return new("sigmoid x<-87", "e^x of very negative x is subnormal unless flushed",
            r => [Fill(r, -5, 5), Empty()], r => [Fill(r, -104, -87.5f), Empty()],
            a => Activations.Sigmoid(a[0], a[1]));
        yield return new("tanh tiny x", "x² and x³ of |x| < 1e-20 underflow in the polynomial",
            r => [Fill(r, -0.5f, 0.5f), Empty()], r => [Fill(r, -1e-38f, 1e-38f), Empty()],
            a => Activations.Tanh(a[0], a[1]));
        yield return new("softmax spread logits", "e^(x − max) below 1.2e-38 in most of the row",
            r => [Fill(r, -5, 5), Empty()], r => { var x = Fill(r, -103, -88); x[0] = 0; return [x, Empty()]; },
            a => Softmax.Forward(a[0], a[1], 1, N));
        yield return new("log-softmax backward", "e^y of log-probabilities near −100",
            r => [Fill(r, -5, 0), Fill(r, -1, 1), Empty()], r => [Fill(r, -103, -88), Fill(r, -1, 1), Empty()],
            a => Softmax.LogBackward(a[0], a[1], a[2], 1, N));
        yield return new("multiply tiny gates", "products of 1e-30 and 1e-10 are subnormal",
            r => [Fill(r, 0, 1), Fill(r, 0, 1), Empty()], r => [Fill(r, 0, 1e-30f), Fill(r, 0, 1e-10f), Empty()],
            a => Elementwise.Multiply(a[0], a[1], a[2]));
        yield return new("multiply subnormal operand", "one operand already subnormal",
            r => [Fill(r, 0, 1), Fill(r, 0, 1), Empty()], r => [Fill(r, 0, 1e-39f), Fill(r, 0, 1), Empty()],
            a => Elementwise.Multiply(a[0], a[1], a[2]));
        yield return new("multiply-add c = f*c + i*g", "forget gate 1e-20 on a cell of 1e-20",
            r => [Fill(r, 0, 1), Fill(r, 0, 1), Fill(r, 0, 1)], r => [Fill(r, 0, 1e-20f), Fill(r, 0, 1e-20f), Fill(r, 0, 1e-39f)],
            a => Elementwise.MultiplyAdd(a[0], a[1], a[2]));
        yield return new("axpy tiny alpha", "alpha·x subnormal", r => [Fill(r, -1, 1), Fill(r, -1, 1)], r => [Fill(r, -1e-30f, 1e-30f), Fill(r, -1e-9f, 1e-9f)],
            a => Elementwise.Axpy(1e-9f, a[0], a[1]));
        yield return new("tanh backward y≈±1", "dy·(1 − y)(1 + y) with 1 − y = 6e-8 and dy = 1e-33",
            r => [Fill(r, -0.9f, 0.9f), Fill(r, -1, 1), Empty()], r => [Enumerable.Repeat(1 - 6e-8f, N).ToArray(), Fill(r, -1e-32f, 1e-32f), Empty()],
            a => Activations.TanhBackward(a[0], a[1], a[2]));
        yield return new("sigmoid backward y≈0", "dy·(1 − y)·y with y = 1e-30 and dy = 1e-10",
            r => [Fill(r, 0.1f, 0.9f), Fill(r, -1, 1), Empty()], r => [Fill(r, 0, 1e-30f), Fill(r, -1e-10f, 1e-10f), Empty()],
            a => Activations.SigmoidBackward(a[0], a[1], a[2]));
        yield return new("sum of squares tiny", "squares of 1e-25 are subnormal", r => [Fill(r, -1, 1)], r => [Fill(r, -1e-25f, 1e-25f)],
            a => Reductions.SumOfSquares(a[0]));
    }

    /// <inheritdoc />
    public void Run(BenchOptions options, BenchReport report)
    {
        int rounds = options.Quick ? 41 : 201;
        BenchReport.Note($"n = {N} floats per call (L1/L2-resident); best of {rounds} interleaved ~0.5 ms rounds (other load only adds");
        BenchReport.Note("time, so the minimum is the kernel's own cost); ratio = normal / subnormal time, below 0.5 = over 2x slower");
        foreach (var c in Cases())
        {
            var normal = c.Normal(new Random(1));
            var subnormal = c.Subnormal(new Random(2));
            WarmUp(c.Run, normal, subnormal);
            int calls = Calibrate(c.Run, normal);
            var tn = new double[rounds];
            var ts = new double[rounds];
            for (int k = 0; k < rounds; k++)
            {
                tn[k] = Time(c.Run, normal, calls);
                ts[k] = Time(c.Run, subnormal, calls);
            }
            report.Add(new BenchRow(Name, c.Name, ts.Min(), tn.Min(), "ns/call", HigherIsBetter: false,
                new Dictionary<string, object> { ["why"] = c.Why, ["n"] = N }));
        }
    }

    /// <summary>Runs both inputs for half a second so tiered JIT has promoted the kernel to optimised code.</summary>
    private static void WarmUp(Action<float[][]> run, float[][] normal, float[][] subnormal)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 500) { run(normal); run(subnormal); }
    }

    /// <summary>Calls per timing so that one round takes about 0.5 ms (shorter than a scheduler slice).</summary>
    private static int Calibrate(Action<float[][]> run, float[][] args)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalMilliseconds < 0.5) { run(args); calls++; }
        return Math.Max(calls, 1);
    }

    private static double Time(Action<float[][]> run, float[][] args, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) run(args);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }
}
