using System.Runtime.InteropServices;
using System.Text.Json;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Data;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.IO.Checkpoints;

/// <summary>
/// A checkpoint that does not fit changes nothing: after a failed <see cref="Checkpoint.Restore"/> every weight,
/// optimizer moment and step count, learning rate, schedule counter and generator state is bit for bit what it was,
/// and the error names what did not fit, with what was expected and what was found.
/// </summary>
public sealed class RestoreIsAllOrNothingTests
{
    [Theory]
    [InlineData("weight shape")]
    [InlineData("weight missing")]
    [InlineData("generator unexpected")]
    [InlineData("generator all zeros")]
    [InlineData("optimizer kind")]
    [InlineData("optimizer hyper-parameter")]
    [InlineData("optimizer learning rate")]
    [InlineData("optimizer weight decay")]
    [InlineData("optimizer tensor shape")]
    [InlineData("optimizer tensor name")]
    [InlineData("schedule kind")]
    [InlineData("schedule rates")]
    [InlineData("plateau rates")]
    [InlineData("plateau counter")]
    [InlineData("plateau missing")]
    [InlineData("corrupt file")]
    public void A_checkpoint_that_does_not_fit_changes_nothing(string damage)
    {
        var (model, adam, stepDecay, plateau) = Live();
        Optimizer optimizer = adam;
        LearningRateSchedule schedule = stepDecay;
        var checkpoint = Capture(CheckpointTests.Trained(1));
        var firstParameter = Shape.Format(adam.Parameters[0].Value.Shape);
        var headBias = Shape.Format(model.NamedParameters().Single(p => p.Name == "head.bias").Parameter.Value.Shape);
        string expected;
        switch (damage)
        {
            case "weight shape":
                checkpoint.Weights["head.bias"] = new Tensor(3);
                expected = $"tensor 'model.head.bias' has shape [3] but the CharLanguageModel needs {headBias}";
                break;
            case "weight missing":
                checkpoint.Weights.Remove("head.bias");
                expected = "the tensors do not match the CharLanguageModel's parameters: missing [model.head.bias], unexpected []";
                break;
            case "generator unexpected":
                checkpoint.Rngs["model.head"] = new Rng(5).GetState();
                expected = "the random generator states do not match the CharLanguageModel's modules: missing [], unexpected [model.head]";
                break;
            case "generator all zeros":
                checkpoint.Rngs["model.rnn"] = new RngState(0, 0, 0, 0);
                expected = "the random generator state 'model.rnn' is all zeros";
                break;
            case "optimizer kind":
                optimizer = new Sgd(model.Parameters, 0.1, momentum: 0.9);
                expected = "the optimizer state does not fit: the state is from a Adam optimizer, this is a Sgd";
                break;
            case "optimizer hyper-parameter":
                checkpoint.Optimizer = checkpoint.Optimizer! with { HyperParameters = new(checkpoint.Optimizer.HyperParameters) { ["beta1"] = 0.8 } };
                expected = "the optimizer state does not fit: hyper-parameter 'beta1': this optimizer has 0.9, the state has 0.8";
                break;
            case "optimizer learning rate":
                checkpoint.Optimizer = checkpoint.Optimizer! with { Groups = [checkpoint.Optimizer.Groups[0] with { LearningRate = -0.5 }] };
                expected = "the optimizer state's group 0 learning rate is -0.5, expected a finite value >= 0";
                break;
            case "optimizer weight decay":
                checkpoint.Optimizer = checkpoint.Optimizer! with { Groups = [checkpoint.Optimizer.Groups[0] with { WeightDecay = double.NaN }] };
                expected = "the optimizer state's group 0 weight decay is NaN, expected a finite value >= 0";
                break;
            case "optimizer tensor shape":
                checkpoint.OptimizerTensors["state.0.exp_avg"] = new Tensor(3, 3);
                expected = $"the optimizer state does not fit: state.0.exp_avg: expected shape {firstParameter}, got [3, 3]";
                break;
            case "optimizer tensor name":
                checkpoint.OptimizerTensors["state.0.momentum_buffer"] = checkpoint.OptimizerTensors["state.0.exp_avg"];
                expected = "the optimizer state does not fit: unexpected state tensor 'state.0.momentum_buffer'";
                break;
            case "schedule kind":
                schedule = new ExponentialDecay(adam, 0.9);
                expected = "the schedule state does not fit: the state is from a StepDecay schedule, this is a ExponentialDecay";
                break;
            case "schedule rates":
                checkpoint.Schedule = checkpoint.Schedule! with { BaseLearningRates = [0.01, 0.01] };
                expected = "the schedule state does not fit: expected rates for 1 groups, the state has 2 base and 1 last rates";
                break;
            case "plateau rates":
                checkpoint.Plateau = checkpoint.Plateau! with { LastLearningRates = [] };
                expected = "the plateau schedule state does not fit: expected rates for 1 groups, the state has 1 base and 0 last rates";
                break;
            case "plateau counter":
                checkpoint.Plateau = checkpoint.Plateau! with { Values = new(checkpoint.Plateau.Values!) { ["bad_epochs"] = 1e300 } };
                expected = $"the plateau schedule state's 'bad_epochs' is {1e300}, expected a whole number in [0, {int.MaxValue}]";
                break;
            case "plateau missing":
                checkpoint.Plateau = null;
                expected = "the checkpoint holds no plateau-schedule state";
                break;
            case "corrupt file":
                expected = "";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage);
        }
        string before = Fingerprint(model, optimizer, schedule, plateau);

        Exception error;
        if (damage == "corrupt file")
        {
            using var dir = new TempDir();
            string path = dir.File("cut.safetensors");
            checkpoint.Save(path);
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);
            error = Assert.ThrowsAny<IOException>(() => Checkpoint.Load(path).Restore(model, optimizer, schedule, plateau));
            Assert.Contains(path, error.Message);
        }
        else
        {
            error = Assert.Throws<InvalidDataException>(() => checkpoint.Restore(model, optimizer, schedule, plateau));
            Assert.StartsWith("<memory>: ", error.Message);
            Assert.Contains(expected, error.Message);
        }
        Assert.Equal(before, Fingerprint(model, optimizer, schedule, plateau));
    }

    [Fact]
    public void Objects_left_by_a_failed_restore_take_a_checkpoint_that_fits()
    {
        var (model, adam, schedule, plateau) = Live();
        var good = Capture(CheckpointTests.Trained(1));
        var bad = Capture(CheckpointTests.Trained(1));
        bad.Rngs["model.rnn"] = new RngState(0, 0, 0, 0);
        Assert.Throws<InvalidDataException>(() => bad.Restore(model, adam, schedule, plateau));

        good.Restore(model, adam, schedule, plateau);
        var (model1, adam1, schedule1, plateau1) = CheckpointTests.Trained(1);
        Assert.Equal(Fingerprint(model1, adam1, schedule1, plateau1), Fingerprint(model, adam, schedule, plateau));
    }

    // Objects whose every part differs from the checkpoint's (taken from CheckpointTests.Trained(1)): other weights
    // and moments, one schedule step more, a plateau that has cut the rate.
    private static (CharLanguageModel Model, Adam Adam, StepDecay Schedule, ReduceOnPlateau Plateau) Live()
    {
        var live = CheckpointTests.Trained(2);
        live.Schedule.Step();
        live.Plateau.Step(10);
        return live;
    }

    private static Checkpoint Capture((CharLanguageModel Model, Adam Adam, StepDecay Schedule, ReduceOnPlateau Plateau) run) =>
        Checkpoint.Capture(CharLanguageModelCheckpoint.Kind, CheckpointTests.Config.ToJson(), run.Model, run.Adam, run.Schedule, run.Plateau);

    // Everything Restore may write, exactly: float bits of the weights and optimizer tensors, the scalar states as
    // JSON (round-trip precision), the generators' states.
    private static string Fingerprint(CharLanguageModel model, Optimizer optimizer, LearningRateSchedule schedule, ReduceOnPlateau plateau)
    {
        static string Bits(IReadOnlyDictionary<string, Tensor> tensors) => string.Join("\n",
            tensors.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {Convert.ToHexString(MemoryMarshal.AsBytes(t.Value.Span))}"));
        return string.Join("\n",
            Bits(model.StateDict()),
            Bits(optimizer.StateDict()),
            JsonSerializer.Serialize(optimizer.ExportState()),
            JsonSerializer.Serialize(schedule.ExportState()),
            JsonSerializer.Serialize(plateau.ExportState()),
            $"best {plateau.Best:R}",
            string.Join("\n", Checkpoint.ModuleRngs(model).Select(r => $"{r.Key} {r.Rng.GetState()}")));
    }
}
