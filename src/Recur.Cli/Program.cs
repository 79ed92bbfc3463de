using System.CommandLine;
using Recur.Cli.Commands;

namespace Recur.Cli;

/// <summary>Entry point of the <c>recur</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen subcommand.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("recur: train, run and check recurrent neural networks (RNN, LSTM, GRU).")
        {
            CheckCommand.Create(),
            new Command("train", "Train a model") { TrainCharLmCommand.Create() },
            FetchCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
