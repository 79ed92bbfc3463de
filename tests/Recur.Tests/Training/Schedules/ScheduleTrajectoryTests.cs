using System.Text.Json;
using Recur.Layers;
using Recur.Tests.IO;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.Training.Schedules;

/// <summary>
/// Every schedule reproduces PyTorch 1.13's learning-rate sequences (tests/fixtures/optim/schedules.json, made by
/// make_trajectories.py): an SGD optimizer with two groups (lr 0.1 and 0.02), rates after construction and after
/// each step, within 1e-12 relative.
/// </summary>
public class ScheduleTrajectoryTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("optim"), "schedules.json"))).RootElement
            .GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!));

    public static TheoryData<string> CaseNames() => new(Cases.Value.Keys);

    internal static Sgd TwoGroupOptimizer() => new(
        [new ParameterGroup([new Parameter("w1", 2)], 0.1), new ParameterGroup([new Parameter("w2", 3)], 0.02)], 0.1);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch_rates(string name)
    {
        var c = Cases.Value[name];
        var optimizer = TwoGroupOptimizer();
        var lrs = c.GetProperty("lrs").EnumerateArray().Select(step => step.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        Action step;
        if (c.GetProperty("schedule").GetString() == "ReduceLROnPlateau")
        {
            var plateau = MakePlateau(optimizer, c.GetProperty("kwargs"));
            var metrics = c.GetProperty("metrics").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            int k = 0;
            step = () => plateau.Step(metrics[k++]);
        }
        else
        {
            var schedule = Make(optimizer, c);
            step = schedule.Step;
        }
        for (int k = 0; k < lrs.Length; k++)
        {
            if (k > 0)
            {
                optimizer.Step();
                step();
            }
            for (int g = 0; g < 2; g++)
            {
                double expected = lrs[k][g], actual = optimizer.Groups[g].LearningRate;
                Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected),
                    $"{name} step {k} group {g}: expected {expected:R}, got {actual:R}");
            }
        }
    }

    /// <summary>Builds the schedule a case's JSON describes (PyTorch names and arguments).</summary>
    internal static LearningRateSchedule Make(Optimizer optimizer, JsonElement spec)
    {
        var kw = spec.GetProperty("kwargs");
        double D(string key) => kw.GetProperty(key).GetDouble();
        int I(string key) => kw.GetProperty(key).GetInt32();
        return spec.GetProperty("schedule").GetString() switch
        {
            "StepLR" => new StepDecay(optimizer, I("step_size"), D("gamma")),
            "ExponentialLR" => new ExponentialDecay(optimizer, D("gamma")),
            "CosineAnnealingLR" => new CosineAnnealing(optimizer, I("T_max"), D("eta_min")),
            "LinearLR" => new LinearRamp(optimizer, D("start_factor"), D("end_factor"), I("total_iters")),
            "SequentialLR" => new SequentialSchedule(optimizer,
                spec.GetProperty("children").EnumerateArray().Select(child => (ClosedFormSchedule)Make(optimizer, child)).ToArray(),
                kw.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()).ToArray()),
            var other => throw new InvalidOperationException($"unknown schedule {other}"),
        };
    }

    private static ReduceOnPlateau MakePlateau(Optimizer optimizer, JsonElement kw)
    {
        if (!kw.TryGetProperty("mode", out _)) return new ReduceOnPlateau(optimizer);
        var minLr = kw.GetProperty("min_lr");
        double[] minLrs = minLr.ValueKind == JsonValueKind.Array
            ? minLr.EnumerateArray().Select(e => e.GetDouble()).ToArray()
            : [minLr.GetDouble(), minLr.GetDouble()];
        return new ReduceOnPlateau(optimizer,
            kw.GetProperty("mode").GetString() == "min" ? PlateauMode.Min : PlateauMode.Max,
            kw.GetProperty("factor").GetDouble(), kw.GetProperty("patience").GetInt32(), kw.GetProperty("threshold").GetDouble(),
            kw.GetProperty("threshold_mode").GetString() == "rel" ? PlateauThreshold.Relative : PlateauThreshold.Absolute,
            kw.GetProperty("cooldown").GetInt32(), minLrs);
    }
}
