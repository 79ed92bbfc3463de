using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Text;
using Recur.Cli.Commands;
using Recur.Cli.Hosting;

namespace Recur.Cli;

/// <summary>Entry point of the <c>recur</c> command.</summary>
public static class Program
{
    /// <summary>Runs <c>recur</c> on the console.</summary>
    public static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the chosen subcommand, writing results to <paramref name="output"/> and
    /// problems to <paramref name="error"/> (one "recur: ..." line each). Returns the exit code: 0 on success.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Numbers and dates print the same whatever the machine's locale.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var host = new CliHost(output, error, args);
        var root = new RootCommand("recur: train, run and inspect recurrent neural networks (RNN, LSTM, GRU) in pure .NET.")
        {
            TrainCommand.Create(host),
            EvalCommand.Create(host),
            PredictCommand.Create(host),
            InfoCommand.Create(host),
            GenerateCommand.Create(host),
            DemoCommand.Create(host),
            CheckCommand.Create(host),
            FetchCommand.Create(host),
        };
        root.Options.Add(host.Verbose);
        // A command that only groups others (recur, recur train, recur demo) shows its help when run alone.
        var help = (HelpAction)root.Options.OfType<HelpOption>().Single().Action!;
        foreach (var group in new[] { root }.Concat(root.Subcommands).Where(c => c.Action is null && c.Subcommands.Count > 0))
            group.SetAction(help.Invoke);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // One line per problem, in the same form as every other failure; help stays one --help away.
            var names = new List<string>();
            for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, c.Command is RootCommand ? "recur" : c.Command.Name);
            string command = string.Join(" ", names);
            foreach (var e in parse.Errors) host.Fail($"{e.Message} (see '{command} --help')");
            return 1;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
