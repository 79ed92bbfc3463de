using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Tests.Training;

public class TruncatedBpttTests
{
    /// <summary>
    /// Running parity of a bit stream (y_t = x_1 xor ... xor x_t over sequences of 32 bits) trained in chunks of 8
    /// steps: the answer in every chunk but the first depends on bits from earlier chunks, which only the carried state
    /// brings in. Stateful training learns it; the same model with its state reset at every chunk cannot beat chance there.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stateful_training_learns_a_dependency_longer_than_a_chunk(bool stateful)
    {
        const int B = 32, Seq = 32, K = 8, Chunks = Seq / K;
        var rng = new Rng(7);
        var rnn = new Gru(1, 24, rng: rng);
        var head = new Linear(24, 1, rng: rng);
        var ps = rnn.Parameters.Concat(head.Parameters).ToList();
        var opt = new Adam(ps, 0.01);
        var tape = new Tape();
        var state = new CarriedState();
        var x = new Tensor(B, Seq, 1);
        var y = new float[B * Seq];
        var chunkX = new Tensor(B, K, 1);
        var chunkY = new float[B * K];

        double Run(bool train, List<double>? lateAccuracy)
        {
            for (int b = 0; b < B; b++)
            {
                int p = 0;
                for (int t = 0; t < Seq; t++) { int bit = rng.NextInt(2); p ^= bit; x[b, t, 0] = bit; y[b * Seq + t] = p; }
            }
            state.Reset();
            double loss = 0;
            for (int k = 0; k < Chunks; k++)
            {
                for (int b = 0; b < B; b++)
                    for (int t = 0; t < K; t++) { chunkX[b, t, 0] = x[b, k * K + t, 0]; chunkY[b * K + t] = y[b * Seq + k * K + t]; }
                tape.Reset();
                opt.ZeroGrad();
                var r = tape.Recurrent(rnn, tape.Input(chunkX), state.H(tape));
                var logits = tape.Linear(head, r.Output);
                var l = tape.BinaryCrossEntropyWithLogits(logits, chunkY);
                loss += l.Value[0];
                if (train)
                {
                    tape.Backward(l);
                    GradientClipping.ClipByGlobalNorm(ps, 5);
                    opt.Step();
                }
                if (lateAccuracy is not null && k > 0)
                    lateAccuracy.Add(Enumerable.Range(0, B * K).Count(i => (logits.Value[i] > 0 ? 1f : 0f) == chunkY[i]) / (double)(B * K));
                if (stateful) state.Update(r); else state.Reset();
            }
            return loss / Chunks;
        }

        for (int epoch = 0; epoch < 150; epoch++) Run(true, null);
        var acc = new List<double>();
        for (int i = 0; i < 5; i++) Run(false, acc);
        double mean = acc.Average();
        if (stateful) Assert.True(mean > 0.97, $"stateful accuracy after the first chunk {mean:P1}");
        else Assert.True(mean < 0.65, $"stateless accuracy after the first chunk {mean:P1} (should be near chance)");
    }
}
