using System.Text.Json;
using Recur.Layers;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.Training.Schedules;

/// <summary>Checkpoint state of the schedules, the warm-up helper and argument checks.</summary>
public class ScheduleStateTests
{
    /// <summary>PyTorch's SequentialLR([LinearLR(0.1, 1, 4), CosineAnnealingLR(12, 1e-4)], [4]) from the fixture.</summary>
    [Fact]
    public void Warmup_then_cosine_equals_the_sequential_fixture()
    {
        var viaHelper = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var warm = Warmup.Linear(viaHelper, 4, 0.1, new CosineAnnealing(viaHelper, 12, 1e-4));
        var explicitOpt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var seq = new SequentialSchedule(explicitOpt, [new LinearRamp(explicitOpt, 0.1, 1, 4), new CosineAnnealing(explicitOpt, 12, 1e-4)], [4]);
        for (int k = 0; k < 25; k++)
        {
            Assert.Equal(seq.LastLearningRates, warm.LastLearningRates);
            Assert.Equal(explicitOpt.Groups[1].LearningRate, viaHelper.Groups[1].LearningRate);
            warm.Step();
            seq.Step();
        }
        Assert.Equal(0.1 * 0.1, Warmup.Linear(ScheduleTrajectoryTests.TwoGroupOptimizer(), 5, 0.1).LastLearningRates[0], 15);
    }

    public static TheoryData<string> Kinds() => new(["step", "exponential", "cosine", "linear", "sequential"]);

    private static LearningRateSchedule Make(string kind, Optimizer opt) => kind switch
    {
        "step" => new StepDecay(opt, 3, 0.5),
        "exponential" => new ExponentialDecay(opt, 0.9),
        "cosine" => new CosineAnnealing(opt, 7, 0.001),
        "linear" => new LinearRamp(opt, 0.2, 0.9, 6),
        _ => Warmup.Linear(opt, 3, 0.25, new CosineAnnealing(opt, 5)),
    };

    /// <summary>Seven steps, the optimizer's and the schedule's state through JSON into fresh ones, more steps:
    /// the same rates as stepping straight through.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Resuming_from_a_checkpoint_continues_the_rates(string kind)
    {
        var straightOpt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var straight = Make(kind, straightOpt);
        var firstOpt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var first = Make(kind, firstOpt);
        for (int k = 0; k < 7; k++)
        {
            straight.Step();
            first.Step();
        }
        string optimizerJson = JsonSerializer.Serialize(firstOpt.ExportState());
        string scheduleJson = JsonSerializer.Serialize(first.ExportState());

        var resumedOpt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var resumed = Make(kind, resumedOpt);
        resumedOpt.LoadStateDict(firstOpt.StateDict(), JsonSerializer.Deserialize<OptimizerState>(optimizerJson)!);
        resumed.LoadState(JsonSerializer.Deserialize<ScheduleState>(scheduleJson)!);
        Assert.Equal(first.LastLearningRates, resumed.LastLearningRates);
        for (int k = 0; k < 12; k++)
        {
            straight.Step();
            resumed.Step();
            Assert.Equal(straightOpt.Groups.Select(g => g.LearningRate), resumedOpt.Groups.Select(g => g.LearningRate));
        }
        Assert.Equal(straight.LastEpoch, resumed.LastEpoch);
    }

    [Fact]
    public void Plateau_state_round_trips_through_json_before_and_after_the_first_metric()
    {
        var opt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var plateau = new ReduceOnPlateau(opt, PlateauMode.Max, factor: 0.5, patience: 1, cooldown: 2);
        var fresh = new ReduceOnPlateau(ScheduleTrajectoryTests.TwoGroupOptimizer(), PlateauMode.Max);
        fresh.LoadState(JsonSerializer.Deserialize<ScheduleState>(JsonSerializer.Serialize(plateau.ExportState()))!);
        Assert.Equal(double.NegativeInfinity, fresh.Best);

        foreach (double m in new[] { 0.5, 0.4, 0.4, 0.3 }) plateau.Step(m);
        Assert.Equal(0.05, opt.LearningRate);
        var copy = new ReduceOnPlateau(ScheduleTrajectoryTests.TwoGroupOptimizer(), PlateauMode.Max);
        copy.LoadState(JsonSerializer.Deserialize<ScheduleState>(JsonSerializer.Serialize(plateau.ExportState()))!);
        Assert.Equal((plateau.Best, plateau.BadEpochs, plateau.CooldownCounter, plateau.LastEpoch),
            (copy.Best, copy.BadEpochs, copy.CooldownCounter, copy.LastEpoch));
        Assert.Equal(0.5, copy.Best);
        Assert.Throws<ArgumentException>(() => copy.LoadState(new StepDecay(ScheduleTrajectoryTests.TwoGroupOptimizer(), 2).ExportState()));
    }

    [Fact]
    public void Steps_allocate_nothing()
    {
        var opt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        var schedule = Warmup.Linear(opt, 10, 0.1, new CosineAnnealing(opt, 50));
        var plateau = new ReduceOnPlateau(opt, patience: 3);
        schedule.Step();
        plateau.Step(1.0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100; k++)
        {
            schedule.Step();
            plateau.Step(1.0);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_rate_set_before_the_first_schedule_is_its_base()
    {
        var opt = new Adam([new Parameter("w", 2)], lr: 0.1);
        opt.LearningRate = 0.04;
        var schedule = new StepDecay(opt, 1, 0.5);
        Assert.Equal(0.04, schedule.BaseLearningRates[0]);
        schedule.Step();
        Assert.Equal(0.02, opt.LearningRate);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var opt = ScheduleTrajectoryTests.TwoGroupOptimizer();
        Assert.Equal("stepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(opt, 0)).ParamName);
        Assert.Equal("tMax", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(opt, 0)).ParamName);
        Assert.Equal("startFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearRamp(opt, 0)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateau(opt, factor: 1)).ParamName);
        Assert.Equal("minLearningRates", Assert.Throws<ArgumentException>(() =>
            new ReduceOnPlateau(opt, PlateauMode.Min, 0.1, 10, 1e-4, PlateauThreshold.Relative, 0, [0.0])).ParamName);
        var a = new StepDecay(opt, 2);
        var b = new ExponentialDecay(opt, 0.9);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(() => new SequentialSchedule(opt, [a, b], [])).ParamName);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(() => new SequentialSchedule(opt, [a, b], [0])).ParamName);
        var other = new ExponentialDecay(ScheduleTrajectoryTests.TwoGroupOptimizer(), 0.9);
        Assert.Equal("schedules", Assert.Throws<ArgumentException>(() => new SequentialSchedule(opt, [a, other], [3])).ParamName);
    }
}
