using System.CommandLine;
using System.Text;
using Recur.Cli.Hosting;
using Recur.Cli.Inputs;
using Recur.Data.Text;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Tensors;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur generate</c>: samples text from a trained character language model, one character at a time, writing
/// each to stdout as soon as it is drawn.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder written by 'recur train charlm' (or a checkpoint file)", Required = true, HelpName = "DIR" };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text the model reads first; the output continues it", DefaultValueFactory = _ => "The ", HelpName = "TEXT" };
        var length = new Option<int>("--length", "-n") { Description = "Characters to generate after the prompt", DefaultValueFactory = _ => 500, HelpName = "N" }.AtLeast(0);
        var temperature = new Option<double>("--temperature", "-t") { Description = "Sampling temperature: lower is safer and more repetitive, higher more surprising; 0 always picks the most likely character", DefaultValueFactory = _ => 0.8, HelpName = "T" }.AtLeast(0);
        var topK = new Option<int>("--top-k", "-k") { Description = "Sample only among the k most likely characters (0 = all)", DefaultValueFactory = _ => 0, HelpName = "K" }.AtLeast(0);
        var seed = new Option<ulong?>("--seed") { Description = "Seed for sampling, to repeat a run (default: a different one each run, printed on stderr)", HelpName = "N" };
        var cmd = new Command("generate", "Generate text with a trained character language model, streaming it as it is sampled.")
        {
            model, prompt, length, temperature, topK, seed,
        };
        host.SetAction(cmd, p =>
        {
            var given = p.GetValue(seed);
            ulong s = given ?? (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            int code = Run(host, p.GetValue(model)!, p.GetValue(prompt)!, p.GetValue(length), p.GetValue(temperature), p.GetValue(topK), s);
            if (given is null) host.Error.WriteLine($"recur: sampled with --seed {s} (pass it to repeat this text)");
            return code;
        });
        return cmd;
    }

    private static int Run(CliHost host, string modelPath, string prompt, int length, double temperature, int topK, ulong seed)
    {
        if (prompt.Length == 0) throw new UserError("--prompt is empty; the model needs at least one character to start from");
        var m = (TrainedCharLm)ModelFiles.Load(modelPath, TaskKind.CharLm);
        CheckPrompt(host, m.Vocabulary, m.Preprocessing.Apply(prompt));
        var output = host.Out;
        output.Write(prompt);
        output.Flush();
        m.Generate(prompt, length, temperature, topK, new Rng(seed), s =>
        {
            output.Write(s);
            output.Flush();
        });
        output.WriteLine();
        return 0;
    }

    /// <summary>Characters the model never saw become UNK (with a warning naming them), or are refused when it has no UNK.</summary>
    private static void CheckPrompt(CliHost host, Vocabulary vocabulary, string prompt)
    {
        var unknown = prompt.EnumerateRunes().Where(r => !vocabulary.Contains(r.ToString())).Distinct().ToList();
        if (unknown.Count > 0)
        {
            string list = string.Join(", ", unknown.Select(TextFiles.Describe));
            if (vocabulary.UnkIndex is not { } unk)
                throw new UserError($"--prompt has characters the model does not know: {list} (it knows {vocabulary.Count} characters; 'recur info' lists them)");
            host.Warn($"--prompt characters not in the model's vocabulary are read as {vocabulary[unk]}: {list}");
        }
    }
}
