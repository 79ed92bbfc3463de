using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Tests.Models;

/// <summary>Inference is safe for concurrent callers: many threads, each with its own tape, get what one thread gets.</summary>
public sealed class ConcurrentInferenceTests
{
    public static TheoryData<CellKind, bool, int, SequencePooling> Configs => new()
    {
        { CellKind.Lstm, true, 2, SequencePooling.Attention },
        { CellKind.Gru, false, 1, SequencePooling.Max },
        { CellKind.Rnn, true, 1, SequencePooling.Last },
        { CellKind.Lstm, false, 2, SequencePooling.Mean },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Many_threads_classifying_at_once_after_a_first_call_get_the_results_of_one_thread(CellKind cell, bool bidirectional, int layers, SequencePooling pooling)
    {
        var model = new SequenceClassifier(new SequenceClassifierConfig(50, 8, new RecurrentConfig(cell, 12, layers, bidirectional, Dropout: 0.3f), 3, pooling, AttentionDim: 6, Dropout: 0.2f), new Rng(3))
        { Training = false };
        var rng = new Rng(9);
        var calls = Enumerable.Range(0, 64).Select(_ =>
        {
            int b = 1 + rng.NextInt(4), t = 1 + rng.NextInt(24); // beyond 16 steps inference projects the input in chunks
            var tokens = new int[b * t];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.NextInt(50);
            int[] lengths = [.. Enumerable.Range(0, b).Select(r => r == 0 ? t : 1 + rng.NextInt(t))];
            return (tokens, b, t, lengths);
        }).ToArray();
        float[] Run((int[] Tokens, int B, int T, int[] Lengths) c) => model.Logits(new Tape(), c.Tokens, c.B, c.T, c.Lengths).Value.Span.ToArray();

        var expected = calls.Select(Run).ToArray();
        var actual = new float[calls.Length][];
        Parallel.For(0, calls.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            int i = k % calls.Length;
            var r = Run(calls[i]);
            lock (actual) actual[i] ??= r;
            Assert.Equal(expected[i], r);
        });
        Assert.Equal(expected, actual);
    }
}
