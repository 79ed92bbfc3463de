using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// One-to-many paradigm (image -> caption): a fixed vector conditions a sequence generator.
/// <code>
///   h_0 = tanh(W_f · features)          features [B, F] -> [B, H]   (the first layer's initial state; c_0 = 0)
///   tokens [B, T] -> Embedding -> RNN(h_0) -> Linear -> logits [B, T, V]   (teacher forcing: BOS + caption shifted right)
/// </code>
/// <see cref="Generate"/> samples a sequence for each feature vector, feeding each token back in.
/// </summary>
public sealed class ConditionedGenerator : Module
{
    /// <summary>Builds the model (the decoder is unidirectional).</summary>
    public ConditionedGenerator(int features, int vocabSize, int embeddingDim, RecurrentConfig rnn, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(rnn);
        if (rnn.Bidirectional) throw new ArgumentException("a generator reads left to right; Bidirectional must be false", nameof(rnn));
        var r = rng ?? Rng.Default;
        Condition = RegisterModule("condition", new Linear(features, rnn.HiddenSize, rng: r));
        Decoder = RegisterModule("decoder", new SequenceEncoder(vocabSize, embeddingDim, rnn, r));
        Head = RegisterModule("head", new Linear(rnn.HiddenSize, vocabSize, rng: r));
    }

    /// <summary>features -> initial state.</summary>
    public Linear Condition { get; }

    /// <summary>Embedding + recurrent stack over the tokens.</summary>
    public SequenceEncoder Decoder { get; }

    /// <summary>Per-step vocabulary logits.</summary>
    public Linear Head { get; }

    /// <summary>Teacher-forced logits [B, T, V].</summary>
    public Var Logits(Tape tape, Var features, ReadOnlySpan<int> inputs, int batch, int steps, int[]? lengths = null)
    {
        var h0 = InitialState(tape, features, batch);
        return tape.Linear(Head, Decoder.Encode(tape, inputs, batch, steps, lengths, h0).Output);
    }

    /// <summary>Greedy (temperature 0) or sampled generation of up to <paramref name="maxSteps"/> tokens per feature row, stopping at <paramref name="eos"/>.</summary>
    public int[][] Generate(Tensor features, int bos, int eos, int maxSteps, double temperature = 0, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        bool training = Training;
        Training = false;
        try
        {
            int batch = features.Dim(0);
            var tape = new Tape();
            var h = InitialState(tape, tape.Input(features), batch).Value.Clone(); // carried state, owned here
            Tensor? c = null;
            var prev = Enumerable.Repeat(bos, batch).ToArray();
            var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
            var done = new bool[batch];
            var random = rng ?? new Rng(0);
            double[]? probs = null;
            for (int t = 0; t < maxSteps && done.Contains(false); t++)
            {
                tape.Reset();
                var r = Decoder.Encode(tape, prev, batch, 1, null, tape.Input(h), c is null ? null : tape.Input(c));
                var logits = tape.Linear(Head, r.Output);
                r.Hn.Value.Span.CopyTo(h.Span);
                if (r.Cn is not null) (c ??= new Tensor(r.Cn.Shape.ToArray())).CopyFrom(r.Cn.Value);
                int v = logits.Value.Dim(2);
                for (int i = 0; i < batch; i++)
                {
                    prev[i] = TokenSampler.Pick(logits.Value.Span.Slice(i * v, v), temperature, 0, random, probs ??= new double[v]);
                    if (done[i]) continue;
                    if (prev[i] == eos) done[i] = true; else outputs[i].Add(prev[i]);
                }
            }
            return outputs.Select(o => o.ToArray()).ToArray();
        }
        finally
        {
            Training = training;
        }
    }

    private Var InitialState(Tape tape, Var features, int batch)
    {
        var h = tape.Tanh(tape.Linear(Condition, features));
        int layers = Decoder.Rnn.NumLayers;
        if (layers == 1) return tape.Reshape(h, 1, batch, Decoder.Rnn.HiddenSize);
        throw new NotSupportedException("ConditionedGenerator conditions a single-layer decoder; use NumLayers = 1");
    }
}
