using Recur.Training.Optimizers;

namespace Recur.Tests.Training.Optimizers;

/// <summary>
/// Every optimizer reproduces PyTorch 1.13's float32 trajectories (tests/fixtures/optim): fed the gradients PyTorch
/// computed, the parameters after each of 10 steps match PyTorch's.
/// </summary>
public class OptimizerTrajectoryTests
{
    // Relative tolerance per element, with a floor of RelativeTolerance · max|expected| over the tensor for values near 0.
    private const double RelativeTolerance = 1e-6;

    public static TheoryData<string> Cases() => new(OptimizerFixture.CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_trajectory(string name)
    {
        var fixture = OptimizerFixture.Load(name);
        var parameters = fixture.CreateParameters();
        var optimizer = fixture.CreateOptimizer(parameters);
        for (int step = 0; step < fixture.Steps; step++)
        {
            for (int g = 0; g < optimizer.Groups.Count; g++)
            {
                if (fixture.HasSchedule) optimizer.Groups[g].LearningRate = fixture.LearningRate(step, g);
                else Assert.Equal(fixture.LearningRate(step, g), optimizer.Groups[g].LearningRate);
            }
            fixture.SetGradients(parameters, step);
            optimizer.Step();
            foreach (var (n, p) in parameters)
            {
                var expected = fixture.Values[n].Row(step + 1).Span;
                var actual = p.Value.Span;
                double floor = 0;
                foreach (float e in expected) floor = Math.Max(floor, Math.Abs(e));
                floor *= RelativeTolerance;
                for (int i = 0; i < expected.Length; i++)
                {
                    double err = Math.Abs(actual[i] - (double)expected[i]);
                    Assert.True(err <= Math.Max(RelativeTolerance * Math.Abs(expected[i]), floor),
                        $"{name} step {step + 1} {n}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
                }
            }
        }
        Assert.Equal(fixture.Steps, optimizer.StepCount);
    }
}
