using System.Text.Json.Nodes;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Tests.Cli;
using Recur.Tests.Data;

namespace Recur.Tests.Tasks;

public sealed class ModelFolderTests
{
    private static string LegacyFolder => Path.Combine(AppContext.BaseDirectory, "fixtures", "legacy-charlm");

    [Fact]
    public void A_folder_written_by_the_earlier_recur_train_charlm_still_loads_and_gives_the_same_results()
    {
        // The numbers the earlier version printed for this folder (tests/fixtures/legacy-charlm/README.md).
        Assert.True(ModelFolder.At(LegacyFolder).IsLegacyCharLm);
        var m = Assert.IsType<TrainedCharLm>(TrainedModel.Load(LegacyFolder));
        Assert.Equal(TaskKind.CharLm, m.Kind);
        var (bpc, count) = m.BitsPerCharacter(m.Encode(m.ReadText(Path.Combine(LegacyFolder, "text.txt"))));
        Assert.Equal(2727, count);
        Assert.Equal("4.1229", bpc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
        var r = Cli.Cli.Ok("generate", "--model", LegacyFolder, "-p", "The ", "-n", "40", "--seed", "3");
        Assert.Equal("The poTked pw vooqo   uqnhh vymv h tq xuhk e\n", r.Out);
        Cli.Cli.Ok("info", "--model", LegacyFolder);
    }

    [Fact]
    public void Manifest_errors_name_the_file_and_what_is_wrong()
    {
        using var dir = new TempDir();
        string Error(string json)
        {
            string path = dir.Write("model.json", json);
            return Assert.Throws<InvalidDataException>(() => ModelManifest.Load(path)).Message;
        }
        Assert.Contains("\"format\" is \"something\"", Error("""{"format": "something", "version": 1, "kind": "tag"}"""));
        Assert.Contains("format version 7 is newer than this Recur reads (1)", Error("""{"format": "recur-model", "version": 7, "kind": "tag"}"""));
        Assert.Contains("\"kind\" is \"translate\"", Error("""{"format": "recur-model", "version": 1, "kind": "translate"}"""));
        Assert.Contains("not valid JSON", Error("{"));
        Assert.Contains("model.json", Error("[]"));
    }

    [Fact]
    public void A_model_folder_of_another_kind_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidDataException>(() => TrainedModel.Load(LegacyFolder, TaskKind.Classify));
        Assert.Contains("holds a 'charlm' model, not a 'classify' one", e.Message);
    }

    [Fact]
    public void Create_refuses_a_folder_that_holds_something_and_overwrite_removes_only_the_models_files()
    {
        using var dir = new TempDir();
        string path = dir.File("run");
        var folder = ModelFolder.Create(path, overwrite: false);
        File.WriteAllText(folder.ManifestPath, "{}");
        File.WriteAllText(Path.Combine(path, "notes.txt"), "mine");
        var e = Assert.Throws<IOException>(() => ModelFolder.Create(path, overwrite: false));
        Assert.Contains("not empty", e.Message);
        Assert.Contains("--overwrite", e.Message);
        ModelFolder.Create(path, overwrite: true);
        Assert.False(File.Exists(folder.ManifestPath));
        Assert.True(File.Exists(Path.Combine(path, "notes.txt")));
        Assert.Throws<IOException>(() => ModelFolder.Create(dir.Write("file", "x"), overwrite: true));
    }

    [Fact]
    public void Manifest_round_trips_and_keeps_non_ascii_tokens_readable()
    {
        using var dir = new TempDir();
        var m = new ModelManifest
        {
            Kind = TaskKind.Tag,
            Architecture = new JsonObject { ["hidden_size"] = 4 },
            Vocabularies = new JsonObject { ["tokens"] = new JsonArray("é", "日本") },
            Training = new TrainingRecord { CommandLine = "recur train tag", Best = new Dictionary<string, double> { ["val_accuracy"] = double.NaN } },
        };
        string path = dir.File("model.json");
        m.Save(path);
        string text = File.ReadAllText(path);
        Assert.Contains("\"kind\": \"tag\"", text);
        Assert.Contains("\"é\"", text);
        var back = ModelManifest.Load(path);
        Assert.Equal(TaskKind.Tag, back.Kind);
        Assert.True(double.IsNaN(back.Training!.Best["val_accuracy"]));
        Assert.Equal(4, back.Architecture["hidden_size"]!.GetValue<int>());
    }
}
