using System.Text;
using System.Text.Json.Nodes;
using Recur.Tasks;
using Recur.Tasks.Classification;
using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur train classify</c>, <c>eval</c>, <c>predict</c> and <c>info</c> end to end on a synthetic task whose answer is
/// known: a review is positive when it holds a positive word, among neutral filler words. Words ending in "-ful" or
/// "-less" are positive and negative too, and the test set uses such words never seen in training, which only the
/// spelling network can read.
/// </summary>
public sealed class TrainClassifyTests
{
    private static readonly string[] Filler = ["the", "a", "movie", "food", "was", "it", "really", "service", "and", "place", "very", "this", "plot", "staff"];
    private static readonly string[] Good = ["good", "great", "wonderful", "joyful", "careful", "lovely"];
    private static readonly string[] Bad = ["bad", "awful", "terrible", "useless", "careless", "dull"];

    /// <summary>A text and its label; <paramref name="unseen"/> uses positive and negative words that training never has.</summary>
    private static (string Text, string Label) Review(Rng rng, bool unseen = false)
    {
        bool positive = rng.NextInt(2) == 1;
        string[] words = unseen ? (positive ? ["playful", "hopeful", "graceful"] : ["pointless", "hopeless", "tasteless"]) : positive ? Good : Bad;
        var text = new List<string>();
        int n = 3 + rng.NextInt(8);
        for (int i = 0; i < n; i++) text.Add(Filler[rng.NextInt(Filler.Length)]);
        text.Insert(rng.NextInt(text.Count + 1), words[rng.NextInt(words.Length)]);
        return (string.Join(" ", text) + (rng.NextInt(3) == 0 ? "!" : "."), positive ? "pos" : "neg");
    }

    private static string[] Small => ["--embed", "16", "--hidden", "16", "--char-hidden", "8", "--char-embed", "8", "--epochs", "20", "--patience", "0", "--batch", "16"];

    [Fact]
    public void Learns_a_task_with_a_known_answer_from_an_odd_CSV_and_every_command_reads_the_folder()
    {
        using var dir = new TempDir();
        var rng = new Rng(11);
        // Another shape than the bundled data: id first, label before the text, other names, a BOM, CRLF line ends,
        // a quoted text with a comma, quotes and a newline.
        var csv = new StringBuilder("\uFEFFid,stars,review\r\n");
        for (int i = 0; i < 600; i++)
        {
            var (t, l) = Review(rng);
            csv.Append($"{i},{l},{(i % 7 == 0 ? $"\"{t} \"\"so\"\",\nreally\"" : t)}\r\n");
        }
        string data = dir.Write("reviews.csv", csv.ToString());
        string run = dir.File("run");
        var train = Cli.Ok(["train", "classify", "--data", data, "--out", run, .. Small]);
        Assert.Contains("text column \"review\", label column \"stars\"", train.Out);

        var test = new StringBuilder("review\tstars\n");
        for (int i = 0; i < 200; i++) { var (t, l) = Review(rng); test.Append($"{t}\t{l}\n"); }
        string testFile = dir.Write("test.tsv", test.ToString());
        var eval = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", testFile, "--json").Out)!;
        Assert.True(eval["accuracy"]!.GetValue<double>() >= 0.97, eval.ToJsonString());
        Assert.Equal(200, eval["records"]!.GetValue<int>());
        Assert.Equal(2, eval["confusion_matrix"]!["labels"]!.AsArray().Count);

        // Unseen positive and negative words ("-ful" / "-less"): read from their spelling, well above the chance a
        // model without the spelling network is left with.
        var unseen = new StringBuilder("review,stars\n");
        for (int i = 0; i < 400; i++) { var (t, l) = Review(rng, unseen: true); unseen.Append($"{t},{l}\n"); }
        string unseenFile = dir.Write("unseen.csv", unseen.ToString());
        var spelled = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", unseenFile, "--json").Out)!;
        Assert.True(spelled["accuracy"]!.GetValue<double>() >= 0.68, spelled.ToJsonString());
        Assert.True(spelled["unknown_tokens"]!.GetValue<long>() >= 400);
        string blind = dir.File("blind");
        Cli.Ok(["train", "classify", "--data", data, "--out", blind, .. Small.Where((_, i) => i is < 4 or >= 8), "--char-hidden", "0"]);
        var guessed = JsonNode.Parse(Cli.Ok("eval", "--model", blind, "--data", unseenFile, "--json").Out)!;
        Assert.True(guessed["accuracy"]!.GetValue<double>() <= 0.62, guessed.ToJsonString());

        // The human report has the table and the confusion matrix.
        var report = Cli.Ok("eval", "--model", run, "--data", testFile).Out;
        Assert.Contains("Confusion matrix", report);
        Assert.Contains("macro F1", report);

        // predict: one JSON line per input line of plain text (stdin copied through a file here), in order.
        string plain = dir.Write("plain.txt", "the food was great.\nthe service was awful!\n");
        var lines = Cli.Ok("predict", "--model", run, "--data", plain).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("pos", 1L), (lines[0]["label"]!.GetValue<string>(), lines[0]["line"]!.GetValue<long>()));
        Assert.Equal("neg", lines[1]["label"]!.GetValue<string>());
        double sum = lines[0]["probabilities"]!.AsObject().Sum(kv => kv.Value!.GetValue<double>());
        Assert.Equal(1.0, sum, 5);

        var info = Cli.Ok("info", "--model", run).Out;
        Assert.Contains("kind:", info);
        Assert.Contains("classify", info);
        Assert.Contains("chars.rnn.weight_ih_l0", info);
        Assert.Contains("val_accuracy (higher is better)", info);
    }

    [Fact]
    public void Saving_and_loading_gives_identical_predictions_and_the_weights_load_by_pytorch_names()
    {
        using var dir = new TempDir();
        var rng = new Rng(3);
        var lines = new StringBuilder();
        for (int i = 0; i < 200; i++) { var (t, l) = Review(rng); lines.Append($"{{\"text\": \"{t}\", \"label\": \"{l}\"}}\n"); }
        string data = dir.WriteGzip("reviews.jsonl.gz", lines.ToString());
        string run = dir.File("run");
        Cli.Ok(["train", "classify", "--data", data, "--out", run, "--pooling", "attention", "--layers", "2", "--rnn-dropout", "0.1", .. Small[..^6], "--epochs", "2"]);
        var a = (TrainedClassifier)TrainedModel.Load(run);
        var b = (TrainedClassifier)TrainedModel.Load(run);
        string[] texts = ["the movie was lovely.", "very dull plot", "staff", "it was a careless and useless place!"];
        var pa = a.Predict(texts);
        var pb = b.Predict(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(pa[i].Probabilities, pb[i].Probabilities);
        // A text alone or in a batch of others: the same probabilities (padding is exact).
        for (int i = 0; i < texts.Length; i++) Assert.Equal(pa[i].Probabilities, a.Predict([texts[i]])[0].Probabilities, new Near(1e-5f));
        var names = Recur.IO.Safetensors.SafetensorsFile.Open(Path.Combine(run, ModelFolder.WeightsName)).Tensors.Select(t => t.Name).ToHashSet();
        Assert.Contains("encoder.rnn.weight_ih_l1_reverse", names);
        Assert.Contains("attention.score.weight", names);
        Assert.Contains("chars.embedding.weight", names);
    }

    [Fact]
    public void Resume_continues_with_the_recorded_data_settings_and_word_dropout_generator()
    {
        using var dir = new TempDir();
        var rng = new Rng(9);
        var csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 120; i++) { var (t, l) = Review(rng); csv.Append($"{t},{l}\n"); }
        string data = dir.Write("d.csv", csv.ToString()), run = dir.File("run"), straight = dir.File("straight");
        string[] args = ["train", "classify", "--data", data, .. Small[..^6], "--word-dropout", "0.2", "--lr-patience", "1"];
        Cli.Ok([.. args, "--out", run, "--epochs", "2"]);
        Cli.Ok("train", "classify", "--resume", run, "--epochs", "2");
        Cli.Ok([.. args, "--out", straight, "--epochs", "4"]);
        // Two epochs, then two more from the checkpoint: the same history as four in one go (the plateau schedule and
        // word dropout's generator are part of the checkpoint).
        static string Losses(string folder)
        {
            var lines = File.ReadAllLines(Path.Combine(folder, ModelFolder.HistoryName));
            var header = lines[0].Split(',');
            bool Timing(int k) => header[k] is "seconds" or "items_per_second";
            return string.Join("\n", lines.Select(l => string.Join(",", l.Split(',').Where((_, k) => !Timing(k)))));
        }
        Assert.Equal(Losses(straight), Losses(run));
        Assert.Equal(4, ModelFolder.At(run).ReadManifest().Training!.Epochs);
    }

    [Fact]
    public void Prediction_streams_its_input()
    {
        using var dir = new TempDir();
        var rng = new Rng(5);
        var csv = new StringBuilder("text,label\n");
        for (int i = 0; i < 100; i++) { var (t, l) = Review(rng); csv.Append($"{t},{l}\n"); }
        string run = dir.File("run");
        Cli.Ok(["train", "classify", "--data", dir.Write("d.csv", csv.ToString()), "--out", run, .. Small[..^6], "--epochs", "1"]);
        var model = (TrainedClassifier)TrainedModel.Load(run);
        // An endless input: results come block by block, so taking the first 1,500 ends.
        static IEnumerable<string> Endless() { for (long i = 0; ; i++) yield return i % 2 == 0 ? "great food" : "awful service"; }
        Assert.Equal(1500, model.PredictStream(Endless(), block: 256).Take(1500).Count());
        var e = Assert.Throws<ArgumentException>(() => model.PredictStream(["fine", "\u0001", "x"]).ToList());
        Assert.Contains("text 2 has no tokens", e.Message);
    }

    private sealed class Near(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
