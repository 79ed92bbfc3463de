using Recur.Layers;
using System.Globalization;
using Recur.Data.Batching;
using Recur.Data.Text;
using Recur.IO.Checkpoints;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Data;
using Recur.Training;
using Recur.Training.Optimizers;

namespace Recur.Tests.Cli;

/// <summary>
/// A tiny character language model trained in-process for a few steps on a small text and saved as a checkpoint
/// folder (best.safetensors + history.csv), as <c>recur train charlm</c> leaves it; plus a copy whose vocabulary
/// has no UNK token. Shared by the CLI tests.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public TinyModelFixture()
    {
        Text = string.Concat(Enumerable.Repeat("the cat sat on the mat. the dog ran to the cat.\n", 40));
        TextFile = _dir.Write("text.txt", Text);
        Folder = Path.Combine(_dir.Path, "run");
        Directory.CreateDirectory(Folder);
        Vocabulary = Vocabulary.ForCharacters(Text);
        Model = Train(Vocabulary);
        CharLanguageModelCheckpoint.Save(Path.Combine(Folder, "best.safetensors"), Model, Vocabulary,
            new Dictionary<string, string> { ["epoch"] = "2", ["val_bpc"] = "1.2345" });
        File.WriteAllText(Path.Combine(Folder, "history.csv"), "epoch,seconds,train_bpc,val_bpc,grad_norm,items_per_second\n1,0.5,3.9000,3.1000,0.4000,123456.78\n2,1.0,2.5000,1.2345678901234567,0.3000,nan\n");

        NoUnkFolder = Path.Combine(_dir.Path, "no-unk");
        Directory.CreateDirectory(NoUnkFolder);
        var strict = Vocabulary.ForCharacters(Text, SpecialTokens.None);
        CharLanguageModelCheckpoint.Save(Path.Combine(NoUnkFolder, "last.safetensors"), Train(strict), strict);
    }

    /// <summary>The training text (15 characters: \n, space, '.' and 12 letters).</summary>
    public string Text { get; }

    /// <summary>The text as a file.</summary>
    public string TextFile { get; }

    /// <summary>Folder with best.safetensors and history.csv.</summary>
    public string Folder { get; }

    /// <summary>Folder with only last.safetensors, a model whose vocabulary has no UNK.</summary>
    public string NoUnkFolder { get; }

    public Vocabulary Vocabulary { get; }

    public CharLanguageModel Model { get; }

    /// <summary>A scratch folder for test files.</summary>
    internal TempDir Scratch => _dir;

    private CharLanguageModel Train(Vocabulary vocabulary)
    {
        int[] tokens = new CharEncoder(vocabulary).Encode(Text);
        var model = new CharLanguageModel(new CharLanguageModelConfig(vocabulary.Count, 8, new RecurrentConfig(CellKind.Lstm, 16)), new Rng(7));
        var adam = new Adam(model.Parameters, 0.02);
        var batches = new LanguageModelBatcher(tokens, vocabulary.Count, batchSize: 4, steps: 20);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            model.ResetState();
            foreach (var b in batches.Batches())
            {
                adam.ZeroGrad();
                model.Step(b.Inputs.ToArray(), b.Targets.ToArray(), b.BatchSize, b.Steps);
                adam.Step();
            }
        }
        model.Training = false;
        return model;
    }

    public void Dispose() => _dir.Dispose();

    internal static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "Cli";
}
