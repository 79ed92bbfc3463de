using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tests.Models;

public class BeamSearchTests
{
    private const int Bos = 0, Eos = 1;

    private static EncoderDecoder Model(AttentionKind kind, int targetVocab, ulong seed, float weightScale = 1)
    {
        var config = new EncoderDecoderConfig(7, targetVocab, 6, 5, new RecurrentConfig(CellKind.Lstm, 6, 2, Bidirectional: true),
            new RecurrentConfig(CellKind.Lstm, 8, 2), kind, AttentionDim: 4);
        var model = new EncoderDecoder(config, new Rng(seed));
        // Larger weights make peaked, varied distributions, so the searches have something to choose between.
        foreach (var p in model.Parameters) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Value.Span, weightScale, p.Value.Span);
        return model;
    }

    private static (int[] Source, int[] Lengths, int Steps) Sources(int batch, ulong seed)
    {
        var rng = new Rng(seed);
        const int steps = 5;
        var lengths = Enumerable.Range(0, batch).Select(_ => 1 + rng.NextInt(steps)).ToArray();
        var source = new int[batch * steps];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++) source[b * steps + t] = t < lengths[b] ? 1 + rng.NextInt(6) : 0;
        return (source, lengths, steps);
    }

    [Theory]
    [InlineData(AttentionKind.Additive)]
    [InlineData(AttentionKind.Dot)]
    [InlineData(AttentionKind.General)]
    [InlineData(AttentionKind.ScaledDot)]
    public void Beam_of_one_is_greedy_exactly(AttentionKind kind)
    {
        var model = Model(kind, 9, 11, weightScale: 2);
        var (source, lengths, steps) = Sources(6, 5);
        var greedy = model.Greedy(source, 6, steps, lengths, Bos, Eos, maxSteps: 7, lengthPenalty: 0.6);
        var beam = model.BeamSearch(source, 6, steps, lengths, Bos, Eos, new BeamOptions(1, 0.6, 7));
        for (int b = 0; b < 6; b++)
        {
            var (g, h) = (greedy[b], Assert.Single(beam[b]));
            Assert.Equal(g.Tokens, h.Tokens);
            Assert.Equal(g.LogProbability, h.LogProbability);
            Assert.Equal(g.Score, h.Score);
            Assert.Equal(g.Finished, h.Finished);
            Assert.Equal(g.Attention.Length, h.Attention.Length);
            for (int t = 0; t < g.Attention.Length; t++) Assert.Equal(g.Attention[t], h.Attention[t]);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Wide_beam_finds_the_exhaustive_best_list(double alpha)
    {
        // Target tokens BOS, EOS, a, b: every output of at most 3 tokens, scored by teacher forcing.
        const int vocab = 4, maxSteps = 3;
        var model = Model(AttentionKind.Additive, vocab, 3, weightScale: 3);
        var (source, lengths, steps) = Sources(3, 8);
        var options = new BeamOptions(BeamSize: 27, LengthPenalty: alpha, MaxSteps: maxSteps, NBest: 8);
        var beam = model.BeamSearch(source, 3, steps, lengths, Bos, Eos, options);
        int[] writable = [0, 2, 3];
        var outputs = new List<int[]> { Array.Empty<int>() };
        for (int n = 1; n <= maxSteps; n++)
            outputs.AddRange(outputs.Where(o => o.Length == n - 1).SelectMany(o => writable.Select(w => o.Append(w).ToArray())).ToList());
        for (int b = 0; b < 3; b++)
        {
            var src = source.AsSpan(b * steps, steps).ToArray();
            var scored = outputs.Select(o =>
            {
                bool finished = o.Length < maxSteps; // the longest outputs are cut, not ended
                double logp = LogProbability(model, src, lengths[b], o, finished);
                return (Tokens: o, Score: logp / options.Penalty(o.Length + (finished ? 1 : 0)), Finished: finished);
            }).OrderByDescending(x => x.Score).Take(options.NBest).ToList();
            Assert.Equal(scored.Count, beam[b].Length);
            for (int i = 0; i < scored.Count; i++)
            {
                Assert.Equal(scored[i].Tokens, beam[b][i].Tokens);
                Assert.Equal(scored[i].Finished, beam[b][i].Finished);
                Assert.Equal(scored[i].Score, beam[b][i].Score, 4);
            }
        }
    }

    [Fact]
    public void Attention_weights_per_step_cover_the_valid_source()
    {
        var model = Model(AttentionKind.General, 9, 4);
        var (source, lengths, steps) = Sources(4, 2);
        var best = model.BeamSearch(source, 4, steps, lengths, Bos, Eos, new BeamOptions(3, 0, 6, 2));
        for (int b = 0; b < 4; b++)
            foreach (var h in best[b])
            {
                Assert.Equal(h.Tokens.Length + (h.Finished ? 1 : 0), h.Attention.Length);
                Assert.All(h.Attention, row => { Assert.Equal(lengths[b], row.Length); Assert.Equal(1f, row.Sum(), 4); });
            }
        Assert.All(best, n => Assert.True(n[0].Score >= n[^1].Score));
    }

    [Fact]
    public void Bad_options_name_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new BeamOptions(2, 0, 5, NBest: 3).Validate());
        Assert.Contains("--nbest", e.Message);
        Assert.Contains("--beam", Assert.Throws<ArgumentException>(() => new BeamOptions(0).Validate()).Message);
    }

    // log P(tokens [+ EOS] | source) by teacher forcing.
    private static double LogProbability(EncoderDecoder model, int[] source, int length, int[] tokens, bool withEos)
    {
        model.Training = false;
        var targets = withEos ? [.. tokens, Eos] : tokens;
        var inputs = new[] { Bos }.Concat(tokens).Take(targets.Length).ToArray();
        var tape = new Tape();
        var logits = model.Logits(tape, source, 1, source.Length, [length], inputs, inputs.Length).Value;
        int v = logits.Dim(2);
        double sum = 0;
        for (int t = 0; t < targets.Length; t++)
        {
            var row = logits.Span.Slice(t * v, v).ToArray();
            double max = row.Max(), lse = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
            sum += row[targets[t]] - lse;
        }
        return sum;
    }
}

public class EncoderDecoderGradientTests
{
    [Theory]
    [InlineData(AttentionKind.Additive, CellKind.Lstm)]
    [InlineData(AttentionKind.General, CellKind.Gru)]
    public void Finite_differences_through_the_whole_model(AttentionKind kind, CellKind cell)
    {
        // Two decoder layers, a bidirectional two-layer encoder, padded sources and targets: every parameter's gradient
        // of the teacher-forced loss against central differences.
        var config = new EncoderDecoderConfig(6, 7, 4, 3, new RecurrentConfig(cell, 3, 2, Bidirectional: true), new RecurrentConfig(cell, 4, 2), kind, 3);
        var model = new EncoderDecoder(config, new Rng(21));
        int[] source = [1, 2, 3, 0, 4, 5, 0, 0], lengths = [3, 2], targetIn = [0, 3, 4, 0, 5, 0], targetOut = [3, 4, 1, 5, 1, -100];
        Recur.Tests.Ops.OpGradientCheck.Check((t, _) => t.CrossEntropy(model.Logits(t, source, 2, 4, lengths, targetIn, 3), targetOut), [], model.Parameters, scalar: true);
    }

    [Fact]
    public void Scheduled_sampling_feeds_the_model_its_own_choices()
    {
        var config = new EncoderDecoderConfig(6, 7, 4, 3, new RecurrentConfig(CellKind.Lstm, 3), new RecurrentConfig(CellKind.Lstm, 4));
        var model = new EncoderDecoder(config, new Rng(2));
        int[] source = [1, 2, 3], targetIn = [0, 3, 4, 5, 6];
        var forced = model.Logits(new Tape(), source, 1, 3, [3], targetIn, 5).Value.ToArray();
        var always = model.Logits(new Tape(), source, 1, 3, [3], targetIn, 5, samplingRate: 0.999f, samplingRng: new Rng(1)).Value.ToArray();
        Assert.Equal(forced.AsSpan(0, 7).ToArray(), always.AsSpan(0, 7).ToArray()); // step 0 reads BOS either way
        Assert.NotEqual(forced, always);
        Assert.Throws<ArgumentNullException>(() => model.Logits(new Tape(), source, 1, 3, [3], targetIn, 5, samplingRate: 0.5f));
    }
}
