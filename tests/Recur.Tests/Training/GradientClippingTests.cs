using Recur.Layers;
using Recur.Training;

namespace Recur.Tests.Training;

public class GradientClippingTests
{
    private static Parameter[] Parameters()
    {
        var a = new Parameter("layer.weight", 2, 2);
        var b = new Parameter("layer.bias", 3);
        float[] ga = [3, -4, 0, 0], gb = [1, -2, 2];
        ga.CopyTo(a.Grad.Span);
        gb.CopyTo(b.Grad.Span);
        return [a, b];
    }

    [Fact]
    public void Parameter_norms_name_each_gradient_and_add_up_to_the_global_norm()
    {
        var ps = Parameters();
        var norms = GradientClipping.ParameterNorms(ps);
        Assert.Equal([new GradientNorm("layer.weight", 5, 4), new GradientNorm("layer.bias", 3, 2)], norms);
        Assert.Equal(Math.Sqrt(34), GradientClipping.GlobalNorm(ps), 12);
        Assert.Equal(GradientClipping.GlobalNorm(ps), Math.Sqrt(norms.Sum(n => n.Norm * n.Norm)), 12);
    }

    [Theory]
    // torch 1.13: clip_grad_norm_([a, b], max_norm, norm_type) with the gradients above returns the total norm and leaves
    // a.grad[0, 0] = 0.24999998 (q = 1, max 1) and 1.4999996 (q = inf, max 2).
    [InlineData(1.0, 1.0, 12.0, 0.24999998)]
    [InlineData(double.PositiveInfinity, 2.0, 4.0, 1.4999996)]
    public void Other_norm_types_match_pytorch(double normType, double maxNorm, double total, double firstAfter)
    {
        var ps = Parameters();
        Assert.Equal(total, GradientClipping.ClipByGlobalNorm(ps, maxNorm, normType), 12);
        Assert.Equal(firstAfter, ps[0].Grad[0], 6);
        Assert.Equal(total, GradientClipping.GlobalNorm(Parameters(), normType), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.GlobalNorm(ps, 0));
    }

    [Fact]
    public void The_global_norm_of_long_gradients_is_summed_in_double()
    {
        // 1,000,003 elements (the vector loop and its tail): 1e-4 everywhere, then one 1e4 at the end; squares 1e-8 and
        // 1e8. Summed in float, the small squares (0.01 together) would vanish beside 1e8 and the norm would read 10000
        // instead of 10000 + 5e-7.
        var p = new Parameter("w", 1_000_003);
        p.Grad.Fill(1e-4f);
        p.Grad[1_000_002] = 1e4f;
        double expected = 1_000_002 * (double)1e-4f * 1e-4f + 1e8;
        Assert.Equal(Math.Sqrt(expected), GradientClipping.GlobalNorm([p]), tolerance: 1e-9);
        Assert.Equal(Math.Sqrt(expected), GradientClipping.ParameterNorms([p])[0].Norm, tolerance: 1e-9);
    }

    [Fact]
    public void Parameter_norms_of_a_model_carry_dotted_paths()
    {
        var model = new Recur.Models.SequenceRegressor(2, new Recur.Models.RecurrentConfig(CellKind.Gru, 3), 1, new Recur.Tensors.Rng(1));
        var names = GradientClipping.ParameterNorms(model.NamedParameters()).Select(n => n.Name).ToArray();
        Assert.Equal(["encoder.rnn.weight_ih_l0", "encoder.rnn.weight_hh_l0", "encoder.rnn.bias_ih_l0", "encoder.rnn.bias_hh_l0", "head.weight", "head.bias"], names);
    }

    [Fact]
    public void Parameter_norms_show_which_gradient_went_bad()
    {
        var ps = Parameters();
        ps[1].Grad[1] = float.NaN;
        var norms = GradientClipping.ParameterNorms(ps);
        Assert.True(double.IsFinite(norms[0].Norm));
        Assert.True(double.IsNaN(norms[1].Norm) && float.IsNaN(norms[1].MaxAbs));
    }

    [Fact]
    public void Clipping_by_global_norm_scales_to_the_limit_and_reports_the_norm_before()
    {
        var ps = Parameters();
        double before = GradientClipping.ClipByGlobalNorm(ps, 1.0);
        Assert.Equal(Math.Sqrt(34), before, 12);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(ps), 5);
        Assert.Equal(1.0, GradientClipping.ClipByGlobalNorm(ps, 10), 5);
        Assert.Equal(1.0, GradientClipping.GlobalNorm(ps), 5);
    }

    [Fact]
    public void Clipping_by_value_clamps_each_element()
    {
        var ps = Parameters();
        GradientClipping.ClipByValue(ps, 1.5f);
        Assert.Equal([1.5f, -1.5f, 0, 0], ps[0].Grad.ToArray());
        Assert.Equal([1f, -1.5f, 1.5f], ps[1].Grad.ToArray());
    }

    // A frozen parameter with a huge gradient, as Recur computes one for a frozen table anyway.
    private static Parameter[] WithFrozen()
    {
        var frozen = new Parameter("embedding.weight", 2) { RequiresGrad = false };
        frozen.Grad[0] = 1e6f;
        frozen.Grad[1] = -1e6f;
        return [.. Parameters(), frozen];
    }

    [Fact]
    public void A_frozen_parameter_is_left_out_of_the_global_norm_and_not_scaled()
    {
        var ps = WithFrozen();
        Assert.Equal(Math.Sqrt(34), GradientClipping.GlobalNorm(ps), 12);
        Assert.Equal(Math.Sqrt(34), GradientClipping.GlobalNorm(ps.AsEnumerable()), 12);
        double before = GradientClipping.ClipByGlobalNorm(ps, 1.0);
        Assert.Equal(Math.Sqrt(34), before, 12);
        float scale = (float)(1.0 / (Math.Sqrt(34) + 1e-6));
        Assert.Equal([3 * scale, -4 * scale, 0, 0], ps[0].Grad.ToArray());
        Assert.Equal([1e6f, -1e6f], ps[2].Grad.ToArray());
        Assert.Equal(1.0, GradientClipping.GlobalNorm(ps), 5);
    }

    [Fact]
    public void Only_frozen_parameters_have_a_zero_norm_and_are_not_touched()
    {
        var ps = WithFrozen()[2..];
        Assert.Equal(0.0, GradientClipping.ClipByGlobalNorm(ps, 1.0));
        Assert.Equal([1e6f, -1e6f], ps[0].Grad.ToArray());
    }

    [Fact]
    public void Clipping_by_value_leaves_a_frozen_parameter_alone()
    {
        var ps = WithFrozen();
        GradientClipping.ClipByValue(ps, 1.5f);
        Assert.Equal([1.5f, -1.5f, 0, 0], ps[0].Grad.ToArray());
        Assert.Equal([1e6f, -1e6f], ps[2].Grad.ToArray());
    }

    [Fact]
    public void Parameter_norms_list_the_trainable_parameters_only()
    {
        var norms = GradientClipping.ParameterNorms(WithFrozen());
        Assert.Equal([new GradientNorm("layer.weight", 5, 4), new GradientNorm("layer.bias", 3, 2)], norms);
    }
}
