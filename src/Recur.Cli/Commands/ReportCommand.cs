using System.CommandLine;
using Recur.Cli.Hosting;
using Recur.Cli.Reports;
using Recur.Tasks;

namespace Recur.Cli.Commands;

/// <summary>
/// <c>recur report</c>: the training report of a model folder as one self-contained HTML page (curves, gradients
/// through time, the task's evaluation pictures, settings and data), readable offline and printable.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(CliHost host)
    {
        var model = new Option<string>("--model", "-m") { Description = "A model folder written by 'recur train'", Required = true, HelpName = "DIR" };
        var data = new Option<string?>("--data") { Description = "Labelled data to evaluate on for the task's pictures (default: the run's validation data, when its files are unchanged)", HelpName = "FILE" };
        var output = new Option<string?>("--out", "-o") { Description = $"Where to write the page [default: {ModelFolder.ReportName} in the model folder]", HelpName = "FILE" };
        var cmd = new Command("report", "Write a training report: one self-contained HTML page with the training curves, gradients through time and the task's evaluation pictures.")
        {
            model, data, output,
        };
        host.SetAction(cmd, p =>
        {
            string folder = p.GetValue(model)!;
            string? file = p.GetValue(data);
            if (file is not null && !File.Exists(file)) throw new UserError(Directory.Exists(file) ? $"--data {file} is a folder; expected a file" : $"--data: no such file: {file}");
            var source = ReportSource.Read(folder, file);
            string path = Path.GetFullPath(p.GetValue(output) ?? source.Folder.ReportPath);
            if (Directory.Exists(path)) throw new UserError($"--out {path} is a folder; expected a file name such as {ModelFolder.ReportName}");
            var page = TrainingReport.Write(source, path);
            host.Out.WriteLine($"report: {path} ({page.Charts.Count} charts, {new FileInfo(path).Length / 1024.0:N0} KB)");
            foreach (var m in page.Missing) host.Out.WriteLine($"  missing: {m}");
            return 0;
        });
        return cmd;
    }
}
