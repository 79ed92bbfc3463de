using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Tasks;
using Recur.Tasks.Seq2Seq;
using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur train seq2seq</c> end to end on reversing short strings (an answer known for every input), the model
/// folder round trip, and bad input named by file and line.
/// </summary>
public sealed class TrainSeq2SeqTests
{
    private static string Pairs(Rng rng, int count, string letters = "abcdef")
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            var s = new string([.. Enumerable.Range(0, 3 + rng.NextInt(4)).Select(_ => letters[rng.NextInt(letters.Length)])]);
            sb.Append(s).Append('\t').Append(new string([.. s.Reverse()])).Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void Learns_to_reverse_strings_and_the_folder_round_trips()
    {
        using var dir = new TempDir();
        var rng = new Rng(5);
        string data = dir.Write("train.tsv", Pairs(rng, 2000));
        string test = dir.Write("test.tsv", Pairs(rng, 200));
        string run = dir.File("run");
        var clock = Stopwatch.StartNew();
        var r = Cli.Ok("train", "seq2seq", "--data", data, "--out", run, "--embed", "16", "--hidden", "32", "--layers", "1", "--rnn-dropout", "0",
            "--dropout", "0", "--label-smoothing", "0", "--lr", "0.005", "--epochs", "10", "--patience", "0");
        Assert.Contains("held out for validation (by source", r.Out);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"training took {clock.Elapsed}");

        // Stated rate: at least 90% of unseen strings reversed exactly, greedy and with a beam.
        foreach (string beam in (string[])["1", "5"])
        {
            var e = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", test, "--json", "--beam", beam).Out)!;
            Assert.True(e["exact_match"]!.GetValue<double>() >= 0.9, e.ToJsonString());
            Assert.True(e["cer"]!.GetValue<double>() <= 0.05, e.ToJsonString());
            Assert.Null(e["per"]); // character targets
            Assert.Equal(200, e["pairs"]!.GetValue<int>());
        }

        // Save -> load -> predict: two loads decode identically, and predict writes what the library decodes.
        var a = (TrainedSeq2Seq)TrainedModel.Load(run);
        var b = (TrainedSeq2Seq)TrainedModel.Load(run, TaskKind.Seq2Seq);
        string[] sources = ["abc", "fedcba", "aabbcc"];
        var options = new Recur.Models.BeamOptions(4, 0.6, 20, NBest: 2);
        var x = a.Translate([.. sources.Select(s => a.EncodeSource(s))], options);
        var y = b.Translate([.. sources.Select(s => b.EncodeSource(s))], options);
        for (int i = 0; i < sources.Length; i++)
        {
            Assert.Equal(x[i].Select(c => c.Output), y[i].Select(c => c.Output));
            Assert.Equal(x[i].Select(c => c.Hypothesis.Score), y[i].Select(c => c.Hypothesis.Score));
        }
        Assert.Equal("cba", x[0][0].Output);
        var lines = Cli.Ok("predict", "--model", run, "--data", dir.Write("in.txt", string.Join("\n", sources) + "\n"), "--beam", "4", "--nbest", "2", "--attention")
            .Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(3, lines.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(x[i][0].Output, lines[i]["output"]!.GetValue<string>());
            Assert.Equal(2, lines[i]["nbest"]!.AsArray().Count);
            var att = lines[i]["attention"]!;
            Assert.Equal(sources[i].Length, att["source_tokens"]!.AsArray().Count);
            Assert.All(att["weights"]!.AsArray(), row => Assert.Equal(sources[i].Length, row!.AsArray().Count));
        }
        Assert.Contains("longest trained 6", Cli.Ok("info", "--model", run).Out);

        // A source longer than any trained one: cut with a warning, or refused with file:line.
        string longer = dir.Write("long.txt", "abc\nabcdefabcdef\n");
        var cut = Cli.Run("predict", "--model", run, "--data", longer);
        Assert.Equal(0, cut.ExitCode);
        Assert.Contains("1 sources are longer than the longest of training (6 tokens)", cut.Err);
        var refused = Cli.Run("predict", "--model", run, "--data", longer, "--too-long", "refuse");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("long.txt:2:", refused.Err);

        // Characters the model never saw are read as <unk>, counted and listed.
        var unknown = Cli.Run("predict", "--model", run, "--data", dir.Write("unk.txt", "abz\nzzq\n"));
        Assert.Equal(0, unknown.ExitCode);
        Assert.Contains("4 source tokens", unknown.Err);
        Assert.Contains("\"z\" (3), \"q\" (1)", unknown.Err);
    }

    [Fact]
    public void Phoneme_targets_from_JSON_lines_and_gzip_with_several_references_per_source()
    {
        using var dir = new TempDir();
        // A tiny "dictionary": letters to letter names; "read" has two pronunciations, on the same side of the split.
        var sb = new StringBuilder();
        string[] names = ["EY1", "B IY1", "S IY1", "D IY1"];
        var rng = new Rng(3);
        for (int i = 0; i < 600; i++)
        {
            var word = new string([.. Enumerable.Range(0, 1 + rng.NextInt(3)).Select(_ => "abcd"[rng.NextInt(4)])]);
            string phones = string.Join(" ", word.Select(c => names[c - 'a']));
            sb.Append($"{{\"word\": \"{word}\", \"phones\": \"{phones}\"}}\n");
        }
        string path = dir.File("dict.jsonl.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest)) gz.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        string run = dir.File("run");
        var r = Cli.Ok("train", "seq2seq", "--data", path, "--source", "word", "--target", "phones", "--target-tokens", "word", "--out", run,
            "--embed", "16", "--hidden", "24", "--layers", "1", "--rnn-dropout", "0", "--epochs", "2", "--patience", "0");
        Assert.Contains("source column \"word\", target column \"phones\"", r.Out);
        Assert.Contains("target words (", r.Out);
        string test = dir.Write("test.jsonl", "{\"word\": \"ab\", \"phones\": \"EY1 B IY1\"}\n{\"word\": \"ab\", \"phones\": \"AE1 B\"}\n{\"word\": \"c\", \"phones\": \"S IY1\"}\n");
        var e = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", test, "--json").Out)!;
        Assert.Equal(3, e["pairs"]!.GetValue<int>());
        Assert.Equal(2, e["sources"]!.GetValue<int>());
        Assert.NotNull(e["per"]);
        Assert.Equal(1 - e["exact_match"]!.GetValue<double>(), e["wer"]!.GetValue<double>(), 6);
    }

    [Theory]
    [InlineData("abc\tcba\nabd cba\n", "bad.tsv:2:", "no tab")]
    [InlineData("abc\tcba\n\tabc\n", "bad.tsv:2:", "empty source")]
    [InlineData("abc\tcba\nabc\t  \n", "bad.tsv:2:", "empty target")]
    public void Bad_pair_lines_are_named_by_file_and_line_and_nothing_is_written(string content, string where, string what)
    {
        using var dir = new TempDir();
        string data = dir.Write("bad.tsv", content);
        string run = dir.File("run");
        var r = Cli.Run("train", "seq2seq", "--data", data, "--out", run);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.ErrLines);
        Assert.Contains(where, line);
        Assert.Contains(what, line);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void The_split_by_source_keeps_every_pair_of_a_source_together_and_is_fixed_by_the_seed()
    {
        var pairs = Enumerable.Range(0, 300).SelectMany(i => Enumerable.Range(0, 1 + i % 3).Select(v => new Recur.Data.Formats.SentencePair($"w{i}", $"p{v}", i))).ToList();
        var (train, held) = Seq2SeqTraining.SplitBySource(pairs, 0.1, 7);
        Assert.Empty(train.Select(p => p.Source).Intersect(held.Select(p => p.Source)));
        Assert.Equal(30, held.Select(p => p.Source).Distinct().Count());
        Assert.Equal(pairs.Count, train.Count + held.Count);
        var again = Seq2SeqTraining.SplitBySource(pairs, 0.1, 7);
        Assert.Equal(held, again.Held);
    }
}
