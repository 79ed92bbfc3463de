using System.Text.Json;
using Recur.Layers;
using Recur.Tensors;
using Recur.Training.Optimizers;

namespace Recur.Tests.Training.Optimizers;

/// <summary>Checkpoint state, parameter groups, frozen parameters and argument checks of the optimizers.</summary>
public class OptimizerStateTests
{
    public static TheoryData<string> Cases() => new(OptimizerFixture.CaseNames);

    /// <summary>Five steps, a checkpoint through JSON into a fresh optimizer, five more steps: the same parameters
    /// as ten uninterrupted steps, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_from_a_checkpoint_continues_the_trajectory_exactly(string name)
    {
        var fixture = OptimizerFixture.Load(name);
        var straight = fixture.CreateParameters();
        var straightOptimizer = fixture.CreateOptimizer(straight);
        for (int s = 0; s < fixture.Steps; s++) StepWithFixtureRates(fixture, straightOptimizer, straight, s);

        var first = fixture.CreateParameters();
        var firstOptimizer = fixture.CreateOptimizer(first);
        int half = fixture.Steps / 2;
        for (int s = 0; s < half; s++) StepWithFixtureRates(fixture, firstOptimizer, first, s);
        var tensors = firstOptimizer.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        string json = JsonSerializer.Serialize(firstOptimizer.ExportState());

        var resumed = fixture.CreateParameters();
        foreach (var (n, p) in resumed) p.Load(first[n].Value);
        var resumedOptimizer = fixture.CreateOptimizer(resumed);
        resumedOptimizer.LoadStateDict(tensors, JsonSerializer.Deserialize<OptimizerState>(json)!);
        Assert.Equal(half, resumedOptimizer.StepCount);
        for (int s = half; s < fixture.Steps; s++) StepWithFixtureRates(fixture, resumedOptimizer, resumed, s);

        foreach (var (n, p) in straight) Assert.Equal(p.Value.ToArray(), resumed[n].Value.ToArray());
    }

    private static void StepWithFixtureRates(OptimizerFixture fixture, Optimizer optimizer, Dictionary<string, Parameter> parameters, int step)
    {
        for (int g = 0; g < optimizer.Groups.Count; g++) optimizer.Groups[g].LearningRate = fixture.LearningRate(step, g);
        fixture.SetGradients(parameters, step);
        optimizer.Step();
    }

    [Fact]
    public void State_tensors_are_named_by_parameter_index_and_slot()
    {
        var fixture = OptimizerFixture.Load("adam_amsgrad");
        var parameters = fixture.CreateParameters();
        var adam = fixture.CreateOptimizer(parameters);
        Assert.Empty(adam.StateDict());
        fixture.SetGradients(parameters, 0);
        adam.Step();
        var state = adam.StateDict();
        Assert.Equal(12, state.Count);
        Assert.Equal([13], state["state.1.exp_avg_sq"].Shape.ToArray());
        Assert.Equal([3, 13], state["state.2.max_exp_avg_sq"].Shape.ToArray());
        var scalars = adam.ExportState();
        Assert.Equal("Adam", scalars.Kind);
        Assert.Equal([1L, 1, 1, 1], scalars.ParameterSteps);
        Assert.Equal(0.8, scalars.HyperParameters["beta1"]);
    }

    [Fact]
    public void Frozen_parameters_keep_value_state_and_step_count()
    {
        var fixture = OptimizerFixture.Load("adam_frozen");
        var parameters = fixture.CreateParameters();
        var adam = fixture.CreateOptimizer(parameters);
        var bias = parameters["fc1.bias"];
        Assert.False(bias.RequiresGrad);
        var before = bias.Value.ToArray();
        bias.Grad.Fill(1f);
        for (int s = 0; s < 3; s++) adam.Step();
        Assert.Equal(before, bias.Value.ToArray());
        Assert.DoesNotContain("state.1.exp_avg", adam.StateDict().Keys);
        Assert.Equal([3L, 0, 3, 3], adam.ExportState().ParameterSteps);
    }

    [Fact]
    public void Setting_the_learning_rate_scales_every_group_alike()
    {
        var opt = new Sgd([new ParameterGroup([new Parameter("a", 2)], 0.1), new ParameterGroup([new Parameter("b", 2)])], 0.02, momentum: 0.9);
        Assert.Equal(0.1, opt.LearningRate);
        Assert.Equal(0.02, opt.Groups[1].LearningRate);
        opt.LearningRate = 0.05;
        Assert.Equal(0.05, opt.Groups[0].LearningRate);
        Assert.Equal(0.01, opt.Groups[1].LearningRate, 15);
    }

    [Fact]
    public void Steps_after_the_first_allocate_nothing()
    {
        var ps = new[] { new Parameter("w", 64, 37), new Parameter("b", 37) };
        foreach (var p in ps) p.Grad.Fill(0.25f);
        Optimizer[] optimizers =
        [
            new Sgd(ps, 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
            new Adam(ps, amsGrad: true, weightDecay: 1e-4),
            new AdamW(ps),
            new RmsProp(ps, momentum: 0.9, centered: true, weightDecay: 1e-4),
            new Adagrad(ps, lrDecay: 0.01, weightDecay: 1e-4),
        ];
        foreach (var opt in optimizers)
        {
            opt.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int s = 0; s < 5; s++) opt.Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Zero_grad_clears_every_gradient()
    {
        var ps = new[] { new Parameter("w", 3), new Parameter("b", 2) { RequiresGrad = false } };
        foreach (var p in ps) p.Grad.Fill(2f);
        new Adam(ps).ZeroGrad();
        Assert.All(ps, p => Assert.All(p.Grad.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var w = new Parameter("w", 3);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([w], -1)).ParamName);
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([w], lr: double.NaN)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd([w], 0.1, nesterov: true)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([w], beta2: 1)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([w], eps: -1)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp([w], alpha: double.NaN)).ParamName);
        Assert.Equal("lrDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad([w], lrDecay: -0.1)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Parameter>())).ParamName);
        var dup = Assert.Throws<ArgumentException>(() => new Adam([new ParameterGroup([w]), new ParameterGroup([w])]));
        Assert.Contains("'w'", dup.Message);
        var group = new ParameterGroup([w]);
        _ = new Adam([group]);
        Assert.Throws<ArgumentException>(() => new Sgd([group], 0.1));
    }

    [Fact]
    public void Loading_a_mismatched_state_is_refused_with_the_reason()
    {
        var w = new Parameter("w", 3);
        w.Grad.Fill(1);
        var adam = new Adam([w], beta1: 0.8);
        adam.Step();
        var tensors = adam.StateDict();
        var state = adam.ExportState();

        var ex = Assert.Throws<ArgumentException>(() => new AdamW([new Parameter("w", 3)]).LoadStateDict(tensors, state));
        Assert.Contains("Adam optimizer, this is a AdamW", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Adam([new Parameter("w", 3)]).LoadStateDict(tensors, state));
        Assert.Contains("'beta1': this optimizer has 0.9, the state has 0.8", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new Adam([new Parameter("w", 3)], beta1: 0.8)
            .LoadStateDict(new Dictionary<string, Tensor> { ["state.0.momentum_buffer"] = new Tensor(3) }, state));
        Assert.Contains("state.<0..0>.<exp_avg|exp_avg_sq>", ex.Message);
        Assert.ThrowsAny<ArgumentException>(() => new Adam([new Parameter("w", 4)], beta1: 0.8).LoadStateDict(tensors, state));
        Assert.ThrowsAny<ArgumentException>(() => new Adam([new Parameter("w", 3), new Parameter("v", 1)], beta1: 0.8).LoadStateDict(tensors, state));
    }
}
