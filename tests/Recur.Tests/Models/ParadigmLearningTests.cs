using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Tests.Models;

/// <summary>
/// End-to-end learning, one test per paradigm of the notes, each on a small synthetic task that a working model
/// solves in seconds and a broken gradient does not.
/// </summary>
public class ParadigmLearningTests
{
    private static double TrainSteps(Module model, int steps, double lr, Func<Tape, int, Var> loss)
    {
        var tape = new Tape();
        var opt = new Adam(model.Parameters, lr);
        double last = double.NaN;
        for (int s = 0; s < steps; s++)
        {
            tape.Reset();
            opt.ZeroGrad();
            var l = loss(tape, s);
            last = l.Value[0];
            tape.Backward(l);
            GradientClipping.ClipByGlobalNorm(model.Parameters, 5);
            opt.Step();
        }
        return last;
    }

    [Fact]
    public void Many_to_many_synced_learns_the_notes_bit_problem_3()
    {
        // Problem 3 of the notes: each bit arrives over time and is answered at once with its reversal (0 <-> 1),
        // sequences of length 10; an LSTM tagger with one input and one output neuron.
        var rng = new Rng(1);
        var model = new SequenceTagger(1, new RecurrentConfig(CellKind.Lstm, 8), 1, rng: rng);
        const int B = 16, T = 10;
        var x = new Tensor(B, T, 1);
        var y = new float[B * T];
        void Sample()
        {
            for (int i = 0; i < B * T; i++) { x[i] = rng.NextInt(2); y[i] = 1 - x[i]; }
        }
        TrainSteps(model, 150, 0.05, (tape, _) =>
        {
            Sample();
            return tape.BinaryCrossEntropyWithLogits(model.Logits(tape, tape.Input(x), null), y);
        });
        Sample();
        model.Training = false;
        var logits = model.Logits(new Tape(), new Tape().Input(x), null);
        for (int i = 0; i < B * T; i++) Assert.Equal(y[i], logits.Value[i] > 0 ? 1f : 0f);
    }

    [Fact]
    public void Many_to_one_counts_ones_in_variable_length_sequences()
    {
        // Is the majority of the bits 1? Sequences of 3..12 bits, padded with -1 (as the notes pad), lengths given.
        var rng = new Rng(2);
        var model = new SequenceClassifier(3, 8, new RecurrentConfig(CellKind.Gru, 16, Bidirectional: true), 2, SequencePooling.Last, rng: rng);
        const int B = 32, T = 12;
        var tokens = new int[B * T];
        var lengths = new int[B];
        var labels = new int[B];
        void Sample()
        {
            for (int b = 0; b < B; b++)
            {
                lengths[b] = 3 + 2 * rng.NextInt(5); // odd lengths: no ties
                int ones = 0;
                for (int t = 0; t < T; t++)
                {
                    int bit = rng.NextInt(2);
                    tokens[b * T + t] = t < lengths[b] ? bit + 1 : -1;
                    if (t < lengths[b]) ones += bit;
                }
                labels[b] = 2 * ones > lengths[b] ? 1 : 0;
            }
        }
        TrainSteps(model, 300, 0.01, (tape, _) => { Sample(); return tape.CrossEntropy(model.Logits(tape, tokens, B, T, lengths), labels); });
        Sample();
        model.Training = false;
        var logits = model.Logits(new Tape(), tokens, B, T, lengths);
        int correct = Enumerable.Range(0, B).Count(b => (logits.Value[b, 1] > logits.Value[b, 0] ? 1 : 0) == labels[b]);
        Assert.True(correct >= B - 1, $"{correct}/{B} correct");
    }

    [Fact]
    public void Delayed_many_to_many_reverses_sequences_with_attention()
    {
        // Read a sequence of symbols, then write it backwards: the encoder-decoder paradigm (PAD 0, BOS 1, EOS 2, symbols 3..7).
        var rng = new Rng(3);
        var model = new EncoderDecoder(8, 8, 16, new RecurrentConfig(CellKind.Gru, 32, Bidirectional: true), new RecurrentConfig(CellKind.Gru, 32), rng);
        const int B = 32, S = 6, To = S + 1;
        var src = new int[B * S];
        var lengths = new int[B];
        var tgtIn = new int[B * To];
        var tgtOut = new int[B * To];
        void Sample()
        {
            for (int b = 0; b < B; b++)
            {
                int len = lengths[b] = 3 + rng.NextInt(S - 2);
                for (int t = 0; t < S; t++) src[b * S + t] = t < len ? 3 + rng.NextInt(5) : 0;
                for (int t = 0; t < To; t++)
                {
                    tgtIn[b * To + t] = t == 0 ? 1 : t <= len ? src[b * S + len - t] : 0;
                    tgtOut[b * To + t] = t < len ? src[b * S + len - 1 - t] : t == len ? 2 : -100;
                }
            }
        }
        TrainSteps(model, 400, 0.01, (tape, _) => { Sample(); return tape.CrossEntropy(model.Logits(tape, src, B, S, lengths, tgtIn, To), tgtOut); });
        Sample();
        var (outputs, attention) = model.Translate(src, B, S, lengths, bos: 1, eos: 2, maxSteps: To + 2);
        int exact = 0;
        for (int b = 0; b < B; b++)
        {
            var expected = Enumerable.Range(0, lengths[b]).Select(t => src[b * S + lengths[b] - 1 - t]).ToArray();
            if (outputs[b].SequenceEqual(expected)) exact++;
        }
        Assert.True(exact >= B * 0.9, $"{exact}/{B} sequences reversed exactly");
        Assert.Equal(lengths[0], attention[0][0].Length); // weights over the valid source steps only
        Assert.Equal(1f, attention[0][0].Sum(), 4);
    }

    [Fact]
    public void One_to_many_generates_a_sequence_from_a_vector()
    {
        // A one-hot "image" of class k (0..2) is captioned as token k+3 repeated k+1 times, then EOS (BOS 1, EOS 2).
        var rng = new Rng(4);
        var model = new ConditionedGenerator(3, 6, 8, new RecurrentConfig(CellKind.Lstm, 16), rng);
        const int B = 12, T = 4;
        var features = new Tensor(B, 3);
        var inputs = new int[B * T];
        var targets = new int[B * T];
        for (int b = 0; b < B; b++)
        {
            int k = b % 3;
            features[b, k] = 1;
            for (int t = 0; t < T; t++)
            {
                inputs[b * T + t] = t == 0 ? 1 : t <= k + 1 ? k + 3 : 0;
                targets[b * T + t] = t <= k ? k + 3 : t == k + 1 ? 2 : -100;
            }
        }
        TrainSteps(model, 200, 0.02, (tape, _) => tape.CrossEntropy(model.Logits(tape, tape.Input(features), inputs, B, T), targets));
        var generated = model.Generate(features, bos: 1, eos: 2, maxSteps: 6);
        for (int b = 0; b < B; b++) Assert.Equal(Enumerable.Repeat(b % 3 + 3, b % 3 + 1), generated[b]);
    }

    [Fact]
    public void Time_series_regressor_forecasts_a_sine_wave()
    {
        var rng = new Rng(5);
        var model = new SequenceRegressor(1, new RecurrentConfig(CellKind.Lstm, 16), 1, rng);
        const int B = 32, T = 12;
        var x = new Tensor(B, T, 1);
        var y = new float[B];
        void Sample()
        {
            for (int b = 0; b < B; b++)
            {
                double phase = rng.NextDouble() * 2 * Math.PI;
                for (int t = 0; t <= T; t++)
                {
                    float v = (float)Math.Sin(phase + 0.4 * t);
                    if (t < T) x[b, t, 0] = v; else y[b] = v;
                }
            }
        }
        double loss = TrainSteps(model, 300, 0.01, (tape, _) => { Sample(); return tape.MseLoss(model.Predict(tape, tape.Input(x)), y); });
        Assert.True(loss < 2e-3, $"final MSE {loss}");
    }
}
