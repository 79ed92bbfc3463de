using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Ops;

public class OpGradientTests
{
    private static readonly Rng R = new(99);

    [Fact]
    public void Linear_and_activations() =>
        Check((t, v) => t.Tanh(t.Linear(Lin, t.Relu(t.Add(t.Sigmoid(v[0]), t.Multiply(v[0], v[1]))))), [Random(R, 2, 3, 4), Random(R, 2, 3, 4)], Lin.Parameters);

    private static readonly Linear Lin = new(4, 5, rng: new Rng(1));

    [Fact]
    public void Scale_concat_and_sum() =>
        Check((t, v) => t.Concat(t.Scale(v[0], -1.5f), v[1]), [Random(R, 3, 2), Random(R, 3, 4)]);

    [Fact]
    public void Gather_rows_adds_the_gradient_of_every_copy() =>
        Check((t, v) => t.GatherRows(v[0], [2, 0, 2, 2, 1]), [Random(R, 4, 3)]);

    [Fact]
    public void Gather_rows_names_an_index_out_of_range()
    {
        var tape = new Tape();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tape.GatherRows(tape.Input(new Tensor(2, 3)), [0, 2]));
        Assert.Contains("index[1] = 2 is outside [0, 2)", e.Message);
    }

    [Fact]
    public void Embedding_feeds_gradient_to_its_table()
    {
        var emb = new Embedding(7, 3, paddingIndex: 0, rng: new Rng(2));
        int[] idx = [1, 3, 3, 6, 2, 5];
        Check((t, _) => t.Embedding(emb, idx, 2, 3), [], emb.Parameters);
    }

    [Theory]
    [InlineData("lstm-bi-l2")]
    [InlineData("gru-lengths-bi")]
    [InlineData("rnn-tanh")]
    [InlineData("lstm-proj-lengths-bi")]
    public void Recurrent_layer_op_with_states_and_lengths(string config)
    {
        var layer = Recur.Tests.Layers.RecurrentGradientCheckTests.Make(config, 3, new Rng(3));
        int ld = layer.NumLayers * layer.Directions;
        int[]? lengths = config.Contains("lengths") ? [3, 1, 2] : null;
        bool lstm = layer is Lstm;
        Tensor[] inputs = lstm
            ? [Random(R, 3, 3, 3), Random(R, ld, 3, layer.StateSize), Random(R, ld, 3, layer.HiddenSize)]
            : [Random(R, 3, 3, 3), Random(R, ld, 3, layer.StateSize)];
        // Loss through the output and both final states.
        Check((t, v) =>
        {
            var r = t.Recurrent(layer, v[0], v[1], lstm ? v[2] : null, lengths);
            var hn = t.Scale(r.Hn, 0.7f);
            var s = t.Add(t.Sum(t.Tanh(r.Output)), t.Sum(t.Multiply(hn, hn)));
            return r.Cn is null ? s : t.Add(s, t.Sum(t.Sigmoid(r.Cn)));
        }, inputs, layer.Parameters, scalar: true);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru-before")]
    [InlineData("rnn")]
    public void Cell_steps_chained_like_a_decoder(string kind)
    {
        var rng = new Rng(4);
        RecurrentCell cell = kind switch
        {
            "lstm" => new LstmCell(3, 4, rng: rng),
            "gru" => new GruCell(3, 4, rng: rng),
            "gru-before" => new GruCell(3, 4, resetAfter: false, rng: rng),
            _ => new RnnCell(3, 4, rng: rng),
        };
        Check((t, v) =>
        {
            var (h, c) = t.CellStep(cell, t.TimeStep(v[0], 0), v[1], cell is LstmCell ? v[2] : null);
            var steps = new List<Var> { h };
            for (int s = 1; s < 3; s++)
            {
                (h, c) = t.CellStep(cell, t.TimeStep(v[0], s), h, c);
                steps.Add(h);
            }
            return t.Stack(steps);
        }, [Random(rng, 2, 3, 3), Random(rng, 2, 4), Random(rng, 2, 4)], cell.Parameters);
    }

    [Fact]
    public void Sequence_reductions_respect_lengths()
    {
        int[] lengths = [2, 4, 1];
        Check((t, v) => t.Concat(t.Concat(t.LastStep(v[0], lengths), t.MeanOverTime(v[0], lengths)), t.MaxOverTime(v[0], lengths)), [Random(R, 3, 4, 5)]);
    }

    [Fact]
    public void Final_states_and_reshape()
    {
        // h_n of 2 layers x 2 directions [4, B=3, S=2] -> [3, 4]: the last layer's forward and reverse states side by side.
        Check((t, v) => t.Multiply(t.FinalStates(v[0], 2), t.Reshape(v[1], 3, 4)), [Random(R, 4, 3, 2), Random(R, 2, 6)]);
        var tape = new Tape();
        var hn = Tensor.FromValues(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 4, 3, 2);
        var y = tape.FinalStates(tape.Input(hn), 2);
        Assert.Equal([14f, 15f, 20f, 21f], Enumerable.Range(0, 4).Select(j => y.Value[1, j]).ToArray()); // batch row 1: h_n[2, 1, :], h_n[3, 1, :]
    }

    [Theory]
    [InlineData(DirectionMerge.Sum)]
    [InlineData(DirectionMerge.Mean)]
    [InlineData(DirectionMerge.Concat)]
    public void Merging_directions(DirectionMerge mode) =>
        Check((t, v) => t.MergeDirections(v[0], mode), [Random(R, 2, 3, 6)]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Attention_over_valid_steps(bool scaled)
    {
        int[] lengths = [3, 1];
        Check((t, v) => t.Attention(v[0], v[1], lengths, scaled).Context, [Random(R, 2, 4), Random(R, 2, 3, 4)]);
    }

    [Fact]
    public void Attention_weights_are_zero_on_padding_and_sum_to_one()
    {
        var tape = new Tape();
        var (_, a) = tape.Attention(tape.Input(Random(R, 2, 4)), tape.Input(Random(R, 2, 5, 4)), [2, 5]);
        Assert.Equal(0f, a.Value[0, 2]);
        Assert.Equal(1f, a.Value[0, 0] + a.Value[0, 1], 5);
    }

    public static TheoryData<string> CrossEntropyCases() => ["plain", "weights", "smoothing", "weights+smoothing", "sum-over-time", "mask", "weights+smoothing+mask"];

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Cross_entropy_options(string c)
    {
        var o = new CrossEntropyOptions
        {
            ClassWeights = c.Contains("weights") ? [0.5f, 2f, 1f, 1.5f] : null,
            LabelSmoothing = c.Contains("smoothing") ? 0.1f : 0f,
            Reduction = c == "sum-over-time" ? LossReduction.SumOverTime : LossReduction.Mean,
        };
        int[] targets = [0, 3, -100, 1, 2, 2];
        float[] mask = c.Contains("mask") ? [1f, 0.5f, 1f, 0f, 2f, 1f] : [];
        Check((t, v) => t.CrossEntropy(v[0], targets, o, mask), [Random(R, 2, 3, 4)], scalar: true);
    }

    [Fact]
    public void Cross_entropy_with_ignore_index_weights_and_smoothing_matches_pytorch()
    {
        // torch 1.13, float64: F.cross_entropy(torch.tensor([[1.,2.,3.],[0.,-1.,4.],[.5,.5,-2.],[2.,-1.,0.]]),
        //     torch.tensor([2,-100,1,0]), weight=torch.tensor([1.,2.,3.]), label_smoothing=0.2) = 0.7297530300388162
        var o = new CrossEntropyOptions { ClassWeights = [1f, 2f, 3f], LabelSmoothing = 0.2f };
        float[] z = [1f, 2f, 3f, 0f, -1f, 4f, 0.5f, 0.5f, -2f, 2f, -1f, 0f];
        var tape = new Tape();
        Assert.Equal(0.7297530300388162, tape.CrossEntropy(tape.Input(Tensor.FromValues(z, 4, 3)), [2, -100, 1, 0], o).Value[0], 5);
        // A 0 in the mask drops a row exactly as the ignore index does, whatever its target holds (here 7, out of range).
        var masked = tape.CrossEntropy(tape.Input(Tensor.FromValues(z, 4, 3)), [2, 7, 1, 0], o, [1f, 0f, 1f, 1f]);
        Assert.Equal(0.7297530300388162, masked.Value[0], 5);
    }

    [Fact]
    public void Cross_entropy_rejects_a_mask_of_the_wrong_length_and_sum_over_time_without_a_time_axis()
    {
        var tape = new Tape();
        var logits = tape.Input(Random(R, 2, 3, 4));
        var e = Assert.Throws<ShapeMismatchException>(() => tape.CrossEntropy(logits, [0, 1, 2, 3, 0, 1], null, [1f, 1f]));
        Assert.Contains("mask", e.Message);
        var flat = tape.Input(Random(R, 6, 4));
        var s = Assert.Throws<ShapeMismatchException>(() =>
            tape.CrossEntropy(flat, [0, 1, 2, 3, 0, 1], new CrossEntropyOptions { Reduction = LossReduction.SumOverTime }));
        Assert.Contains("[B, T, C]", s.Message);
    }

    [Fact]
    public void Time_distributed_applies_one_layer_to_every_step()
    {
        var lin = new Linear(4, 3, rng: new Rng(8));
        Check((t, v) => t.TimeDistributed(v[0], (tt, x) => tt.Tanh(tt.Linear(lin, tt.Relu(x)))), [Random(R, 2, 3, 4)], lin.Parameters);

        // Same values as applying the layer to each step on its own.
        var tape = new Tape();
        var xs = Random(R, 2, 3, 4);
        var y = tape.TimeDistributed(tape.Input(xs), (tt, x) => tt.Linear(lin, x));
        Assert.Equal([2, 3, 3], y.Shape.ToArray());
        for (int b = 0; b < 2; b++)
            for (int s = 0; s < 3; s++)
            {
                var step = tape.Linear(lin, tape.Input(Tensor.FromValues(xs.Span.Slice((b * 3 + s) * 4, 4), 1, 4)));
                for (int j = 0; j < 3; j++) Assert.Equal(step.Value[0, j], y.Value[b, s, j]);
            }
    }

    [Fact]
    public void Time_distributed_names_what_is_wrong()
    {
        var tape = new Tape();
        Assert.Throws<ShapeMismatchException>(() => tape.TimeDistributed(tape.Input(Random(R, 6, 4)), (t, x) => x));
        var e = Assert.Throws<ShapeMismatchException>(() => tape.TimeDistributed(tape.Input(Random(R, 2, 3, 4)), (t, x) => t.Sum(x)));
        Assert.Contains("6 rows", e.Message);
    }

    [Fact]
    public void Cross_entropy_matches_pytorch_values()
    {
        // torch 1.13, float64: F.cross_entropy(torch.tensor([[1.,2.,3.],[0.,-1.,4.]]), torch.tensor([2,0]),
        //     weight=torch.tensor([1.,2.,3.]), label_smoothing=0.2) = 1.392747642152713
        var tape = new Tape();
        var logits = tape.Input(Tensor.FromValues([1f, 2f, 3f, 0f, -1f, 4f], 2, 3));
        var l = tape.CrossEntropy(logits, [2, 0], new CrossEntropyOptions { ClassWeights = [1f, 2f, 3f], LabelSmoothing = 0.2f });
        Assert.Equal(1.392747642152713, l.Value[0], 5);
    }

    [Fact]
    public void Binary_cross_entropy_with_pos_weight_and_mask() =>
        Check((t, v) => t.BinaryCrossEntropyWithLogits(v[0], [1f, 0f, 1f, 0.3f, 0f, 1f], [1f, 0f, 1f], posWeight: 2f), [Random(R, 3, 2)], scalar: true);

    [Fact]
    public void Binary_cross_entropy_with_per_class_pos_weight_matches_pytorch()
    {
        // torch 1.13, float64: F.binary_cross_entropy_with_logits(torch.tensor([[.3,-1.2,2.],[1.5,0.,-.7]]),
        //     torch.tensor([[1.,0.,1.],[0.,1.,.5]]), pos_weight=torch.tensor([2.,.5,3.])) = 0.9428559925729406
        float[] y = [1f, 0f, 1f, 0f, 1f, 0.5f], pw = [2f, 0.5f, 3f];
        var tape = new Tape();
        var l = tape.BinaryCrossEntropyWithLogits(tape.Input(Tensor.FromValues([0.3f, -1.2f, 2f, 1.5f, 0f, -0.7f], 2, 3)), y, classPosWeights: pw);
        Assert.Equal(0.9428559925729406, l.Value[0], 5);
        Check((t, v) => t.BinaryCrossEntropyWithLogits(v[0], y, classPosWeights: pw), [Random(R, 2, 3)], scalar: true);
        Assert.Throws<ShapeMismatchException>(() => tape.BinaryCrossEntropyWithLogits(tape.Input(Random(R, 2, 3)), y, classPosWeights: [1f, 2f]));
        Assert.Throws<ArgumentException>(() => tape.BinaryCrossEntropyWithLogits(tape.Input(Random(R, 2, 3)), y, posWeight: 2f, classPosWeights: pw));
    }

    [Fact]
    public void Regression_losses()
    {
        float[] y = [0.2f, -0.5f, 3f, 0f, 0.1f, -2f];
        Check((t, v) => t.Add(t.Add(t.MseLoss(v[0], y), t.MaeLoss(v[0], y, [1f, 1f, 0f, 1f, 1f, 1f])), t.HuberLoss(v[0], y, 0.5f, reduction: LossReduction.Sum)), [Random(R, 2, 3)], scalar: true);
    }

    [Fact]
    public void Layer_norm()
    {
        var ln = new LayerNorm(5);
        new Rng(5).FillUniform(ln.Weight!.Value.Span, 0.5f, 1.5f);
        Check((t, v) => t.LayerNorm(ln, v[0]), [Random(R, 3, 5)], ln.Parameters);
    }

    [Fact]
    public void Layer_norm_without_elementwise_affine_has_no_parameters()
    {
        var ln = new LayerNorm(4, elementwiseAffine: false);
        Assert.Empty(ln.Parameters);
        Check((t, v) => t.LayerNorm(ln, v[0]), [Random(R, 2, 3, 4)]);
        // torch 1.13: F.layer_norm(torch.tensor([[1.,2.,4.,9.]]), (4,)) = [-0.97333, -0.64889, 0, 1.62222] (rounded)
        var tape = new Tape();
        var y = tape.LayerNorm(ln, tape.Input(Tensor.FromValues([1f, 2f, 4f, 9f], 1, 4)));
        float[] expected = [-0.97333f, -0.64889f, 0f, 1.62222f];
        for (int j = 0; j < 4; j++) Assert.Equal(expected[j], y.Value[0, j], 4);
    }

    [Fact]
    public void Layer_norm_without_affine_follows_its_input_for_gradients_and_takes_eps_0()
    {
        var tape = new Tape();
        var ln = new LayerNorm(3, eps: 0f, elementwiseAffine: false);
        var y = tape.LayerNorm(ln, tape.Input(Tensor.FromValues([1f, 2f, 4f], 1, 3)));
        Assert.False(y.RequiresGrad); // nothing to differentiate: no parameters, a constant input
        // torch 1.13: nn.LayerNorm(3, eps=0.0, elementwise_affine=False)(tensor([[1.,2.,4.]])) = [-1.06904, -0.26726, 1.33631]
        float[] expected = [-1.06904f, -0.26726f, 1.33631f];
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], y.Value[0, j], 4);
        Assert.True(tape.LayerNorm(new LayerNorm(3), tape.Input(Tensor.FromValues([1f, 2f, 4f], 1, 3))).RequiresGrad);
    }

    [Fact]
    public void Loss_masks_and_sum_over_time_are_checked()
    {
        var tape = new Tape();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tape.CrossEntropy(tape.Input(Random(R, 2, 3)), [0, 1], null, [1f, -0.5f]));
        Assert.Contains("mask[1] = -0.5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tape.MseLoss(tape.Input(Random(R, 2)), [0f, 1f], [float.NaN, 1f]));
        // A flat [B*T] prediction has no B to divide by.
        var s = Assert.Throws<ShapeMismatchException>(() =>
            tape.BinaryCrossEntropyWithLogits(tape.Input(Random(R, 6)), [1f, 0f, 1f, 0f, 1f, 0f], reduction: LossReduction.SumOverTime));
        Assert.Contains("[B, T, ...]", s.Message);
    }

    [Fact]
    public void Binary_cross_entropy_broadcasts_a_single_pos_weight()
    {
        // torch 1.13, float64: F.binary_cross_entropy_with_logits(tensor([.3,-1.2,2.,1.5]), tensor([1.,0.,1.,.5]),
        //     pos_weight=tensor([2.5])) = 0.7672409606466493
        var tape = new Tape();
        var l = tape.BinaryCrossEntropyWithLogits(tape.Input(Tensor.FromValues([0.3f, -1.2f, 2f, 1.5f], 4)), [1f, 0f, 1f, 0.5f], classPosWeights: [2.5f]);
        Assert.Equal(0.7672409606466493, l.Value[0], 5);
    }

    [Fact]
    public void Dropout_1_between_recurrent_layers_cuts_the_first_layer_off()
    {
        // nn.LSTM(dropout=1) accepts it: layer 2 sees zeros, so the output no longer depends on x.
        var lstm = new Lstm(2, 3, numLayers: 2, dropout: 1f, rng: new Rng(4));
        var tape = new Tape();
        var x = tape.Input(Random(R, 2, 4, 2), requiresGrad: true);
        var r = tape.Recurrent(lstm, x);
        Assert.All(r.Output.Value.ToArray(), v => Assert.True(float.IsFinite(v)));
        tape.Backward(tape.Sum(r.Output));
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Dropout_with_p_1_zeroes_everything_in_training()
    {
        var d = new Dropout(1f, new Rng(6));
        var tape = new Tape();
        var x = tape.Input(Tensor.FromValues([1f, -2f, 3f], 3), requiresGrad: true);
        var y = tape.Dropout(d, x);
        Assert.Equal([0f, 0f, 0f], y.Value.ToArray());
        tape.Backward(tape.Sum(y));
        Assert.Equal([0f, 0f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void Dropout_scales_survivors_and_is_identity_in_eval()
    {
        var d = new Dropout(0.5f, new Rng(6));
        var tape = new Tape();
        var x = tape.Input(Tensor.FromValues(Enumerable.Repeat(1f, 1000).ToArray(), 1000), requiresGrad: true);
        var y = tape.Dropout(d, x);
        int zeros = y.Value.ToArray().Count(v => v == 0f);
        Assert.InRange(zeros, 400, 600);
        Assert.All(y.Value.ToArray(), v => Assert.True(v == 0f || v == 2f));
        tape.Backward(tape.Sum(y));
        Assert.Equal(y.Value.ToArray(), x.Grad!.ToArray());
        d.Training = false;
        Assert.Same(x, tape.Dropout(d, x));
    }
}
