using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Cli.Tasks;
using Recur.Tasks;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur eval</c>: a trained model's metrics on labelled data, for any task kind: accuracy and F1s with a confusion
/// matrix (classify), token and unseen-word accuracy, per-tag and span F1 (tag), bits per character (charlm).
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder written by 'recur train' (or a checkpoint file)", Required = true, HelpName = "DIR" };
        var data = new Option<string?>("--data") { Description = "Labelled data in the task's format (.gz allowed)", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (for scripts) instead of the report" };
        var format = new Option<string?>("--format") { Description = "File format (default: detected): csv, tsv, jsonl (classify, seq2seq); slash, conll_u, conll (tag)", HelpName = "NAME" };
        var text = new Option<string?>("--text") { Description = "classify: the text column (default: the training file's); charlm: the text file (as --data)", HelpName = "NAME|FILE" };
        var label = new Option<string?>("--label") { Description = "classify: the label column (default: the training file's)", HelpName = "NAME" };
        var column = new Option<string?>("--column") { Description = "tag: the CoNLL-U tag column, upos or xpos (default: the training corpus's)", HelpName = "NAME" };
        var seq = new Option<int>("--seq") { Description = "charlm: characters per chunk; the state is carried across chunks", DefaultValueFactory = _ => 100, HelpName = "N" }.AtLeast(1);
        var batch = new Option<int>("--batch") { Description = "charlm: parallel lanes the text is cut into (fewer for a short text), as in training's validation", DefaultValueFactory = _ => 32, HelpName = "N" }.AtLeast(1);
        var cmd = new Command("eval", "Score a trained model on labelled data: the task's metrics (accuracy, F1, bits per character, ...).")
        {
            model, data, json, format, text, label, column, seq, batch,
        };
        var decode = new DecodeOptions(predict: false);
        foreach (var o in decode.All) cmd.Options.Add(o);
        host.SetAction(cmd, p =>
        {
            var m = ModelFiles.Load(p.GetValue(model)!);
            string? file = p.GetValue(data), textValue = p.GetValue(text);
            if (m.Kind == TaskKind.CharLm && file is null) (file, textValue) = (textValue, null); // --text FILE, the earlier spelling
            if (file is null) throw new UserError("--data is required: the labelled file to score");
            if (Directory.Exists(file)) throw new UserError($"--data {file} is a folder; expected a file");
            if (!File.Exists(file)) throw new UserError($"--data: no such file: {file}");
            var request = new EvalRequest(file, p.GetValue(json), p.GetValue(format), textValue, p.GetValue(label), p.GetValue(column), p.GetValue(seq), p.GetValue(batch), decode.Read(p));
            return TaskCommands.For(m.Kind).Eval(host, m, request);
        });
        return cmd;
    }
}
