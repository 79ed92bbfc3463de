using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recur.Cli.Hosting;
using Recur.Cli.Output;
using Recur.Data.Files;
using Recur.Data.Formats;
using Recur.Models;
using Recur.Tasks;
using Recur.Tasks.Seq2Seq;

namespace Recur.Cli.Tasks;

/// <summary><c>recur train seq2seq</c> and the sequence-to-sequence parts of <c>eval</c>, <c>predict</c> and <c>info</c>.</summary>
internal sealed class Seq2SeqCommands : ITaskCommands
{
    /// <summary>Sources decoded per block of <c>predict</c> (input is streamed in blocks of this many).</summary>
    private const int PredictBlock = 256;

    /// <summary>Validation sources decoded for the summary after training.</summary>
    private const int SummarySources = 2_000;

    public TaskKind Kind => TaskKind.Seq2Seq;

    public Command Train(CliHost host)
    {
        var d = new Seq2SeqSettings();
        var common = new TrainOptions(d.Training, "Pairs: source<TAB>target lines, or CSV/TSV with a header or JSON lines with --source/--target columns (.gz allowed)", $"{d.Training.Epochs}", "a seeded share of the distinct sources of --data, with all their pairs");
        var format = new Choice<RecordFormat>("--format", "File format (default: source<TAB>target lines, or JSON lines when the file starts with '{')");
        var source = new Option<string?>("--source") { Description = "The source column of a CSV/TSV/JSON-lines file [default: source]", HelpName = "NAME" };
        var target = new Option<string?>("--target") { Description = "The target column [default: target]", HelpName = "NAME" };
        var sourceTokens = new Choice<TokenUnit>("--source-tokens", "Source tokens: characters, or white-space separated words", ConfigJson.Name(d.Preprocessing.SourceTokens));
        var targetTokens = new Choice<TokenUnit>("--target-tokens", "Target tokens: characters, or white-space separated words (phonemes, subwords)", ConfigJson.Name(d.Preprocessing.TargetTokens));
        var lowercase = new Option<bool?>("--lowercase") { Description = "Lowercase both sides [default: false]", HelpName = "true|false" };
        var maxLength = new Option<int?>("--max-length") { Description = "Leave out training pairs with a side longer than N tokens (training says how many), 0 = keep all [default: 0]", HelpName = "N" };
        var embed = new Option<int?>("--embed") { Description = $"Features per token, each side [default: {d.EmbeddingDim}]", HelpName = "N" };
        var rnn = new RecurrentOptions(d.Encoder);
        var decoderLayers = new Option<int?>("--decoder-layers") { Description = $"Decoder layers [default: {d.DecoderLayers}]", HelpName = "N" };
        var decoderHidden = new Option<int?>("--decoder-hidden") { Description = "Decoder hidden units [default: the encoder's output width]", HelpName = "N" };
        var attention = new Choice<AttentionKind>("--attention", "Attention score: additive (Bahdanau), dot or general (Luong), scaled-dot", ConfigJson.Name(d.Attention));
        var attentionDim = new Option<int?>("--attention-dim") { Description = "Hidden units of additive attention [default: the decoder's width]", HelpName = "N" };
        var dropout = new Option<float?>("--dropout") { Description = $"Dropout on the token vectors and the attentional vector [default: {d.Dropout}]", HelpName = "P" };
        var smoothing = new Option<float?>("--label-smoothing") { Description = $"Label smoothing of the cross-entropy [default: {d.LabelSmoothing}]", HelpName = "E" };
        var sampling = new Option<float?>("--sampling") { Description = $"Scheduled sampling: probability of feeding the model's own previous token instead of the true one while training [default: {d.SamplingRate}]", HelpName = "P" };

        var cmd = new Command("seq2seq", "Train a sequence-to-sequence model (many-to-many delayed: embedding, bidirectional LSTM/GRU encoder, attention, decoder with input feeding) on source/target pairs.");
        foreach (var o in common.All.Take(3)) cmd.Options.Add(o);
        foreach (var o in (Option[])[format.Option, source, target, sourceTokens.Option, targetTokens.Option, lowercase, maxLength, embed]) cmd.Options.Add(o);
        foreach (var o in rnn.All) cmd.Options.Add(o);
        foreach (var o in (Option[])[decoderLayers, decoderHidden, attention.Option, attentionDim, dropout, smoothing, sampling]) cmd.Options.Add(o);
        foreach (var o in common.All.Skip(3)) cmd.Options.Add(o);

        Seq2SeqSettings Apply(GivenOptions g, Seq2SeqSettings s)
        {
            s = s with { Training = common.Apply(g, s.Training), Encoder = rnn.Apply(g, s.Encoder) };
            if (format.TryGet(g, out var f)) s = s with { Format = f };
            if (g.TryGet(source, out var sc)) s = s with { SourceColumn = sc };
            if (g.TryGet(target, out var tc)) s = s with { TargetColumn = tc };
            if (sourceTokens.TryGet(g, out var su)) s = s with { Preprocessing = s.Preprocessing with { SourceTokens = su } };
            if (targetTokens.TryGet(g, out var tu)) s = s with { Preprocessing = s.Preprocessing with { TargetTokens = tu } };
            if (g.TryFlag(lowercase, out bool lc)) s = s with { Preprocessing = s.Preprocessing with { Lowercase = lc } };
            if (g.TryGet(maxLength, out int ml)) s = s with { Preprocessing = s.Preprocessing with { MaxSourceLength = ml, MaxTargetLength = ml } };
            if (g.TryGet(embed, out int e)) s = s with { EmbeddingDim = e };
            if (g.TryGet(decoderLayers, out int dl)) s = s with { DecoderLayers = dl };
            if (g.TryGet(decoderHidden, out int dh)) s = s with { DecoderHidden = dh };
            if (attention.TryGet(g, out var a)) s = s with { Attention = a };
            if (g.TryGet(attentionDim, out int ad)) s = s with { AttentionDim = ad };
            if (g.TryGet(dropout, out float dp)) s = s with { Dropout = dp };
            if (g.TryGet(smoothing, out float ls)) s = s with { LabelSmoothing = ls };
            if (g.TryGet(sampling, out float sr)) s = s with { SamplingRate = sr };
            return s;
        }

        host.SetAction(cmd, p =>
        {
            var resumed = TrainingSession.Resume(p, common, Kind);
            var settings = TrainingSession.Settings(p, cmd, common, d, Apply, resumed, x => x.Training, (x, t) => x with { Training = t });
            if (settings.Training.Data.Length == 0) throw new UserError("--data is required: the pairs to train on");
            foreach (var w in RecurrentOptions.Warnings(settings.Encoder, "--rnn-dropout")) host.Warn(w);
            var prepared = Seq2SeqTraining.Prepare(settings, (TrainedSeq2Seq?)resumed?.Model);
            var (folder, failed) = TrainingSession.Train(host, p, common, Kind, prepared, resumed, () => Describe(host, prepared), "target tokens");
            if (File.Exists(folder.WeightsPath))
            {
                var best = (TrainedSeq2Seq)TrainedModel.Load(folder.Path, Kind);
                var pairs = prepared.ValidPairs.Take(SummarySources).ToList();
                var e = best.Evaluate(pairs, new Models.BeamOptions(1, 0, best.DefaultMaxSteps), TooLongSource.Truncate, DataFile.DisplayName(settings.Training.Valid ?? settings.Training.Data));
                host.Out.WriteLine($"validation ({e.Sources:N0} sources, greedy): {Summary(e.Scores)}");
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    private static string Summary(SequenceScores s) => string.Create(CultureInfo.InvariantCulture,
        $"exact match {s.ExactMatch:P2}, CER {s.Cer:P2}, WER {s.Wer:P2}") + (double.IsNaN(s.Per) ? "" : string.Create(CultureInfo.InvariantCulture, $", PER {s.Per:P2}"))
        + string.Create(CultureInfo.InvariantCulture, $", BLEU {s.Bleu.Score:F2}, chrF {s.ChrF:F2}");

    private static void Describe(CliHost host, Seq2SeqTraining t)
    {
        var s = t.Settings;
        var o = host.Out;
        string split = s.Training.Valid is { } v
            ? $"{t.TrainStats.Pairs:N0} train pairs, {t.ValidStats.Pairs:N0} valid from {DataFile.DisplayName(v)}"
            : $"{t.TrainStats.Pairs:N0} train pairs, {t.ValidStats.Pairs:N0} held out for validation (by source, seed {s.Training.Seed})";
        string columns = t.Columns is { } c ? $", source column \"{c.Source}\", target column \"{c.Target}\"" : " (source<TAB>target)";
        o.WriteLine($"data: {DataFile.DisplayName(s.Training.Data)}{columns}; {split}");
        var p = t.Preprocessing;
        o.WriteLine($"tokens: source {ConfigJson.Name(p.SourceTokens)}s ({t.SourceVocabulary.Count:N0}, longest {p.MaxSourceLength}), target {ConfigJson.Name(p.TargetTokens)}s ({t.TargetVocabulary.Count:N0}, longest {p.MaxTargetLength}); validation has {Formats.Percent(t.ValidStats.UnknownSourceTokens, t.ValidStats.SourceTokens)} unknown source tokens");
        int tooLong = t.TrainStats.TooLong + t.ValidStats.TooLong;
        if (tooLong > 0) host.Warn($"{tooLong:N0} pairs have a side longer than --max-length {s.Preprocessing.MaxSourceLength} tokens and were left out");
        var cfg = t.Config;
        var model = new EncoderDecoder(cfg, new Tensors.Rng(0));
        o.WriteLine($"model: Embedding({cfg.SourceVocab}, {cfg.SourceEmbeddingDim}) -> {cfg.Encoder.Describe()} -> {ConfigJson.Name(cfg.Attention)} attention -> decoder {cfg.Decoder.Describe()} with input feeding -> Linear({cfg.Decoder.HiddenSize}, {cfg.TargetVocab}); {model.ParameterCount:N0} parameters");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss: cross-entropy with label smoothing {s.LabelSmoothing}, dropout {s.Dropout}") + (s.SamplingRate > 0 ? string.Create(CultureInfo.InvariantCulture, $", scheduled sampling {s.SamplingRate}") : ""));
        o.WriteLine(TrainingSession.SettingsLine(s.Training));
    }

    private static RecordFormat? ParseFormat(string? name) =>
        name is null ? null : ConfigJson.Parse<RecordFormat>(name) ?? throw new UserError($"--format must be one of {string.Join(", ", ConfigJson.Names<RecordFormat>())}; got '{name}'");

    private static Models.BeamOptions Options(TrainedSeq2Seq m, DecodeRequest r, bool nbest) =>
        new(r.Beam, r.LengthPenalty, r.MaxLength ?? m.DefaultMaxSteps, nbest ? r.NBest : 1);

    private static TooLongSource Policy(DecodeRequest r) => r.TooLong == "refuse" ? TooLongSource.Refuse : TooLongSource.Truncate;

    public int Eval(CliHost host, TrainedModel model, EvalRequest request)
    {
        var m = (TrainedSeq2Seq)model;
        var r = request.Decoding ?? throw new InvalidOperationException("seq2seq eval needs its decoding options");
        var (pairs, _) = PairReader.Read(request.Data, ParseFormat(request.Format), r.Source ?? ColumnOf(m, request.Data, request.Format, c => c.Source),
            r.Target ?? ColumnOf(m, request.Data, request.Format, c => c.Target));
        var e = m.Evaluate(pairs, Options(m, r, false), Policy(r), DataFile.DisplayName(request.Data));
        WarnUnknown(host, m, e.UnknownTokens, e.SourceTokens);
        if (e.Truncated > 0) host.Warn($"{e.Truncated:N0} sources are longer than the longest of training ({m.Preprocessing.MaxSourceLength} tokens) and were cut to that length");
        var s = e.Scores;
        if (request.Json)
        {
            JsonLines.Write(host.Out, w =>
            {
                w.Number("exact_match", s.ExactMatch);
                w.Number("cer", s.Cer);
                w.Number("wer", s.Wer);
                if (!double.IsNaN(s.Per)) w.Number("per", s.Per);
                w.Number("bleu", s.Bleu.Score);
                w.Number("chrf", s.ChrF);
                w.WriteNumber("pairs", e.Pairs);
                w.WriteNumber("sources", e.Sources);
                w.WriteNumber("source_tokens", e.SourceTokens);
                w.WriteNumber("unknown_tokens", e.UnknownTokens.Values.Sum());
                w.WriteNumber("truncated", e.Truncated);
                w.WriteNumber("beam", r.Beam);
                w.Number("length_penalty", r.LengthPenalty);
            });
            return 0;
        }
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var facts = new List<(string, Cell)>
        {
            ("model", $"{m.Source} (seq2seq, {ConfigJson.Name(m.Preprocessing.SourceTokens)} -> {ConfigJson.Name(m.Preprocessing.TargetTokens)})"),
            ("data", $"{request.Data}, {e.Pairs:N0} pairs, {e.Sources:N0} distinct sources"),
            ("decoding", r.Beam == 1 ? "greedy" : string.Create(CultureInfo.InvariantCulture, $"beam {r.Beam}, length penalty {r.LengthPenalty}")),
            ("exact match", new Cell(F(s.ExactMatch), Tone.Accent)),
            ("CER", F(s.Cer)),
            ("WER", new Cell(F(s.Wer), Tone.Accent)),
        };
        if (!double.IsNaN(s.Per)) facts.Add(("PER", new Cell(F(s.Per), Tone.Accent)));
        facts.Add(("BLEU", string.Create(CultureInfo.InvariantCulture, $"{s.Bleu.Score:F2} ({string.Join("/", s.Bleu.Precisions.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}, BP {s.Bleu.BrevityPenalty:F3})")));
        facts.Add(("chrF", s.ChrF.ToString("F2", CultureInfo.InvariantCulture)));
        host.Report.Facts(facts);
        host.Report.Heading("Examples");
        host.Report.Table([new("source"), new("output"), new("reference")],
            e.Examples.Select(x => new Cell[] { x.Source, new(x.Output, x.References.Contains(x.Output) ? Tone.Good : Tone.Bad), string.Join(" | ", x.References) }));
        return 0;
    }

    // The training file's column, when the model was trained on a table and this file has it.
    private static string? ColumnOf(TrainedSeq2Seq m, string path, string? format, Func<PairColumns, string> side)
    {
        if (m.Columns is not { } columns || PairReader.IsPlain(path, ParseFormat(format), null, null)) return null;
        var file = RecordFile.Open(path, ParseFormat(format));
        return file.TryColumn(side(columns), out _) ? side(columns) : null;
    }

    private static void WarnUnknown(CliHost host, TrainedSeq2Seq m, IReadOnlyDictionary<string, int> unknown, long tokens)
    {
        if (unknown.Count == 0) return;
        var top = unknown.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10)
            .Select(kv => $"{JsonSerializer.Serialize(kv.Key)} ({kv.Value:N0})");
        long count = unknown.Values.Sum();
        host.Warn($"{count:N0} source tokens ({Formats.Percent(count, tokens)}) are not in the model's {ConfigJson.Name(m.Preprocessing.SourceTokens)} vocabulary and were read as <unk>: {string.Join(", ", top)}{(unknown.Count > 10 ? ", ..." : "")}");
    }

    public int Predict(CliHost host, TrainedModel model, PredictRequest request)
    {
        var m = (TrainedSeq2Seq)model;
        var r = request.Decoding ?? throw new InvalidOperationException("seq2seq predict needs its decoding options");
        var options = Options(m, r, true);
        var policy = Policy(r);
        var format = ParseFormat(request.Format);
        string? column = r.Source ?? (m.Columns is { } c && !PairReader.IsPlain(request.Data, format, null, null) && RecordFile.Open(request.Data, format).TryColumn(c.Source, out _) ? c.Source : null);
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        long tokens = 0;
        int truncated = 0;
        foreach (var block in PairReader.ReadSources(request.Data, format, column).Chunk(PredictBlock))
        {
            var encoded = block.Select(x => m.EncodeChecked(x.Source, policy, request.DisplayName, x.Line)).ToArray();
            foreach (var e in encoded)
            {
                tokens += e.Tokens.Length;
                if (e.Truncated > 0) truncated++;
                foreach (var u in e.Unknown) unknown[u] = unknown.GetValueOrDefault(u) + 1;
            }
            var outputs = m.Translate(encoded, options);
            for (int i = 0; i < block.Length; i++)
            {
                var best = outputs[i][0];
                JsonLines.Write(request.Output, w =>
                {
                    w.WriteNumber("line", block[i].Line);
                    w.WriteString("source", block[i].Source);
                    w.WriteString("output", best.Output);
                    w.Number("score", best.Hypothesis.Score);
                    w.Number("log_prob", best.Hypothesis.LogProbability);
                    if (!best.Hypothesis.Finished) w.WriteBoolean("finished", false);
                    if (r.NBest > 1)
                    {
                        w.WriteStartArray("nbest");
                        foreach (var cand in outputs[i])
                        {
                            w.WriteStartObject();
                            w.WriteString("output", cand.Output);
                            w.Number("score", cand.Hypothesis.Score);
                            w.Number("log_prob", cand.Hypothesis.LogProbability);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    if (r.Attention)
                    {
                        // Rows: output tokens (then <eos> when finished); columns: the source tokens read.
                        w.WriteStartObject("attention");
                        w.WriteStartArray("source_tokens");
                        foreach (var t in m.Preprocessing.Source(block[i].Source).Take(encoded[i].Tokens.Length)) w.WriteStringValue(t);
                        w.WriteEndArray();
                        w.WriteStartArray("output_tokens");
                        foreach (var t in m.TargetVocabulary.Decode(best.Hypothesis.Tokens)) w.WriteStringValue(t);
                        if (best.Hypothesis.Finished) w.WriteStringValue("<eos>");
                        w.WriteEndArray();
                        w.WriteStartArray("weights");
                        foreach (var row in best.Hypothesis.Attention)
                        {
                            w.WriteStartArray();
                            foreach (float a in row) w.WriteNumberValue(Math.Round(a, 4));
                            w.WriteEndArray();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                });
            }
            request.Output.Flush();
        }
        WarnUnknown(host, m, unknown, tokens);
        if (truncated > 0) host.Warn($"{truncated:N0} sources are longer than the longest of training ({m.Preprocessing.MaxSourceLength} tokens) and were cut to that length (--too-long refuse stops instead)");
        return 0;
    }

    public void Describe(TrainedModel model, Report report)
    {
        var m = (TrainedSeq2Seq)model;
        var p = m.Preprocessing;
        var c = m.Network.Config;
        report.Heading("Input and output");
        report.Facts([
            ("columns", m.Columns is { } cols ? $"source \"{cols.Source}\", target \"{cols.Target}\" (the defaults for eval and predict)" : "source<TAB>target lines"),
            ("source", $"{ConfigJson.Name(p.SourceTokens)}s, {m.SourceVocabulary.Count:N0} in the vocabulary, longest trained {p.MaxSourceLength}"),
            ("target", $"{ConfigJson.Name(p.TargetTokens)}s, {m.TargetVocabulary.Count:N0} in the vocabulary (with {string.Join(", ", m.TargetVocabulary.Specials.Present())}), longest trained {p.MaxTargetLength}"),
            ("text", $"{(p.Lowercase ? "lowercased" : "case kept")}, Unicode {ConfigJson.Name(p.Normalization)}"),
            ("attention", $"{ConfigJson.Name(c.Attention)}, decoder {c.Decoder.Describe()} with input feeding"),
        ]);
    }
}
