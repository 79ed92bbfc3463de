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
            ReportCommand.Create(host),
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
            var unknown = parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal));
            if (unknown is not null && Suggest(unknown, parse.CommandResult.Command) is { } option)
            {
                // A misspelt option also leaves its value unmatched: one line about the option is the useful one.
                host.Fail($"unknown option '{unknown}'; did you mean '{option}'? (see '{command} --help')");
                return 1;
            }
            foreach (var e in parse.Errors) host.Fail($"{e.Message} (see '{command} --help')");
            return 1;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>The option of <paramref name="command"/> closest to <paramref name="token"/> (at most two edits away, or a prefix), or null.</summary>
    private static string? Suggest(string token, Command command)
    {
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
        return names.Select(n => (Name: n, Distance: n.StartsWith(token, StringComparison.Ordinal) ? 0 : Edits(token, n)))
            .Where(c => c.Distance <= 2).OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Name).FirstOrDefault();
    }

    // Levenshtein distance.
    private static int Edits(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
