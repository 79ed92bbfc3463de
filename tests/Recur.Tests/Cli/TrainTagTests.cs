using System.Text;
using System.Text.Json.Nodes;
using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur train tag</c> end to end on synthetic corpora whose tags are known: a part-of-speech-like task where "can"
/// is a verb after "we" and a noun after "the", and unseen words are tagged from their suffixes; and a named-entity
/// task in BIO tags scored by exact spans.
/// </summary>
public sealed class TrainTagTests
{
    private static readonly (string Word, string Tag)[] Lexicon =
    [
        ("the", "DET"), ("a", "DET"), ("dog", "NOUN"), ("cat", "NOUN"), ("house", "NOUN"), ("we", "PRON"), ("they", "PRON"),
        ("see", "VERB"), ("like", "VERB"), ("quickly", "ADV"), ("slowly", "ADV"), ("running", "VERB"), ("jumping", "VERB"),
        ("happily", "ADV"), ("eating", "VERB"), (".", "PUNCT"),
    ];

    // A sentence of the POS-like task; unseen = verbs and adverbs built from suffixes training never shows whole.
    private static List<(string Word, string Tag)> Sentence(Rng rng, bool unseen = false)
    {
        var s = new List<(string, string)>();
        int n = 3 + rng.NextInt(6);
        for (int i = 0; i < n; i++)
        {
            if (rng.NextInt(4) == 0)
            {
                // "can": a verb after a pronoun, a noun after a determiner.
                bool verb = rng.NextInt(2) == 0;
                s.Add(verb ? ("we", "PRON") : ("the", "DET"));
                s.Add(("can", verb ? "VERB" : "NOUN"));
                continue;
            }
            if (unseen && rng.NextInt(3) == 0)
            {
                string[] stems = ["walk", "sing", "read", "swim", "paint", "cook"];
                string stem = stems[rng.NextInt(stems.Length)];
                s.Add(rng.NextInt(2) == 0 ? (stem + "ing", "VERB") : (stem + "ly", "ADV"));
                continue;
            }
            s.Add(Lexicon[rng.NextInt(Lexicon.Length)]);
        }
        s.Add((".", "PUNCT"));
        return s;
    }

    [Fact]
    public void Learns_context_dependent_tags_from_CoNLL_columns_and_tags_unseen_words_by_their_spelling()
    {
        using var dir = new TempDir();
        var rng = new Rng(21);
        // Two-column CoNLL with CoNLL-2003 extras: -DOCSTART-, four columns (token first, tag last), CRLF.
        var train = new StringBuilder("-DOCSTART- -X- -X- O\r\n\r\n");
        for (int i = 0; i < 500; i++)
        {
            foreach (var (w, t) in Sentence(rng)) train.Append($"{w} x y {t}\r\n");
            train.Append("\r\n");
        }
        string data = dir.Write("train.conll", train.ToString());
        string run = dir.File("run");
        var r = Cli.Ok("train", "tag", "--data", data, "--out", run, "--embed", "16", "--hidden", "24", "--char-hidden", "12", "--char-embed", "8",
            "--epochs", "15", "--patience", "0", "--batch", "16", "--dropout", "0.2");
        Assert.Contains("(conll)", r.Out);

        var test = new StringBuilder();
        for (int i = 0; i < 150; i++) { foreach (var (w, t) in Sentence(rng, unseen: true)) test.Append($"{w}\t{t}\n"); test.Append('\n'); }
        string testFile = dir.Write("test.conll", test.ToString());
        var e = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", testFile, "--json").Out)!;
        Assert.True(e["accuracy"]!.GetValue<double>() >= 0.95, e.ToJsonString());
        Assert.True(e["unseen_tokens"]!.GetValue<long>() > 50, e.ToJsonString());
        Assert.True(e["accuracy_unseen"]!.GetValue<double>() >= 0.8, e.ToJsonString());
        Assert.Null(e["span_f1"]);   // POS tags are not chunk tags
        Assert.True(e["tags"]!["VERB"]!["f1"]!.GetValue<double>() > 0.9);

        // predict: plain text, one sentence per line, words as separated by spaces.
        var lines = Cli.Ok("predict", "--model", run, "--data", dir.Write("plain.txt", "we can see the can .\nthe dog running quickly .\n")).Out
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["PRON", "VERB", "VERB", "DET", "NOUN", "PUNCT"], lines[0]["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["the", "dog", "running", "quickly", "."], lines[1]["words"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Matches(@"tags:\s+6: ADV DET NOUN PRON PUNCT VERB", Cli.Ok("info", "--model", run).Out);
    }

    [Fact]
    public void A_CRF_tagger_learns_BIO_spans_and_eval_reports_span_F1()
    {
        using var dir = new TempDir();
        var rng = new Rng(8);
        string[] first = ["Anna", "Boris", "Chen", "Dana"], last = ["Smith", "Ivanova", "Li", "Okafor"], words = ["met", "saw", "in", "Paris", "today", "and", "with"];
        string Sentence()
        {
            var s = new List<string>();
            int n = 2 + rng.NextInt(4);
            for (int i = 0; i < n; i++)
            {
                if (rng.NextInt(3) == 0)
                {
                    s.Add($"{first[rng.NextInt(first.Length)]}/B-PER");
                    if (rng.NextInt(2) == 0) s.Add($"{last[rng.NextInt(last.Length)]}/I-PER");
                }
                else
                {
                    string w = words[rng.NextInt(words.Length)];
                    s.Add(w == "Paris" ? "Paris/B-LOC" : $"{w}/O");
                }
            }
            return string.Join(" ", s);
        }
        string data = dir.Write("ner.txt", string.Join("\n", Enumerable.Range(0, 400).Select(_ => Sentence())));
        string test = dir.Write("ner-test.txt", string.Join("\n", Enumerable.Range(0, 100).Select(_ => Sentence())));
        string run = dir.File("run");
        Cli.Ok("train", "tag", "--data", data, "--out", run, "--crf", "true", "--embed", "16", "--hidden", "16", "--char-hidden", "8",
            "--char-embed", "8", "--epochs", "12", "--patience", "0", "--dropout", "0.1");
        var e = JsonNode.Parse(Cli.Ok("eval", "--model", run, "--data", test, "--json").Out)!;
        Assert.True(e["span_f1"]!.GetValue<double>() >= 0.95, e.ToJsonString());
        Assert.Contains("crf.transitions", Cli.Ok("info", "--model", run).Out);
    }

    [Fact]
    public void A_line_that_does_not_parse_is_named_by_file_line_and_column_and_nothing_is_written()
    {
        using var dir = new TempDir();
        string data = dir.Write("bad.txt", "the/DET dog/NOUN\nthe/DET cat NOUN/x\nthe /DET\n");
        string run = dir.File("run");
        var r = Cli.Run("train", "tag", "--data", data, "--out", run, "--format", "slash");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bad.txt:2:9:", Assert.Single(r.ErrLines));
        Assert.False(Directory.Exists(run));
    }
}
