using Recur.IO.Checkpoints;

namespace Recur.Tests.Cli;

public class TrainCharLmResumeTests
{
    [Fact]
    public void Resume_continues_the_run_from_its_last_checkpoint()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"recur-resume-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string text = Path.Combine(dir, "text.txt");
            File.WriteAllText(text, string.Concat(Enumerable.Repeat("the whale swam under the white sea. ", 400)));
            string run = Path.Combine(dir, "run");
            Assert.Equal(0, Cli.Run("train", "charlm", "--text", text, "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "20", "--epochs", "1", "--out", run).ExitCode);
            Assert.Equal(0, Cli.Run("train", "charlm", "--text", text, "--batch", "4", "--seq", "20", "--epochs", "1", "--resume", run, "--out", run).ExitCode);

            var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
            Assert.Equal(3, history.Length); // header, epoch 1, epoch 2
            Assert.StartsWith("1,", history[1]);
            Assert.StartsWith("2,", history[2]);
            var last = Checkpoint.Load(Path.Combine(run, "last.safetensors"), CharLanguageModelCheckpoint.Kind);
            Assert.Equal(2, last.Epoch);
            Assert.NotNull(last.Optimizer);
            Assert.Contains(last.OptimizerTensors.Keys, k => k.EndsWith("exp_avg", StringComparison.Ordinal));
            Assert.Equal(16, CharLanguageModelCheckpoint.Rebuild(last).Model.Config.HiddenSize); // architecture from the checkpoint
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
