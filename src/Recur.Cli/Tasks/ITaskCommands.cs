using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Cli.Output;
using Recur.Tasks;

namespace Recur.Cli.Tasks;

/// <summary>What <c>recur eval</c> was asked; each task reads the parts that apply to it.</summary>
/// <param name="Data">The labelled file.</param>
/// <param name="Json">Print one JSON object instead of the report.</param>
/// <param name="Format">The file format name, or null to detect it.</param>
/// <param name="Text">classify: the text column; charlm: the text file (the earlier spelling of --data).</param>
/// <param name="Label">classify: the label column.</param>
/// <param name="Column">tag: the CoNLL-U tag column.</param>
/// <param name="Seq">charlm: characters per chunk.</param>
/// <param name="Batch">charlm: parallel lanes; others: sequences per batch.</param>
internal sealed record EvalRequest(string Data, bool Json, string? Format, string? Text, string? Label, string? Column, int Seq, int Batch);

/// <summary>What <c>recur predict</c> was asked.</summary>
/// <param name="Data">The input file (stdin already copied to a file).</param>
/// <param name="DisplayName">The input as the user named it ("-" for stdin).</param>
/// <param name="Output">Where the JSON lines go.</param>
/// <param name="Format">The file format name, or null to detect it.</param>
/// <param name="Text">classify: the text column.</param>
/// <param name="Column">tag: the CoNLL-U tag column.</param>
/// <param name="Length">charlm: characters to generate per prompt.</param>
/// <param name="Temperature">charlm: sampling temperature.</param>
/// <param name="TopK">charlm: sample among the k most likely.</param>
/// <param name="Seed">charlm: sampling seed.</param>
internal sealed record PredictRequest(string Data, string DisplayName, TextWriter Output, string? Format, string? Text, string? Column,
    int Length, double Temperature, int TopK, ulong Seed);

/// <summary>One task kind on the command line: its <c>train</c> subcommand and its parts of <c>eval</c>, <c>predict</c> and <c>info</c>.</summary>
internal interface ITaskCommands
{
    /// <summary>The kind.</summary>
    TaskKind Kind { get; }

    /// <summary><c>recur train &lt;kind&gt;</c>.</summary>
    Command Train(CliHost host);

    /// <summary>Scores <paramref name="model"/> on labelled data.</summary>
    int Eval(CliHost host, TrainedModel model, EvalRequest request);

    /// <summary>Writes one JSON line per input record, in input order, streaming.</summary>
    int Predict(CliHost host, TrainedModel model, PredictRequest request);

    /// <summary>The kind's part of <c>recur info</c> (vocabularies, labels, preprocessing).</summary>
    void Describe(TrainedModel model, Report report);
}

/// <summary>The task kinds the command line knows, in one place.</summary>
internal static class TaskCommands
{
    /// <summary>Every kind's commands.</summary>
    public static IReadOnlyList<ITaskCommands> All { get; } = [new CharLmCommands(), new ClassifyCommands(), new TagCommands()];

    /// <summary>The commands of <paramref name="kind"/>.</summary>
    public static ITaskCommands For(TaskKind kind) => All.First(t => t.Kind == kind);
}
