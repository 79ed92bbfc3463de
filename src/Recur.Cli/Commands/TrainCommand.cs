using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Cli.Tasks;

namespace Recur.Cli.Commands;

/// <summary><c>recur train &lt;task&gt;</c>: one subcommand per task kind, each writing a model folder.</summary>
internal static class TrainCommand
{
    public static Command Create(CliHost host)
    {
        var cmd = new Command("train", "Train a model on your data; every task writes the same kind of model folder (model.json, model.safetensors, history.csv, checkpoints/).");
        foreach (var task in TaskCommands.All) cmd.Subcommands.Add(task.Train(host));
        return cmd;
    }
}
