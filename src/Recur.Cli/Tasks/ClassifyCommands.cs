using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recur.Cli.Hosting;
using Recur.Cli.Output;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.Kernels;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Classification;

namespace Recur.Cli.Tasks;

/// <summary><c>recur train classify</c> and the classifier's parts of <c>eval</c>, <c>predict</c> and <c>info</c>.</summary>
internal sealed class ClassifyCommands : ITaskCommands
{
    /// <summary>Records classified per batch of <c>predict</c> (input is streamed in blocks of this many).</summary>
    private const int PredictBlock = 512;

    public TaskKind Kind => TaskKind.Classify;

    public Command Train(CliHost host)
    {
        var d = new ClassifierSettings();
        var common = new TrainOptions(d.Training, "Labelled texts: CSV or TSV with a header, or JSON lines (.gz allowed)", $"{d.Training.Epochs}", "a stratified share of --data");
        var format = new Choice<RecordFormat>("--format", "File format (default: from the extension or the content)");
        var text = new Option<string?>("--text") { Description = "The text column (default: a column named text, review, sentence, ... or the longest)", HelpName = "NAME" };
        var label = new Option<string?>("--label") { Description = "The label column (default: a column named label, class, category, ... or the last)", HelpName = "NAME" };
        var tokens = new Choice<TokenUnit>("--tokens", "Read words or characters", ConfigJson.Name(d.Preprocessing.Tokens));
        var keepCase = new Option<bool?>("--keep-case") { Description = "Do not lowercase the text", HelpName = "true|false" };
        var normalize = new Choice<TextNormalization>("--normalize", "Unicode normalisation of the text", ConfigJson.Name(d.Preprocessing.Normalization));
        var maxLength = new Option<int?>("--max-length") { Description = "Tokens kept per text; longer texts keep their start, and training says how many were cut [default: 400 words, 2000 characters]", HelpName = "N" };
        var minFrequency = new Option<int?>("--min-frequency") { Description = $"Tokens seen fewer times in training become <unk> [default: {d.MinFrequency}]", HelpName = "N" };
        var maxVocab = new Option<int?>("--max-vocab") { Description = $"Largest vocabulary [default: {d.MaxVocabulary}]", HelpName = "N" };
        var embed = new Option<int?>("--embed") { Description = $"Features per token [default: {d.EmbeddingDim}]", HelpName = "N" };
        var charHidden = new Option<int?>("--char-hidden") { Description = $"Hidden units per direction of a spelling network that reads each word's characters (word tokens; helps with unseen and misspelt words), 0 = none [default: {d.CharHiddenSize}]", HelpName = "N" };
        var charEmbed = new Option<int?>("--char-embed") { Description = $"Features per character of the spelling network [default: {d.CharEmbeddingDim}]", HelpName = "N" };
        var maxWordLength = new Option<int?>("--max-word-length") { Description = $"Characters per word read by the spelling network (the first and last halves of longer words) [default: {d.MaxWordLength}]", HelpName = "N" };
        var rnn = new RecurrentOptions(d.Rnn);
        var pooling = new Choice<SequencePooling>("--pooling", "How the sequence becomes one vector: last states, mean, max or attention over the steps", ConfigJson.Name(d.Pooling));
        var attentionDim = new Option<int?>("--attention-dim") { Description = $"Width of the attention scorer (--pooling attention) [default: {d.AttentionDim}]", HelpName = "N" };
        var dropout = new Option<float?>("--dropout") { Description = $"Dropout on the pooled vector [default: {d.Dropout}]", HelpName = "P" };
        var embedDropout = new Option<float?>("--embed-dropout") { Description = $"Dropout on the token vectors [default: {d.EmbeddingDropout}]", HelpName = "P" };
        var wordDropout = new Option<float?>("--word-dropout") { Description = $"Probability of reading a token as <unk> while training (its spelling is still read) [default: {d.WordDropout}]", HelpName = "P" };
        var balance = new Option<bool?>("--balance") { Description = "Weight classes by N / (C n_c) in the loss, for skewed labels (keep-best then watches macro F1)", HelpName = "true|false" };

        var cmd = new Command("classify", "Train a text classifier (many-to-one: embedding, bidirectional LSTM/GRU, pooling, softmax) on labelled texts.");
        foreach (var o in common.All.Take(3)) cmd.Options.Add(o);
        foreach (var o in (Option[])[format.Option, text, label, tokens.Option, keepCase, normalize.Option, maxLength, minFrequency, maxVocab, embed, charHidden, charEmbed, maxWordLength]) cmd.Options.Add(o);
        foreach (var o in rnn.All) cmd.Options.Add(o);
        foreach (var o in (Option[])[pooling.Option, attentionDim, dropout, embedDropout, wordDropout, balance]) cmd.Options.Add(o);
        foreach (var o in common.All.Skip(3)) cmd.Options.Add(o);

        ClassifierSettings Apply(GivenOptions g, ClassifierSettings s)
        {
            s = s with { Training = common.Apply(g, s.Training), Rnn = rnn.Apply(g, s.Rnn) };
            if (format.TryGet(g, out var f)) s = s with { Format = f };
            if (g.TryGet(text, out var t)) s = s with { TextColumn = t };
            if (g.TryGet(label, out var l)) s = s with { LabelColumn = l };
            if (tokens.TryGet(g, out var unit)) s = s with { Preprocessing = s.Preprocessing with { Tokens = unit } };
            if (g.TryFlag(keepCase, out bool keep)) s = s with { Preprocessing = s.Preprocessing with { Lowercase = !keep } };
            if (normalize.TryGet(g, out var n)) s = s with { Preprocessing = s.Preprocessing with { Normalization = n } };
            if (g.TryGet(maxLength, out int max)) s = s with { Preprocessing = s.Preprocessing with { MaxLength = max } };
            if (g.TryGet(minFrequency, out int mf)) s = s with { MinFrequency = mf };
            if (g.TryGet(maxVocab, out int mv)) s = s with { MaxVocabulary = mv };
            if (g.TryGet(embed, out int e)) s = s with { EmbeddingDim = e };
            if (g.TryGet(charHidden, out int ch)) s = s with { CharHiddenSize = ch };
            if (g.TryGet(charEmbed, out int ce)) s = s with { CharEmbeddingDim = ce };
            if (g.TryGet(maxWordLength, out int mwl)) s = s with { MaxWordLength = mwl };
            if (pooling.TryGet(g, out var p)) s = s with { Pooling = p };
            if (g.TryGet(attentionDim, out int a)) s = s with { AttentionDim = a };
            if (g.TryGet(dropout, out float dp)) s = s with { Dropout = dp };
            if (g.TryGet(embedDropout, out float ep)) s = s with { EmbeddingDropout = ep };
            if (g.TryGet(wordDropout, out float wdp)) s = s with { WordDropout = wdp };
            if (g.TryFlag(balance, out bool b)) s = s with { Balance = b };
            return s;
        }

        host.SetAction(cmd, p =>
        {
            var resumed = TrainingSession.Resume(p, common, Kind);
            var settings = TrainingSession.Settings(p, cmd, common, d, Apply, resumed, x => x.Training, (x, t) => x with { Training = t });
            if (settings.Training.Data.Length == 0) throw new UserError("--data is required: the labelled texts to train on");
            foreach (var w in RecurrentOptions.Warnings(settings.Rnn, "--rnn-dropout")) host.Warn(w);
            var prepared = ClassifierTraining.Prepare(settings, (TrainedClassifier?)resumed?.Model);
            var (folder, failed) = TrainingSession.Train(host, p, common, Kind, prepared, resumed, () => Describe(host, prepared), "texts");
            if (File.Exists(folder.WeightsPath))
            {
                var best = (TrainedClassifier)TrainedModel.Load(folder.Path, Kind);
                var report = best.Evaluate(prepared.Valid, DataFile.DisplayName(settings.Training.Valid ?? settings.Training.Data)).Report;
                host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"validation ({report.Count:N0} texts): accuracy {report.Accuracy:F4}, macro F1 {report.MacroF1:F4}, weighted F1 {report.WeightedF1:F4}"));
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    private static void Describe(CliHost host, ClassifierTraining t)
    {
        var s = t.Settings;
        var o = host.Out;
        string split = s.Training.Valid is { } v
            ? $"{t.Train.Count:N0} train, {t.Valid.Count:N0} valid from {DataFile.DisplayName(v)}"
            : $"{t.Train.Count:N0} train, {t.Valid.Count:N0} held out for validation (stratified, seed {s.Training.Seed})";
        o.WriteLine($"data: {DataFile.DisplayName(s.Training.Data)}, text column \"{t.Columns.Text}\", label column \"{t.Columns.Label}\"; {split}");
        var counts = t.Train.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count());
        o.WriteLine($"classes: {string.Join(", ", t.Labels.Classes.Select(c => $"{c} ({counts.GetValueOrDefault(c):N0})"))}");
        string unit = s.Preprocessing.Tokens == TokenUnit.Word ? "words" : "characters";
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vocabulary: {t.Vocabulary.Count:N0} {unit} (seen at least {s.MinFrequency} times in training); training {t.TrainStats.Tokens:N0} tokens, validation {t.ValidStats.Tokens:N0} tokens with {Formats.Percent(t.ValidStats.Unknown, t.ValidStats.Tokens)} unknown"));
        int cut = t.TrainStats.Truncated + t.ValidStats.Truncated;
        if (cut > 0) host.Warn($"{cut:N0} texts are longer than --max-length {s.Preprocessing.MaxLength} tokens and were cut to their first {s.Preprocessing.MaxLength}");
        var c = t.Config;
        string pool = c.Pooling == SequencePooling.Attention ? $"attention pooling ({c.AttentionDim})" : $"{ConfigJson.Name(c.Pooling)} pooling";
        var model = new SequenceClassifier(c, new Tensors.Rng(0));
        string chars = c.CharHiddenSize > 0 ? $" + spelling ({c.CharVocabSize} characters -> BiLSTM({c.CharHiddenSize}))" : "";
        o.WriteLine($"model: Embedding({c.VocabSize}, {c.EmbeddingDim}){chars} -> {c.Rnn.Describe()} -> {pool} -> Linear({c.Rnn.OutputSize}, {c.Classes}); {model.ParameterCount:N0} parameters");
        o.WriteLine(TrainingSession.SettingsLine(s.Training));
    }

    public int Eval(CliHost host, TrainedModel model, EvalRequest request)
    {
        var m = (TrainedClassifier)model;
        var (records, columns) = ReadLabelled(m, request.Data, request.Format, request.Text, request.Label);
        var e = m.Evaluate(records, DataFile.DisplayName(request.Data));
        var r = e.Report;
        if (e.UnknownLabels.Count > 0)
            host.Warn($"--data {request.Data} has labels the model does not know ({string.Join(", ", e.UnknownLabels.Take(10))}{(e.UnknownLabels.Count > 10 ? ", ..." : "")}); their texts count as errors");
        if (request.Json)
        {
            JsonLines.Write(host.Out, w =>
            {
                w.Number("accuracy", r.Accuracy);
                w.Number("macro_f1", r.MacroF1);
                w.Number("weighted_f1", r.WeightedF1);
                w.WriteStartObject("classes");
                foreach (var c in r.Classes)
                {
                    w.WriteStartObject(c.Label);
                    w.Number("precision", c.Precision);
                    w.Number("recall", c.Recall);
                    w.Number("f1", c.F1);
                    w.WriteNumber("support", c.Support);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartObject("confusion_matrix");
                w.WriteStartArray("labels");
                foreach (var l in r.Labels) w.WriteStringValue(l);
                w.WriteEndArray();
                w.WriteStartArray("matrix");
                for (int i = 0; i < r.Labels.Count; i++)
                {
                    w.WriteStartArray();
                    for (int j = 0; j < r.Labels.Count; j++) w.WriteNumberValue(r.Confusion[i, j]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteNumber("records", r.Count);
                w.WriteNumber("tokens", e.Tokens);
                w.WriteNumber("unknown_tokens", e.UnknownTokens);
                w.WriteNumber("truncated", e.TruncatedTexts);
            });
            return 0;
        }
        var report = host.Report;
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        report.Facts([
            ("model", $"{m.Source} (classify, {m.Labels.Count} classes)"),
            ("data", $"{request.Data}, {r.Count:N0} texts (text column \"{columns.Text}\", label column \"{columns.Label}\")"),
            ("tokens", $"{e.Tokens:N0}, {Formats.Percent(e.UnknownTokens, e.Tokens)} unknown" + (e.TruncatedTexts > 0 ? $"; {e.TruncatedTexts:N0} texts cut at {m.Preprocessing.MaxLength} tokens" : "")),
            ("accuracy", new Cell(F(r.Accuracy), Tone.Accent)),
            ("macro F1", new Cell(F(r.MacroF1), Tone.Accent)),
            ("weighted F1", F(r.WeightedF1)),
        ]);
        report.Heading("Per class");
        report.Table([new("class"), new("precision", true), new("recall", true), new("F1", true), new("support", true)],
            r.Classes.Select(c => new Cell[] { c.Label, F(c.Precision), F(c.Recall), F(c.F1), $"{c.Support:N0}" }));
        WriteConfusion(report, r);
        return 0;
    }

    /// <summary>The confusion matrix as a table: a row per true class, a column per predicted class, the diagonal highlighted.</summary>
    internal static void WriteConfusion(Report report, ClassificationReport r)
    {
        report.Heading("Confusion matrix (rows: true class, columns: predicted)");
        var columns = new List<Column> { new("true \\ predicted") };
        columns.AddRange(r.Labels.Select(l => new Column(l, true)));
        report.Table(columns, Enumerable.Range(0, r.Labels.Count).Select(i =>
            new Cell[] { r.Labels[i] }.Concat(Enumerable.Range(0, r.Labels.Count).Select(j =>
                new Cell($"{r.Confusion[i, j]:N0}", i == j ? Tone.Good : r.Confusion[i, j] > 0 ? Tone.Bad : Tone.Dim))).ToArray()));
    }

    public int Predict(CliHost host, TrainedModel model, PredictRequest request)
    {
        var m = (TrainedClassifier)model;
        var lines = new Queue<long>(); // the input lines of the block being classified, in order
        var texts = ReadTexts(m, request).Select(t => { lines.Enqueue(t.Line); return t.Text; });
        foreach (var p in m.PredictStream(texts, PredictBlock))
        {
            long line = lines.Dequeue();
            JsonLines.Write(request.Output, w =>
            {
                w.WriteNumber("line", line);
                w.WriteString("label", m.Labels.Decode(p.Label));
                w.WriteStartObject("probabilities");
                for (int k = 0; k < p.Probabilities.Length; k++) w.Number(m.Labels.Decode(k), p.Probabilities[k]);
                w.WriteEndObject();
            });
        }
        return 0;
    }

    /// <summary>
    /// The texts of a prediction input, streamed: a CSV/TSV/JSON-lines file with a header naming the text column
    /// (--text, else the model's training column, else as <see cref="TextColumns"/> chooses), or otherwise plain text
    /// with one text per line.
    /// </summary>
    private static IEnumerable<(string Text, long Line)> ReadTexts(TrainedClassifier m, PredictRequest request)
    {
        if (request.Format == "text" || (request.Format is null && LooksLikePlainText(request.Data, request.Text ?? m.Columns.Text)))
        {
            using var reader = new Utf8LineReader(request.Data);
            while (reader.TryReadLine(out var line))
            {
                if (line.IsWhiteSpace()) throw reader.Error("empty text (plain-text input holds one text per line)");
                yield return (line.ToString(), reader.LineNumber);
            }
            yield break;
        }
        var file = RecordFile.Open(request.Data, ParseFormat(request.Format));
        int text = request.Text is { } name ? file.Column(name)
            : file.TryColumn(m.Columns.Text, out int same) ? same
            : TextColumns.Choose(file, labelRequired: false).Text;
        foreach (var r in file.Read())
        {
            string? t = r[text];
            if (string.IsNullOrWhiteSpace(t)) throw new DataFormatException(file.Source, r.Line, $"the text (column \"{file.Columns[text]}\") is empty");
            yield return (t, r.Line);
        }
    }

    // Plain text unless the start of the file is JSON or a header that holds the text column.
    private static bool LooksLikePlainText(string path, string textColumn)
    {
        string? first;
        using (var reader = DataFile.OpenText(path)) first = reader.ReadLine();
        if (first is null) return false;
        first = first.TrimStart('\uFEFF').Trim();
        if (first.StartsWith('{') || first.StartsWith('[')) return false;
        var fields = first.Split(first.Contains('\t') ? '\t' : ',').Select(f => f.Trim().Trim('"'));
        return !fields.Any(f => string.Equals(f, textColumn, StringComparison.OrdinalIgnoreCase));
    }

    private static RecordFormat? ParseFormat(string? name) =>
        name is null ? null : ConfigJson.Parse<RecordFormat>(name) ?? throw new UserError($"--format must be one of {string.Join(", ", ConfigJson.Names<RecordFormat>().Append("text"))}; got '{name}'");

    /// <summary>Labelled records of an evaluation file, the columns defaulting to the model's training columns.</summary>
    internal static (List<LabelledText> Records, ClassifierColumns Columns) ReadLabelled(TrainedClassifier m, string path, string? format, string? text, string? label)
    {
        var file = RecordFile.Open(path, ParseFormat(format));
        text ??= file.TryColumn(m.Columns.Text, out _) ? m.Columns.Text : null;
        label ??= file.TryColumn(m.Columns.Label, out _) ? m.Columns.Label : null;
        return LabelledRecords.Read(path, ParseFormat(format), text, label);
    }

    public void Describe(TrainedModel model, Report report)
    {
        var m = (TrainedClassifier)model;
        var p = m.Preprocessing;
        report.Heading("Input");
        report.Facts([
            ("columns", $"text \"{m.Columns.Text}\", label \"{m.Columns.Label}\" (the defaults for eval and predict)"),
            ("tokens", $"{ConfigJson.Name(p.Tokens)}s, {(p.Lowercase ? "lowercased" : "case kept")}, Unicode {ConfigJson.Name(p.Normalization)}, at most {p.MaxLength} per text"),
            ("vocabulary", $"{m.Vocabulary.Count:N0} tokens (with {string.Join(", ", m.Vocabulary.Specials.Present())})"),
            ("classes", string.Join(", ", m.Labels.Classes)),
        ]);
    }
}
