using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training.Optimizers;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

/// <summary>
/// The linear-chain CRF against brute force: log Z, the gradient and the Viterbi path are compared with enumerating
/// all C^n tag paths of tiny sequences, straight from the definition of a path's score.
/// </summary>
public class CrfTests
{
    private const int C = 3;

    // A CRF whose parameters are large enough (U(-1, 1)) for the transitions to matter.
    private static LinearChainCrf MakeCrf(ulong seed)
    {
        var crf = new LinearChainCrf(C, new Rng(seed));
        var r = new Rng(seed + 100);
        foreach (var p in crf.Parameters) r.FillUniform(p.Value.Span, -1f, 1f);
        return crf;
    }

    private static Tensor Emissions(ulong seed, int b, int t, float scale = 2f)
    {
        var e = new Tensor(b, t, C);
        new Rng(seed).FillUniform(e.Span, -scale, scale);
        return e;
    }

    // Random gold tags at the valid steps, -100 (never read) at the padded ones.
    private static int[] Tags(ulong seed, int t, int[] lengths)
    {
        var r = new Rng(seed);
        var tags = new int[lengths.Length * t];
        for (int i = 0; i < lengths.Length; i++)
            for (int s = 0; s < t; s++) tags[i * t + s] = s < lengths[i] ? r.NextInt(C) : -100;
        return tags;
    }

    private static IEnumerable<int[]> AllPaths(int n)
    {
        int count = (int)Math.Pow(C, n);
        for (int k = 0; k < count; k++)
        {
            var y = new int[n];
            for (int s = 0, r = k; s < n; s++, r /= C) y[s] = r % C;
            yield return y;
        }
    }

    // score(y) = start[y_0] + Σ_t e[t, y_t] + Σ_{t≥1} trans[y_{t−1}, y_t] + end[y_{n−1}], in double.
    private static double PathScore(LinearChainCrf crf, Tensor e, int row, int[] y)
    {
        double s = (double)crf.StartTransitions.Value[y[0]] + crf.EndTransitions.Value[y[^1]];
        for (int t = 0; t < y.Length; t++) s += e[row, t, y[t]];
        for (int t = 1; t < y.Length; t++) s += crf.Transitions.Value[y[t - 1], y[t]];
        return s;
    }

    private static double BruteLogZ(LinearChainCrf crf, Tensor e, int row, int length)
    {
        var scores = AllPaths(length).Select(y => PathScore(crf, e, row, y)).ToArray();
        double max = scores.Max();
        return max + Math.Log(scores.Sum(s => Math.Exp(s - max)));
    }

    [Fact]
    public void Parameters_have_pytorch_crf_names_shapes_and_initial_range()
    {
        var crf = new LinearChainCrf(5, new Rng(1));
        Assert.Equal(["start_transitions", "end_transitions", "transitions"], crf.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal([5], crf.StartTransitions.Value.Shape.ToArray());
        Assert.Equal([5], crf.EndTransitions.Value.Shape.ToArray());
        Assert.Equal([5, 5], crf.Transitions.Value.Shape.ToArray());
        Assert.Equal(35, crf.ParameterCount);
        Assert.Equal("LinearChainCrf(5)", crf.Describe());
        var all = crf.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.True(all.Max() - all.Min() > 0.1f, "initial values should spread over U(-0.1, 0.1), not sit at one value");
        Assert.Equal(all, new LinearChainCrf(5, new Rng(1)).Parameters.SelectMany(p => p.Value.ToArray()).ToArray()); // the seed reproduces them
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearChainCrf(0));
    }

    [Fact]
    public void Log_partition_equals_enumeration_of_all_paths()
    {
        int[] lengths = [4, 1, 3, 2];
        var crf = MakeCrf(1);
        var e = Emissions(2, lengths.Length, 4);
        var tags = Tags(3, 4, lengths);
        var alpha = new double[4 * C];
        double expectedNll = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            double logZ = BruteLogZ(crf, e, i, lengths[i]);
            Assert.Equal(logZ, crf.LogPartition(e.Span.Slice(i * 4 * C, lengths[i] * C), lengths[i], alpha), 1e-9);
            expectedNll += logZ - PathScore(crf, e, i, tags.AsSpan(i * 4, lengths[i]).ToArray());
        }
        var tape = new Tape();
        var loss = tape.CrfNegativeLogLikelihood(crf, tape.Input(e), tags, lengths, LossReduction.Sum);
        Assert.Equal(expectedNll, loss.Value[0], 4);
    }

    [Fact]
    public void Log_partition_stays_exact_for_large_scores_and_forbidden_transitions()
    {
        // pytorch-crf users forbid tag pairs with transitions of -10000; emissions of a few hundred are not unusual
        // late in training. A linear-space forward algorithm overflows here (e^300 · e^300 ...).
        var crf = MakeCrf(4);
        crf.Transitions.Value[0, 1] = -10000f;
        crf.Transitions.Value[2, 2] = -10000f;
        var e = Emissions(5, 2, 4, scale: 300f);
        int[] lengths = [4, 3];
        var alpha = new double[4 * C];
        for (int i = 0; i < 2; i++)
        {
            double expected = BruteLogZ(crf, e, i, lengths[i]);
            Assert.Equal(expected, crf.LogPartition(e.Span.Slice(i * 4 * C, lengths[i] * C), lengths[i], alpha), 1e-9 * Math.Abs(expected));
        }
        var tape = new Tape();
        var x = tape.Input(e, requiresGrad: true);
        var loss = tape.CrfNegativeLogLikelihood(crf, x, Tags(6, 4, lengths), lengths);
        tape.Backward(loss);
        Assert.True(float.IsFinite(loss.Value[0]));
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.All(crf.Parameters.SelectMany(p => p.Grad.ToArray()), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void Gradient_is_expected_minus_gold_counts_by_enumeration()
    {
        // ∂nll/∂θ = E_p[counts] − gold counts, with p(y) = exp(score(y) − log Z) over all paths; the seed 2.5 scales it
        // and the parameters' gradients accumulate onto what they held.
        int[] lengths = [4, 1, 3, 2];
        const int T = 4;
        const float seed = 2.5f, held = 0.5f;
        var crf = MakeCrf(7);
        var e = Emissions(8, lengths.Length, T);
        var tags = Tags(9, T, lengths);
        var dE = new double[e.Length];
        double[] dStart = new double[C], dEnd = new double[C], dTrans = new double[C * C];
        for (int i = 0; i < lengths.Length; i++)
        {
            int n = lengths[i];
            double logZ = BruteLogZ(crf, e, i, n);
            var gold = tags.AsSpan(i * T, n).ToArray();
            foreach (var (y, sign) in AllPaths(n).Select(y => (y, Math.Exp(PathScore(crf, e, i, y) - logZ))).Append((gold, -1.0)))
            {
                for (int t = 0; t < n; t++) dE[(i * T + t) * C + y[t]] += sign;
                dStart[y[0]] += sign;
                dEnd[y[^1]] += sign;
                for (int t = 1; t < n; t++) dTrans[y[t - 1] * C + y[t]] += sign;
            }
        }
        foreach (var p in crf.Parameters) p.Grad.Fill(held);
        var tape = new Tape();
        var x = tape.Input(e, requiresGrad: true);
        tape.Backward(tape.CrfNegativeLogLikelihood(crf, x, tags, lengths, LossReduction.Sum), seed);
        AssertClose(dE, x.Grad!, seed, 0);
        AssertClose(dStart, crf.StartTransitions.Grad, seed, held);
        AssertClose(dEnd, crf.EndTransitions.Grad, seed, held);
        AssertClose(dTrans, crf.Transitions.Grad, seed, held);

        static void AssertClose(double[] expected, Tensor actual, float seed, float held)
        {
            for (int k = 0; k < expected.Length; k++) Assert.Equal(held + seed * expected[k], actual[k], 5);
        }
    }

    [Theory]
    [InlineData(LossReduction.Mean)]
    [InlineData(LossReduction.Sum)]
    [InlineData(LossReduction.SumOverTime)]
    public void Finite_differences_agree_for_every_reduction(LossReduction reduction)
    {
        int[] lengths = [4, 2, 1];
        var crf = MakeCrf(10);
        var tags = Tags(11, 4, lengths);
        Check((t, v) => t.CrfNegativeLogLikelihood(crf, v[0], tags, lengths, reduction), [Emissions(12, 3, 4)], crf.Parameters, scalar: true);
    }

    [Fact]
    public void Gradient_flows_through_a_linear_head_into_the_emissions_producer()
    {
        // The usual stack: emissions = Linear(features), then the CRF; the gradient check spans both modules.
        var head = new Linear(5, C, rng: new Rng(13));
        var crf = MakeCrf(14);
        int[] lengths = [3, 1];
        var tags = Tags(15, 3, lengths);
        Check((t, v) => t.CrfNegativeLogLikelihood(crf, t.Linear(head, v[0]), tags, lengths),
            [Random(new Rng(16), 2, 3, 5)], head.Parameters.Concat(crf.Parameters), scalar: true);
    }

    [Fact]
    public void Reductions_divide_the_sum_by_tokens_or_by_sequences()
    {
        int[] lengths = [4, 2, 1];
        var crf = MakeCrf(17);
        var e = Emissions(18, 3, 4);
        var tags = Tags(19, 4, lengths);
        var tape = new Tape();
        float Loss(LossReduction r) => tape.CrfNegativeLogLikelihood(crf, tape.Input(e), tags, lengths, r).Value[0];
        float sum = Loss(LossReduction.Sum);
        Assert.True(sum > 0); // -log of a probability below 1
        Assert.Equal(sum / 7, Loss(LossReduction.Mean), 5);
        Assert.Equal(sum / 3, Loss(LossReduction.SumOverTime), 5);
        // Without lengths every one of the B·T steps counts.
        var full = Tags(20, 4, [4, 4, 4]);
        float fullSum = tape.CrfNegativeLogLikelihood(crf, tape.Input(e), full, reduction: LossReduction.Sum).Value[0];
        Assert.Equal(fullSum / 12, tape.CrfNegativeLogLikelihood(crf, tape.Input(e), full).Value[0], 5);
    }

    [Fact]
    public void Viterbi_finds_the_best_path_by_enumeration()
    {
        const int T = 4;
        int[] lengths = [4, 1, 3, 2, 4];
        var tags = new int[lengths.Length * T];
        for (ulong trial = 0; trial < 20; trial++)
        {
            var crf = MakeCrf(20 + trial);
            var e = Emissions(40 + trial, lengths.Length, T);
            crf.Decode(e, lengths, tags);
            var rows = crf.Decode(e, lengths);
            for (int i = 0; i < lengths.Length; i++)
            {
                var best = AllPaths(lengths[i]).MaxBy(y => PathScore(crf, e, i, y))!;
                Assert.Equal(best, tags.AsSpan(i * T, lengths[i]).ToArray());
                Assert.Equal(best, rows[i]);
                Assert.All(tags.AsSpan(i * T + lengths[i], T - lengths[i]).ToArray(), v => Assert.Equal(-1, v));
            }
        }
        // Without lengths every row has T steps.
        var all = MakeCrf(60).Decode(Emissions(61, 2, T));
        Assert.All(all, r => Assert.Equal(T, r.Length));
    }

    [Fact]
    public void Viterbi_breaks_ties_towards_the_lowest_tag()
    {
        var crf = new LinearChainCrf(C);
        foreach (var p in crf.Parameters) p.Value.Clear();
        var e = new Tensor(1, 3, C); // every path scores 0
        Assert.Equal([0, 0, 0], crf.Decode(e)[0]);
        e[0, 1, 2] = 1f; e[0, 1, 1] = 1f; // step 1: tags 1 and 2 tie for the best
        Assert.Equal([0, 1, 0], crf.Decode(e)[0]);
    }

    [Fact]
    public void Padded_steps_are_never_read_and_get_exactly_zero_gradient()
    {
        const int T = 5;
        int[] lengths = [5, 2, 1];
        var crf = MakeCrf(70);
        var e = Emissions(71, 3, T);
        var tags = Tags(72, T, lengths);
        var (loss, grad, pgrad) = Run(e, tags);

        // Anything at the padded steps: huge or NaN scores, tags out of range.
        var e2 = e.Clone();
        var tags2 = (int[])tags.Clone();
        for (int i = 0; i < 3; i++)
            for (int s = lengths[i]; s < T; s++)
            {
                tags2[i * T + s] = s % 2 == 0 ? 99 : int.MinValue;
                for (int j = 0; j < C; j++) e2[i, s, j] = j == 0 ? float.NaN : 1e6f;
            }
        var (loss2, grad2, pgrad2) = Run(e2, tags2);
        Assert.Equal(loss, loss2);
        Assert.Equal(pgrad, pgrad2);
        for (int i = 0; i < 3; i++)
            for (int s = 0; s < T; s++)
                for (int j = 0; j < C; j++)
                {
                    if (s < lengths[i]) { Assert.Equal(grad[i, s, j], grad2[i, s, j]); continue; }
                    Assert.Equal(0f, grad[i, s, j]);
                    Assert.Equal(0f, grad2[i, s, j]);
                }
        Assert.Contains(grad.ToArray(), g => g != 0); // the valid steps do get a gradient

        // Viterbi ignores them too.
        Assert.Equal(crf.Decode(e, lengths), crf.Decode(e2, lengths));

        (float Loss, Tensor Grad, float[] ParamGrad) Run(Tensor emissions, int[] t)
        {
            crf.ZeroGrad();
            var tape = new Tape();
            var x = tape.Input(emissions, requiresGrad: true);
            var l = tape.CrfNegativeLogLikelihood(crf, x, t, lengths);
            tape.Backward(l);
            return (l.Value[0], x.Grad!.Clone(), crf.Parameters.SelectMany(p => p.Grad.ToArray()).ToArray());
        }
    }

    [Fact]
    public void Bad_inputs_name_the_argument_and_record_nothing()
    {
        var crf = MakeCrf(80);
        var tape = new Tape();
        var e = tape.Input(Emissions(81, 2, 3), requiresGrad: true);
        int[] tags = [0, 1, 2, 2, 1, 0];

        var s = Assert.Throws<ShapeMismatchException>(() => tape.CrfNegativeLogLikelihood(crf, tape.Input(new Tensor(2, 3)), tags));
        Assert.Equal("emissions", s.ParamName);
        s = Assert.Throws<ShapeMismatchException>(() => tape.CrfNegativeLogLikelihood(crf, tape.Input(new Tensor(2, 3, 4)), tags));
        Assert.Contains("[B, T, 3]", s.Message);
        Assert.Contains("[2, 3, 4]", s.Message);
        Assert.Throws<ShapeMismatchException>(() => tape.CrfNegativeLogLikelihood(crf, tape.Input(new Tensor(2, 0, 3)), []));
        s = Assert.Throws<ShapeMismatchException>(() => tape.CrfNegativeLogLikelihood(crf, e, tags.AsSpan(0, 5)));
        Assert.Equal("tags", s.ParamName);
        Assert.Contains("[6]", s.Message);
        s = Assert.Throws<ShapeMismatchException>(() => tape.CrfNegativeLogLikelihood(crf, e, tags, [3]));
        Assert.Equal("lengths", s.ParamName);

        var r = Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrfNegativeLogLikelihood(crf, e, [0, 1, 2, 2, 1, 3]));
        Assert.Equal("tags", r.ParamName);
        Assert.Contains("row 1, step 2", r.Message);
        Assert.Contains("= 3 is outside [0, 3)", r.Message);
        // -100 is only fine at padded steps.
        r = Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrfNegativeLogLikelihood(crf, e, [0, -100, 2, 2, 1, 0], [3, 3]));
        Assert.Contains("row 0, step 1", r.Message);
        r = Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrfNegativeLogLikelihood(crf, e, tags, [0, 3]));
        Assert.Contains("lengths[0] = 0 is outside [1, T=3]", r.Message);
        r = Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrfNegativeLogLikelihood(crf, e, tags, [3, 4]));
        Assert.Contains("lengths[1] = 4", r.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrfNegativeLogLikelihood(crf, e, tags, reduction: (LossReduction)7));
        Assert.Equal(0, tape.Count); // nothing half-recorded

        Assert.Throws<ShapeMismatchException>(() => crf.Decode(e.Value, null, new int[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => crf.Decode(e.Value, [1, 0]));
        Assert.Throws<ShapeMismatchException>(() => crf.Decode(new Tensor(2, 3, 2)));
    }

    [Fact]
    public void Crf_learns_a_tag_that_depends_on_the_previous_one_where_a_softmax_cannot()
    {
        // The emissions carry no information (a bias-only map of a constant input: the same scores at every step of
        // every row) and the tags alternate A B A B ... from A. Only the transitions can tell the steps apart.
        const int B = 8, T = 6, A = 0;
        int[] lengths = [6, 5, 4, 3, 2, 1, 6, 5];
        var tags = new int[B * T];
        for (int i = 0; i < B; i++)
            for (int s = 0; s < T; s++) tags[i * T + s] = s < lengths[i] ? (s % 2 == 0 ? A : 1) : -100;
        var x = new Tensor(B, T, 1);
        x.Fill(1f);
        int valid = lengths.Sum(), majority = Enumerable.Range(0, B * T).Count(k => tags[k] == A);

        var rng = new Rng(90);
        var head = new Linear(1, C, rng: rng);
        var crf = new LinearChainCrf(C, rng);
        var opt = new Adam(head.Parameters.Concat(crf.Parameters), lr: 0.05);
        var tape = new Tape();
        for (int step = 0; step < 300; step++)
        {
            tape.Reset();
            opt.ZeroGrad();
            tape.Backward(tape.CrfNegativeLogLikelihood(crf, tape.Linear(head, tape.Input(x)), tags, lengths));
            opt.Step();
        }
        tape.Reset();
        var decoded = new int[B * T];
        crf.Decode(tape.Linear(head, tape.Input(x)).Value, lengths, decoded);
        Assert.Equal(tags.Select(v => v == -100 ? -1 : v), decoded);

        // The same head trained with a per-step softmax predicts one tag everywhere: at best the majority tag.
        var softmaxHead = new Linear(1, C, rng: new Rng(91));
        var sgd = new Adam(softmaxHead.Parameters, lr: 0.05);
        for (int step = 0; step < 300; step++)
        {
            tape.Reset();
            sgd.ZeroGrad();
            tape.Backward(tape.CrossEntropy(tape.Linear(softmaxHead, tape.Input(x)), tags));
            sgd.Step();
        }
        tape.Reset();
        var logits = tape.Linear(softmaxHead, tape.Input(x)).Value;
        int correct = 0;
        for (int k = 0; k < B * T; k++)
        {
            if (tags[k] == -100) continue;
            var row = logits.Span.Slice(k * C, C);
            if (row.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(row)) == tags[k]) correct++;
        }
        Assert.True(correct <= majority, $"a softmax over constant scores got {correct} of {valid} right, more than the {majority} of the majority tag");
    }

    [Fact]
    public void A_training_step_with_decoding_allocates_nothing_after_warm_up()
    {
        const int B = 3, T = 5;
        int[] lengths = [5, 2, 4];
        var head = new Linear(4, C, rng: new Rng(100));
        var crf = MakeCrf(101);
        var opt = new Adam(head.Parameters.Concat(crf.Parameters), lr: 1e-3);
        var x = Random(new Rng(102), B, T, 4);
        var tags = Tags(103, T, lengths);
        var decoded = new int[B * T];
        var tape = new Tape();
        void Step()
        {
            tape.Reset();
            opt.ZeroGrad();
            var e = tape.Linear(head, tape.Input(x));
            tape.Backward(tape.CrfNegativeLogLikelihood(crf, e, tags, lengths));
            opt.Step();
            crf.Decode(e.Value, lengths, decoded);
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
