using System.Text;
using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.Cli.Reports;

/// <summary>
/// A tiny three-class classifier trained once by <c>recur train classify</c> (5 epochs, a clipping threshold low enough
/// to clip), whose folder and report the report tests read; copies of the folder are made for the bad-input cases.
/// </summary>
public sealed class ReportFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public ReportFixture()
    {
        var rng = new Rng(5);
        string[] filler = ["the", "movie", "was", "it", "plot", "and", "very", "food"], good = ["good", "great", "lovely"], bad = ["bad", "awful", "dull"];
        var csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 300; i++)
        {
            int label = rng.NextInt(3);
            var words = Enumerable.Range(0, 4 + rng.NextInt(4)).Select(_ => filler[rng.NextInt(filler.Length)]).ToList();
            if (label != 2) words.Insert(rng.NextInt(words.Count), label == 0 ? good[rng.NextInt(3)] : bad[rng.NextInt(3)]);
            csv.Append(string.Join(' ', words)).Append(',').Append(label switch { 0 => "pos", 1 => "neg", _ => "none" }).Append('\n');
        }
        Data = _dir.Write("reviews.csv", csv.ToString());
        Folder = _dir.File("run");
        Train = Cli.Ok("train", "classify", "--data", Data, "--out", Folder, "--embed", "8", "--hidden", "8", "--char-hidden", "0",
            "--epochs", "5", "--patience", "0", "--batch", "16", "--clip", "0.3");
        Html = File.ReadAllText(Path.Combine(Folder, "report.html"));
    }

    /// <summary>The training data.</summary>
    public string Data { get; }

    /// <summary>The model folder.</summary>
    public string Folder { get; }

    /// <summary>What training printed.</summary>
    internal CliResult Train { get; }

    /// <summary>The report.html training wrote.</summary>
    public string Html { get; }

    /// <summary>A copy of the model folder (without its report) in a new scratch folder.</summary>
    public string Copy(string name)
    {
        string to = _dir.File(name);
        Directory.CreateDirectory(Path.Combine(to, "checkpoints"));
        foreach (string file in Directory.GetFiles(Folder, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "report.html"))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(Folder, file)));
        return to;
    }

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ReportCollection : ICollectionFixture<ReportFixture>
{
    public const string Name = "Report";
}
