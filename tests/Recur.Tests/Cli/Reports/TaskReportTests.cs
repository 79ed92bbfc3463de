using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.Cli.Reports;

/// <summary>The task sections of the report for the tagger and the char LM, and a folder of an earlier Recur.</summary>
[Collection(CliCollection.Name)]
public sealed class TaskReportTests(TinyModelFixture tiny)
{
    [Fact]
    public void A_tagger_report_has_F1_per_tag_and_accuracy_on_seen_and_unseen_words()
    {
        using var dir = new TempDir();
        var rng = new Rng(3);
        string[] det = ["the", "a"], noun = ["cat", "dog", "mat", "bird"], verb = ["sat", "ran", "saw"];
        string Sentence() => $"{det[rng.NextInt(2)]}/DET {noun[rng.NextInt(4)]}/NOUN {verb[rng.NextInt(3)]}/VERB {det[rng.NextInt(2)]}/DET {noun[rng.NextInt(4)]}/NOUN";
        string data = dir.Write("train.txt", string.Join('\n', Enumerable.Range(0, 120).Select(_ => Sentence())));
        string run = dir.File("run");
        Cli.Ok("train", "tag", "--data", data, "--out", run, "--embed", "8", "--hidden", "8", "--char-hidden", "4", "--char-embed", "4", "--epochs", "2", "--patience", "0");
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("tag-f1", ReportHtml.ChartIds(html));
        Cli.Ok("report", "--model", run); // again, from the folder alone: the validation part rebuilt from the recorded run
        Assert.Equal(ReportHtml.ChartIds(html), ReportHtml.ChartIds(File.ReadAllText(Path.Combine(run, "report.html"))));
        // Words never seen in training: the seen and unseen bars.
        string test = dir.Write("test.txt", "the/DET cat/NOUN sat/VERB a/DET fox/NOUN\na/DET wolf/NOUN jumped/VERB the/DET mat/NOUN\n");
        Cli.Ok("report", "--model", run, "--data", test, "--out", dir.File("test.html"));
        string tested = File.ReadAllText(dir.File("test.html"));
        Assert.Contains("seen-unseen", ReportHtml.ChartIds(tested));
        Assert.Contains("on 3 tokens (30.0%) whose word was not in training", tested);
        Assert.Empty(ReportHtml.Fetches(tested));
    }

    [Fact]
    public void A_seq2seq_report_has_error_rates_by_source_length_and_attention_maps()
    {
        using var dir = new TempDir();
        var rng = new Rng(5);
        string Word() => new([.. Enumerable.Range(0, 2 + rng.NextInt(5)).Select(_ => "abcdef"[rng.NextInt(6)])]);
        string data = dir.Write("pairs.tsv", string.Join('\n', Enumerable.Range(0, 300).Select(_ => Word()).Distinct().Select(w => $"{w}\t{new string([.. w.Reverse()])}")));
        string run = dir.File("run");
        Cli.Ok("train", "seq2seq", "--data", data, "--out", run, "--embed", "8", "--hidden", "16", "--layers", "1", "--rnn-dropout", "0", "--epochs", "2", "--patience", "0");
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        var ids = ReportHtml.ChartIds(html);
        Assert.Contains("length-errors", ids);
        Assert.Contains("attention-1", ids);
        Assert.Contains("attention-3", ids);
        Assert.Contains("character error rate", html);
        Assert.Empty(ReportHtml.Fetches(html));
    }

    [Fact]
    public void A_char_LM_report_has_the_bits_per_character_curve_and_samples_by_epoch()
    {
        using var dir = new TempDir();
        string run = dir.File("lm");
        Cli.Ok("train", "charlm", "--data", tiny.TextFile, "--out", run, "--hidden", "16", "--epochs", "3", "--seq", "20", "--batch", "4");
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        var ids = ReportHtml.ChartIds(html);
        Assert.Contains("bpc-epoch", ids);
        Assert.Contains("bpc-time", ids);
        Assert.Contains("gradients-time-1", ids);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Length);
        Assert.Contains("<tr><td class=\"num\">3</td><td>", html);
        Assert.Contains("The kept model, 400 characters", html);
        Cli.Ok("report", "--model", run, "--data", tiny.TextFile, "--out", dir.File("scored.html"));
        Assert.Matches(@"On text\.txt \([0-9,]+ characters scored\) the kept model needs [0-9.]+ bits per character", File.ReadAllText(dir.File("scored.html")));
    }

    [Fact]
    public void A_folder_of_an_earlier_Recur_gets_the_curves_it_has_and_says_what_is_missing()
    {
        using var dir = new TempDir();
        string page = dir.File("legacy.html");
        var r = Cli.Ok("report", "--model", tiny.Folder, "--out", page);
        string html = File.ReadAllText(page);
        Assert.Contains("bpc-epoch", ReportHtml.ChartIds(html));
        Assert.Contains("missing: ", r.Out);
        Assert.Contains("no gradients.json", html);
        Assert.Contains("no samples.jsonl", html);
        Assert.Contains("characters/s: NaN at epoch 2", html);
    }
}
