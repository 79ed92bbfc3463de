using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recur.Cli.Hosting;
using Recur.Cli.Output;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Tagging;

namespace Recur.Cli.Tasks;

/// <summary><c>recur train tag</c> and the tagger's parts of <c>eval</c>, <c>predict</c> and <c>info</c>.</summary>
internal sealed class TagCommands : ITaskCommands
{
    /// <summary>Sentences tagged per block of <c>predict</c> (input is streamed in blocks of this many).</summary>
    private const int PredictBlock = 256;

    /// <summary>Most tags listed per table in <c>eval</c> (the most frequent; --json has all).</summary>
    private const int TagsShown = 40;

    public TaskKind Kind => TaskKind.Tag;

    public Command Train(CliHost host)
    {
        var d = new TaggerSettings();
        var common = new TrainOptions(d.Training, "Tagged sentences: word/TAG lines, CoNLL-U, or CoNLL (token and tag columns, a blank line between sentences); .gz allowed", $"{d.Training.Epochs}", "a seeded share of the sentences of --data");
        var format = new Choice<TaggedFormat>("--format", "Corpus format (default: detected)");
        var column = new Choice<ConlluTagColumn>("--column", "The CoNLL-U column holding the tag", ConfigJson.Name(d.Column));
        var maxWordLength = new Option<int?>("--max-word-length") { Description = $"Characters per word read by the spelling network (the first and last halves of longer words) [default: {d.Words.MaxWordLength}]", HelpName = "N" };
        var keepCase = new Option<bool?>("--keep-case") { Description = "Do not lowercase the word embedding keys (the spelling network always sees the case)", HelpName = "true|false" };
        var maxVocab = new Option<int?>("--max-vocab") { Description = $"Largest word vocabulary [default: {d.MaxVocabulary}]", HelpName = "N" };
        var wordDropout = new Option<float?>("--word-dropout") { Description = $"Probability of reading a word seen once in training as <unk> while training [default: {d.WordDropout}]", HelpName = "P" };
        var embed = new Option<int?>("--embed") { Description = $"Features per word [default: {d.WordEmbeddingDim}]", HelpName = "N" };
        var charEmbed = new Option<int?>("--char-embed") { Description = $"Features per character [default: {d.CharEmbeddingDim}]", HelpName = "N" };
        var charHidden = new Option<int?>("--char-hidden") { Description = $"Hidden units per direction of the spelling network, 0 = none [default: {d.CharHiddenSize}]", HelpName = "N" };
        var rnn = new RecurrentOptions(d.Rnn);
        var dropout = new Option<float?>("--dropout") { Description = $"Dropout on the word vectors and on the recurrent outputs [default: {d.Dropout}]", HelpName = "P" };
        var crf = new Option<bool?>("--crf") { Description = "Score whole tag sequences with a linear-chain CRF (Viterbi decoding) instead of a softmax per word", HelpName = "true|false" };

        var cmd = new Command("tag", "Train a sequence tagger (many-to-many synchronized: word embeddings and a character network, bidirectional LSTM, softmax or CRF) on tagged sentences.");
        foreach (var o in common.All.Take(3)) cmd.Options.Add(o);
        foreach (var o in (Option[])[format.Option, column.Option, maxWordLength, keepCase, maxVocab, wordDropout, embed, charEmbed, charHidden]) cmd.Options.Add(o);
        foreach (var o in rnn.All) cmd.Options.Add(o);
        foreach (var o in (Option[])[dropout, crf]) cmd.Options.Add(o);
        foreach (var o in common.All.Skip(3)) cmd.Options.Add(o);

        TaggerSettings Apply(GivenOptions g, TaggerSettings s)
        {
            s = s with { Training = common.Apply(g, s.Training), Rnn = rnn.Apply(g, s.Rnn) };
            if (format.TryGet(g, out var f)) s = s with { Format = f };
            if (column.TryGet(g, out var c)) s = s with { Column = c };
            if (g.TryGet(maxWordLength, out int mwl)) s = s with { Words = s.Words with { MaxWordLength = mwl } };
            if (g.TryFlag(keepCase, out bool keep)) s = s with { Words = s.Words with { Lowercase = !keep } };
            if (g.TryGet(maxVocab, out int mv)) s = s with { MaxVocabulary = mv };
            if (g.TryGet(wordDropout, out float wd)) s = s with { WordDropout = wd };
            if (g.TryGet(embed, out int e)) s = s with { WordEmbeddingDim = e };
            if (g.TryGet(charEmbed, out int ce)) s = s with { CharEmbeddingDim = ce };
            if (g.TryGet(charHidden, out int ch)) s = s with { CharHiddenSize = ch };
            if (g.TryGet(dropout, out float dp)) s = s with { Dropout = dp };
            if (g.TryFlag(crf, out bool useCrf)) s = s with { Crf = useCrf };
            return s;
        }

        host.SetAction(cmd, p =>
        {
            var resumed = TrainingSession.Resume(p, common, Kind);
            var settings = TrainingSession.Settings(p, cmd, common, d, Apply, resumed, x => x.Training, (x, t) => x with { Training = t });
            if (settings.Training.Data.Length == 0) throw new UserError("--data is required: the tagged sentences to train on");
            foreach (var w in RecurrentOptions.Warnings(settings.Rnn, "--rnn-dropout")) host.Warn(w);
            var prepared = TaggerTraining.Prepare(settings, (TrainedTagger?)resumed?.Model);
            var (folder, failed) = TrainingSession.Train(host, p, common, Kind, prepared, resumed, () => Describe(host, prepared), "tokens");
            if (File.Exists(folder.WeightsPath))
            {
                var best = (TrainedTagger)TrainedModel.Load(folder.Path, Kind);
                var r = best.Evaluate(prepared.Valid);
                host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"validation ({r.Tokens:N0} tokens): accuracy {r.Accuracy:F4}, on unseen words {r.AccuracyUnseen:F4} ({r.UnseenTokens:N0})")
                    + (r.SpanF1 is { } f ? string.Create(CultureInfo.InvariantCulture, $", span F1 {f:F4}") : ""));
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    private static void Describe(CliHost host, TaggerTraining t)
    {
        var s = t.Settings;
        var o = host.Out;
        long tokens = t.Train.Sum(x => x.Words.Length), validTokens = t.Valid.Sum(x => x.Words.Length);
        string split = s.Training.Valid is { } v
            ? $"{t.Valid.Count:N0} validation sentences from {DataFile.DisplayName(v)}"
            : $"{t.Valid.Count:N0} held out for validation (seed {s.Training.Seed})";
        o.WriteLine($"data: {DataFile.DisplayName(s.Training.Data)} ({ConfigJson.Name(t.Format.Format)}), {t.Train.Count:N0} training sentences ({tokens:N0} tokens), {split}");
        o.WriteLine($"tags: {t.Tags.Count}; words: {t.WordVocabulary.Count:N0}; characters: {t.CharVocabulary.Count:N0}; validation words unseen in training: {Formats.Percent(t.ValidUnseen, validTokens)}");
        var c = t.Config;
        var model = new WordTagger(c, new Tensors.Rng(0));
        string chars = c.CharHiddenSize > 0 ? $" + spelling ({c.CharVocabSize} characters -> BiLSTM({c.CharHiddenSize}))" : "";
        o.WriteLine($"model: words -> Embedding({c.WordVocabSize}, {c.WordEmbeddingDim}){chars} -> {c.Rnn.Describe()} -> Linear({c.Rnn.OutputSize}, {c.Tags}) -> {(c.Crf ? "CRF" : "softmax")}; {model.ParameterCount:N0} parameters");
        o.WriteLine(TrainingSession.SettingsLine(s.Training));
    }

    public int Eval(CliHost host, TrainedModel model, EvalRequest request)
    {
        var m = (TrainedTagger)model;
        var sentences = Read(m, request.Data, request.Format, request.Column).ToList();
        if (sentences.Count == 0) throw new UserError($"--data {request.Data} holds no tagged sentences");
        var r = m.Evaluate(sentences);
        if (r.UnknownTags.Count > 0)
            host.Warn($"{r.UnknownTagTokens:N0} tokens of --data {request.Data} have tags the model does not know ({string.Join(", ", r.UnknownTags.Take(10))}{(r.UnknownTags.Count > 10 ? ", ..." : "")}); they count as errors");
        if (request.Json)
        {
            JsonLines.Write(host.Out, w =>
            {
                w.Number("accuracy", r.Accuracy);
                w.Number("accuracy_unseen", r.AccuracyUnseen);
                if (r.SpanF1 is { } f)
                {
                    w.Number("span_f1", f);
                    w.Number("span_precision", r.SpanPrecision!.Value);
                    w.Number("span_recall", r.SpanRecall!.Value);
                }
                w.WriteStartObject("tags");
                foreach (var c in r.PerTag.Classes)
                {
                    w.WriteStartObject(c.Label);
                    w.Number("precision", c.Precision);
                    w.Number("recall", c.Recall);
                    w.Number("f1", c.F1);
                    w.WriteNumber("support", c.Support);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteNumber("sentences", sentences.Count);
                w.WriteNumber("tokens", r.Tokens);
                w.WriteNumber("unseen_tokens", r.UnseenTokens);
            });
            return 0;
        }
        var report = host.Report;
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var facts = new List<(string, Cell)>
        {
            ("model", $"{m.Source} (tag, {m.Tags.Count} tags)"),
            ("data", $"{request.Data}, {sentences.Count:N0} sentences, {r.Tokens:N0} tokens"),
            ("accuracy", new Cell(F(r.Accuracy), Tone.Accent)),
            ("unseen words", $"{F(r.AccuracyUnseen)} on {r.UnseenTokens:N0} tokens ({Formats.Percent(r.UnseenTokens, r.Tokens)}) whose word was not in training"),
        };
        if (r.SpanF1 is { } spanF1) facts.Add(("span F1", new Cell($"{F(spanF1)} (precision {F(r.SpanPrecision!.Value)}, recall {F(r.SpanRecall!.Value)}; exact spans, as conlleval)", Tone.Accent)));
        report.Facts(facts);
        var tags = r.PerTag.Classes.Where(c => c.Support > 0).OrderByDescending(c => c.Support).ToList();
        report.Heading(tags.Count > TagsShown ? $"Per tag (the {TagsShown} most frequent of {tags.Count}; --json lists all)" : "Per tag");
        report.Table([new("tag"), new("precision", true), new("recall", true), new("F1", true), new("support", true)],
            tags.Take(TagsShown).Select(c => new Cell[] { c.Label, F(c.Precision), F(c.Recall), F(c.F1), $"{c.Support:N0}" }));
        return 0;
    }

    public int Predict(CliHost host, TrainedModel model, PredictRequest request)
    {
        var m = (TrainedTagger)model;
        foreach (var block in Sentences(m, request).Chunk(PredictBlock))
        {
            var tags = m.Tag(block.Select(b => (IReadOnlyList<string>)b.Words).ToArray());
            for (int i = 0; i < block.Length; i++)
                JsonLines.Write(request.Output, w =>
                {
                    w.WriteNumber("line", block[i].Line);
                    w.WriteStartArray("words");
                    foreach (var word in block[i].Words) w.WriteStringValue(word);
                    w.WriteEndArray();
                    w.WriteStartArray("tags");
                    foreach (var tag in tags[i]) w.WriteStringValue(tag);
                    w.WriteEndArray();
                });
        }
        return 0;
    }

    // A tagged corpus (its tags ignored), or plain text: one sentence per line, words separated by white space.
    private static IEnumerable<(string[] Words, long Line)> Sentences(TrainedTagger m, PredictRequest request)
    {
        if (request.Format != "text" && (request.Format is not null || !LooksLikePlainText(request.Data)))
        {
            foreach (var s in Read(m, request.Data, request.Format, request.Column)) yield return (s.Words, s.Line);
            yield break;
        }
        using var reader = new Utf8LineReader(request.Data);
        while (reader.TryReadLine(out var line))
        {
            var words = line.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0) yield return (words, reader.LineNumber);
        }
    }

    // Plain text when no token of the first lines looks like a tagged corpus's (word/TAG, or tab-separated columns).
    private static bool LooksLikePlainText(string path)
    {
        using var reader = DataFile.OpenText(path);
        for (int n = 0; n < 20 && reader.ReadLine() is { } line; n++)
        {
            if (line.Contains('\t')) return false;
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length > 0 && tokens.All(t => t.LastIndexOf('/') is > 0 and var i && i < t.Length - 1)) return false;
        }
        return true;
    }

    /// <summary>The tagged sentences of an evaluation file, the format detected and the tag column defaulting to the model's.</summary>
    internal static IEnumerable<TaggedSentence> Read(TrainedTagger m, string path, string? format, string? column)
    {
        var f = format is null ? (TaggedFormat?)null : ConfigJson.Parse<TaggedFormat>(format)
            ?? throw new UserError($"--format must be one of {string.Join(", ", ConfigJson.Names<TaggedFormat>().Append("text"))}; got '{format}'");
        var c = column is null ? m.Format.Column : ConfigJson.Parse<ConlluTagColumn>(column)
            ?? throw new UserError($"--column must be one of {string.Join(", ", ConfigJson.Names<ConlluTagColumn>())}; got '{column}'");
        return TaggedTextReader.Read(path, f, c);
    }

    public void Describe(TrainedModel model, Report report)
    {
        var m = (TrainedTagger)model;
        var w = m.Words;
        const int shown = 60;
        report.Heading("Input");
        report.Facts([
            ("corpus", $"{ConfigJson.Name(m.Format.Format)}" + (m.Format.Format == TaggedFormat.ConllU ? $", tags from {ConfigJson.Name(m.Format.Column)}" : "")),
            ("words", $"{m.WordVocabulary.Count:N0} embedding keys ({(w.Lowercase ? "lowercased" : "case kept")}{(w.FoldDigits ? ", digits as 0" : "")}, Unicode {ConfigJson.Name(w.Normalization)})"),
            ("characters", $"{m.CharVocabulary.Count:N0}, at most {w.MaxWordLength} per word"),
            ("tags", $"{m.Tags.Count}: {string.Join(" ", m.Tags.Classes.Take(shown))}{(m.Tags.Count > shown ? $" ... ({m.Tags.Count - shown} more)" : "")}"),
        ]);
    }
}
