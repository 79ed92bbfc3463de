using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Tasks;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur predict</c>: applies a trained model to new input and writes one JSON line per input record, in input
/// order, as it goes (the input is streamed, so its size does not matter).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder written by 'recur train'", Required = true, HelpName = "DIR" };
        var data = new Option<string>("--data") { Description = "Input: a file in the task's format or plain text (one text, sentence or prompt per line), or - for stdin", Required = true, HelpName = "FILE|-" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the JSON lines to FILE (default: stdout)", HelpName = "FILE" };
        var format = new Option<string?>("--format") { Description = "Input format (default: detected): text (one per line), csv, tsv, json_lines (classify); slash, conll_u, conll (tag)", HelpName = "NAME" };
        var text = new Option<string?>("--text") { Description = "classify: the text column (default: the training file's)", HelpName = "NAME" };
        var column = new Option<string?>("--column") { Description = "tag: the CoNLL-U column of the input (default: the training corpus's)", HelpName = "NAME" };
        var length = new Option<int>("--length", "-n") { Description = "charlm: characters to generate after each prompt", DefaultValueFactory = _ => 200, HelpName = "N" }.AtLeast(0);
        var temperature = new Option<double>("--temperature", "-t") { Description = "charlm: sampling temperature (0 = most likely)", DefaultValueFactory = _ => CharLmCommands.SampleTemperature, HelpName = "T" }.AtLeast(0);
        var topK = new Option<int>("--top-k", "-k") { Description = "charlm: sample only among the k most likely characters (0 = all)", DefaultValueFactory = _ => 0, HelpName = "K" }.AtLeast(0);
        var seed = new Option<ulong>("--seed") { Description = "charlm: sampling seed", DefaultValueFactory = _ => 1, HelpName = "N" };
        var cmd = new Command("predict", "Apply a trained model to new input: one JSON line per input record, in order (label and probabilities, tags, or generated text).")
        {
            model, data, output, format, text, column, length, temperature, topK, seed,
        };
        var decode = new DecodeOptions(predict: true);
        foreach (var o in decode.All) cmd.Options.Add(o);
        host.SetAction(cmd, p =>
        {
            var m = ModelFiles.Load(p.GetValue(model)!);
            string name = p.GetValue(data)!;
            using var input = PredictInput.Open(name);
            string? outPath = p.GetValue(output);
            using var file = outPath is null ? null : new StreamWriter(outPath, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
            var request = new PredictRequest(input.Path, name, file ?? host.Out, p.GetValue(format), p.GetValue(text), p.GetValue(column),
                p.GetValue(length), p.GetValue(temperature), p.GetValue(topK), p.GetValue(seed), decode.Read(p));
            return TaskCommands.For(m.Kind).Predict(host, m, request);
        });
        return cmd;
    }
}
