using Recur.IO.Checkpoints;
using Recur.IO.Safetensors;
using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training.Optimizers;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Layers;

/// <summary>A language model's output layer sharing its embedding table (PyTorch's decoder.weight = encoder.weight).</summary>
public class WeightTyingTests
{
    private sealed class TiedModel : Module
    {
        public TiedModel()
        {
            Encoder = RegisterModule("encoder", new Embedding(5, 3, rng: new Rng(1)));
            Decoder = RegisterModule("decoder", new Linear(3, 5, rng: new Rng(2)));
            Decoder.TieWeight(Encoder.Weight);
        }

        public Embedding Encoder { get; }

        public Linear Decoder { get; }

        public Var Loss(Tape tape, int[] tokens, int[] targets) =>
            tape.CrossEntropy(tape.Linear(Decoder, tape.Tanh(tape.Embedding(Encoder, tokens, 2, 2))), targets);
    }

    [Fact]
    public void A_tied_weight_is_one_parameter_under_two_names()
    {
        var model = new TiedModel();
        Assert.Same(model.Encoder.Weight, model.Decoder.Weight);
        Assert.Equal(["encoder.weight", "decoder.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(["encoder.weight", "decoder.weight", "decoder.bias"], model.NamedParameters(removeDuplicate: false).Select(p => p.Name));
        Assert.Equal(5 * 3 + 5, model.ParameterCount);
        Assert.Equal(["encoder.weight", "decoder.weight", "decoder.bias"], model.StateDict().Keys);
        _ = new Adam(model.Parameters, 1e-3); // no duplicate in the optimizer's list
    }

    [Fact]
    public void The_shared_table_gets_the_gradient_of_both_uses()
    {
        var model = new TiedModel();
        int[] tokens = [1, 4, 0, 4], targets = [2, 0, 4, 1];
        Check((t, _) => model.Loss(t, tokens, targets), [], model.Parameters, scalar: true);

        // The sum of what each use alone contributes: the decoder's part is the gradient with the encoder's input frozen.
        var tape = new Tape();
        model.ZeroGrad();
        tape.Backward(model.Loss(tape, tokens, targets));
        float[] both = model.Encoder.Weight.Grad.ToArray();
        var untied = new Linear(3, 5, rng: new Rng(2));
        model.Encoder.Weight.Value.Span.CopyTo(untied.Weight.Value.Span);
        model.Decoder.Bias!.Value.Span.CopyTo(untied.Bias!.Value.Span);
        var encoder = new Embedding(5, 3, rng: new Rng(1));
        model.Encoder.Weight.Value.Span.CopyTo(encoder.Weight.Value.Span);
        tape.Reset();
        tape.Backward(tape.CrossEntropy(tape.Linear(untied, tape.Tanh(tape.Embedding(encoder, tokens, 2, 2))), targets));
        for (int i = 0; i < both.Length; i++)
            Assert.Equal(encoder.Weight.Grad[i] + untied.Weight.Grad[i], both[i], 5);
    }

    [Fact]
    public void A_tied_model_round_trips_through_safetensors_and_checkpoints_storing_the_weight_once()
    {
        var model = new TiedModel();
        string path = Path.Combine(Path.GetTempPath(), $"recur-tied-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.SaveSafetensors(path);
            using (var file = SafetensorsFile.Open(path))
                Assert.Equal(["decoder.bias", "encoder.weight"], file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
            var other = new TiedModel();
            other.Encoder.Weight.Value.Fill(0f);
            other.LoadSafetensors(path); // strict: one name of the tied weight is enough
            Assert.Equal(model.Encoder.Weight.Value.ToArray(), other.Decoder.Weight.Value.ToArray());
            Assert.Same(other.Encoder.Weight, other.Decoder.Weight);

            var adam = new Adam(model.Parameters, 1e-3);
            var checkpoint = Checkpoint.Capture("tied", "{}", model, adam);
            Assert.Equal(["decoder.bias", "encoder.weight"], checkpoint.Weights.Keys.Order(StringComparer.Ordinal));
            checkpoint.Save(path);
            var restored = new TiedModel();
            restored.Encoder.Weight.Value.Fill(0f);
            Checkpoint.Load(path, expectedKind: "tied").Restore(restored, new Adam(restored.Parameters, 1e-3));
            Assert.Equal(model.Encoder.Weight.Value.ToArray(), restored.Decoder.Weight.Value.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_state_dict_with_one_name_of_a_tied_weight_loads_strictly()
    {
        // safetensors' save_model keeps one name per shared tensor.
        var model = new TiedModel();
        var state = model.StateDict();
        state.Remove("decoder.weight");
        var other = new TiedModel();
        other.LoadStateDict(state);
        Assert.Equal(model.Decoder.Weight.Value.ToArray(), other.Decoder.Weight.Value.ToArray());
        state.Remove("encoder.weight");
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state));
        Assert.Contains("missing [encoder.weight, decoder.weight]", e.Message);
    }

    [Fact]
    public void Tying_weights_of_different_shapes_is_refused()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new Linear(4, 5).TieWeight(new Embedding(5, 3).Weight));
        Assert.Contains("[5, 4]", e.Message);
    }
}
