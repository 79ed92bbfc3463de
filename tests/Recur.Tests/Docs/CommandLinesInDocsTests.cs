using System.Text.RegularExpressions;

namespace Recur.Tests.Docs;

/// <summary>
/// Every <c>recur ...</c> command line written in README.md and docs/*.md uses options that the command's own
/// <c>--help</c> lists, so the documentation cannot drift from the program unnoticed.
/// </summary>
public sealed partial class CommandLinesInDocsTests
{
    private static readonly string[] Commands = ["train classify", "train tag", "train charlm", "eval", "predict", "info", "report", "generate", "demo hello", "demo bits", "demo gradients", "demo compare", "check", "fetch"];

    [GeneratedRegex(@"\brecur (train (?:classify|tag|charlm)|eval|predict|info|report|generate|demo (?:hello|bits|gradients|compare)|check|fetch)\b([^`\n|]*)")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*")]
    private static partial Regex OptionName();

    [Fact]
    public void Options_in_the_docs_exist_in_the_help()
    {
        string root = Root();
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"));
        var help = Commands.ToDictionary(c => c, c => Recur.Tests.Cli.Cli.Ok([.. c.Split(' '), "--help"]).Out);
        var unknown = new List<string>();
        int checkedLines = 0;
        foreach (string file in files)
            foreach (var (line, n) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
                foreach (Match m in CommandLine().Matches(line))
                {
                    checkedLines++;
                    foreach (Match o in OptionName().Matches(m.Groups[2].Value))
                        if (!help[m.Groups[1].Value].Contains(o.Value + " ", StringComparison.Ordinal) && !help[m.Groups[1].Value].Contains(o.Value + ",", StringComparison.Ordinal))
                            unknown.Add($"{Path.GetFileName(file)}:{n}: recur {m.Groups[1].Value} {o.Value}");
                }
        Assert.True(checkedLines > 20, $"only {checkedLines} command lines found");
        Assert.True(unknown.Count == 0, "options the help does not list:\n" + string.Join("\n", unknown));
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && Directory.Exists(Path.Combine(dir.FullName, "docs"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (README.md and docs/) above " + AppContext.BaseDirectory);
    }
}
