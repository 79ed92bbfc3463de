using Recur.IO.Checkpoints;
using Recur.Tasks;
using Recur.Tests.Data;

namespace Recur.Tests.Cli;

public class TrainCharLmResumeTests
{
    [Fact]
    public void Resume_continues_the_recorded_run_in_its_folder()
    {
        using var dir = new TempDir();
        string text = dir.Write("text.txt", string.Concat(Enumerable.Repeat("the whale swam under the white sea. ", 400)));
        string run = dir.File("run");
        Cli.Ok("train", "charlm", "--data", text, "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "20", "--epochs", "1", "--out", run, "--sample-every", "0");
        // Only the budget is given: data, shapes and folder come from the recorded run.
        var r = Cli.Ok("train", "charlm", "--resume", run, "--epochs", "1", "--sample-every", "0");
        Assert.Contains("continuing", r.Out);

        var history = File.ReadAllLines(Path.Combine(run, ModelFolder.HistoryName));
        Assert.Equal(3, history.Length); // header, epoch 1, epoch 2
        Assert.StartsWith("1,", history[1]);
        Assert.StartsWith("2,", history[2]);
        var last = Checkpoint.Load(ModelFolder.At(run).LastCheckpointPath, "charlm");
        Assert.Equal(2, last.Epoch);
        Assert.NotNull(last.Optimizer);
        Assert.Contains(last.OptimizerTensors.Keys, k => k.EndsWith("exp_avg", StringComparison.Ordinal));
        var manifest = ModelFolder.At(run).ReadManifest();
        Assert.Equal(2, manifest.Training!.Epochs);
        Assert.Equal(16, manifest.Architecture["rnn"]!["hidden_size"]!.GetValue<int>());
        Assert.Equal(Path.GetFullPath(text), Assert.Single(manifest.Training.Data).Path);
    }

    [Fact]
    public void Resume_refuses_options_that_would_change_the_run_and_accepts_equal_ones()
    {
        using var dir = new TempDir();
        string text = dir.Write("text.txt", string.Concat(Enumerable.Repeat("the whale swam under the white sea. ", 200)));
        string run = dir.File("run");
        Cli.Ok("train", "charlm", "--data", text, "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "20", "--epochs", "1", "--out", run, "--sample-every", "0");

        var changed = Cli.Run("train", "charlm", "--resume", run, "--hidden", "32", "--seq", "10", "--epochs", "1");
        Assert.NotEqual(0, changed.ExitCode);
        var line = Assert.Single(changed.ErrLines);
        Assert.Contains("--hidden, --seq would change the run being resumed", line);

        var other = Cli.Run("train", "charlm", "--resume", run, "--out", dir.File("elsewhere"), "--epochs", "1");
        Assert.Contains("--out", Assert.Single(other.ErrLines));

        // The same values as recorded are no change.
        Cli.Ok("train", "charlm", "--resume", run, "--data", text, "--hidden", "16", "--batch", "4", "--epochs", "1", "--sample-every", "0");
        Assert.Equal(2, ModelFolder.At(run).ReadManifest().Training!.Epochs);

        // Changed data is detected.
        File.AppendAllText(text, "more text.");
        var edited = Cli.Run("train", "charlm", "--resume", run, "--epochs", "1");
        Assert.Contains("changed since the run started", Assert.Single(edited.ErrLines));
    }

    [Fact]
    public void A_second_run_into_a_folder_is_refused_unless_overwrite()
    {
        using var dir = new TempDir();
        string text = dir.Write("text.txt", string.Concat(Enumerable.Repeat("abc abd abe. ", 100)));
        string run = dir.File("run");
        string[] args = ["train", "charlm", "--data", text, "--hidden", "8", "--embed", "4", "--batch", "2", "--seq", "10", "--epochs", "1", "--out", run, "--sample-every", "0"];
        Cli.Ok(args);
        var again = Cli.Run(args);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("is not empty", Assert.Single(again.ErrLines));
        Assert.Contains("--overwrite", again.ErrLines[0]);
        Cli.Ok([.. args, "--overwrite"]);
    }
}
