using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Tests.Training;

/// <summary>After warm-up, a training step (forward, loss, backward, clipping, optimizer) allocates nothing.</summary>
public class AllocationTests
{
    [Fact]
    public void A_char_lm_training_step_allocates_nothing_after_warm_up()
    {
        var rng = new Rng(1);
        var model = new CharLanguageModel(new CharLanguageModelConfig(20, 8, new RecurrentConfig(CellKind.Lstm, 16, NumLayers: 2, Dropout: 0.1f)), rng);
        var ps = model.Parameters;
        var opt = new Adam(ps, 1e-3);
        const int B = 4, T = 7;
        var x = Enumerable.Range(0, B * T).Select(i => i % 20).ToArray();
        var y = Enumerable.Range(0, B * T).Select(i => (i * 7) % 20).ToArray();
        void Step()
        {
            opt.ZeroGrad();
            model.Step(x, y, B, T);
            GradientClipping.ClipByGlobalNorm(ps, 1);
            opt.Step();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_bidirectional_classifier_step_on_a_tape_allocates_nothing_after_warm_up()
    {
        var rng = new Rng(2);
        var model = new SequenceClassifier(6, 8, new RecurrentConfig(CellKind.Gru, 12, NumLayers: 2, Bidirectional: true, Dropout: 0.2f), 3, SequencePooling.Mean, dropout: 0.1f, rng: rng);
        var ps = model.Parameters;
        var opt = new Adam(ps, 1e-3);
        var tape = new Tape();
        const int B = 5, T = 6;
        var tokens = Enumerable.Range(0, B * T).Select(i => i % 6).ToArray();
        int[] lengths = [6, 2, 4, 1, 5];
        int[] labels = [0, 1, 2, 1, 0];
        void Step()
        {
            tape.Reset();
            opt.ZeroGrad();
            tape.Backward(tape.CrossEntropy(model.Logits(tape, tokens, B, T, lengths), labels));
            opt.Step();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
