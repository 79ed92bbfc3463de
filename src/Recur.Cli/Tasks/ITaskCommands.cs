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
/// <param name="Decoding">seq2seq: columns and decoding.</param>
internal sealed record EvalRequest(string Data, bool Json, string? Format, string? Text, string? Label, string? Column, int Seq, int Batch, DecodeRequest? Decoding = null);

/// <summary>What <c>recur eval</c> and <c>recur predict</c> were asked about a sequence-to-sequence model.</summary>
/// <param name="Source">The source column (CSV/TSV with a header, JSON lines).</param>
/// <param name="Target">The target column.</param>
/// <param name="Beam">K, the beam width (1 = greedy).</param>
/// <param name="LengthPenalty">α of GNMT's length normalisation.</param>
/// <param name="MaxLength">Most tokens written per output, or null for the model's default.</param>
/// <param name="NBest">Outputs listed per source.</param>
/// <param name="Attention">Write the attention weights of each output step.</param>
/// <param name="TooLong">A source longer than the longest of training: truncate or refuse.</param>
internal sealed record DecodeRequest(string? Source, string? Target, int Beam, double LengthPenalty, int? MaxLength, int NBest, bool Attention, string TooLong);

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
/// <param name="Decoding">seq2seq: columns and decoding.</param>
internal sealed record PredictRequest(string Data, string DisplayName, TextWriter Output, string? Format, string? Text, string? Column,
    int Length, double Temperature, int TopK, ulong Seed, DecodeRequest? Decoding = null);

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
    public static IReadOnlyList<ITaskCommands> All { get; } = [new CharLmCommands(), new ClassifyCommands(), new TagCommands(), new Seq2SeqCommands()];

    /// <summary>The commands of <paramref name="kind"/>.</summary>
    public static ITaskCommands For(TaskKind kind) => All.First(t => t.Kind == kind);
}
