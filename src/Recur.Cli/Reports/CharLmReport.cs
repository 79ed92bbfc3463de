using System.Globalization;
using System.Text;
using Recur.Tasks;
using Recur.Tasks.LanguageModel;
using Recur.Tensors;

namespace Recur.Cli.Reports;

/// <summary>
/// The char LM's sections: its bits per character (the curve is among the training curves, as the monitored metric)
/// as perplexity, the samples generated after each epoch, and a sample of the kept model.
/// </summary>
internal sealed class CharLmReport : ITaskReport
{
    /// <summary>Most samples shown (the first, the last and evenly spaced ones between).</summary>
    private const int MaxSamples = 12;

    /// <summary>Characters of the closing sample.</summary>
    private const int SampleLength = 400;

    public TaskKind Kind => TaskKind.CharLm;

    public string SpeedUnit => "characters";

    public void AddSections(ReportSource source, HtmlPage page)
    {
        page.Section("Samples", "samples");
        if (source.Manifest?.Training is { BestEpoch: > 0 } t && t.Best.TryGetValue("val_bpc", out double bpc))
            page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"The kept model (epoch {t.BestEpoch}) needs {bpc:F3} bits per character on the validation text: perplexity {Math.Pow(2, bpc):F2}, as if choosing among that many equally likely characters."));
        if (source.Data is { } data && source.Model is TrainedCharLm scored)
        {
            // Scored as recur eval scores a text (its default chunks and lanes).
            int[] tokens = scored.Encode(scored.ReadText(data));
            if (tokens.Length < 2) page.Note($"{Path.GetFileName(data)} has fewer than 2 characters, so it cannot be scored");
            else
            {
                var (bits, count) = scored.BitsPerCharacter(tokens);
                page.Paragraph(string.Create(CultureInfo.InvariantCulture,
                    $"On {Path.GetFileName(data)} ({count:N0} characters scored) the kept model needs {bits:F3} bits per character: perplexity {Math.Pow(2, bits):F2}."));
            }
        }
        var samples = EpochSamples.Read(source.Folder.SamplesPath);
        if (samples.Count == 0)
            page.Note($"no {ModelFolder.SamplesName}: no samples were recorded during training (--sample-every 0, or a run of an earlier Recur)");
        else
        {
            var shown = samples.Count <= MaxSamples ? samples
                : [.. Enumerable.Range(0, MaxSamples).Select(i => i * (samples.Count - 1) / (MaxSamples - 1)).Distinct().Select(i => samples[i])];
            page.Paragraph($"Text generated after an epoch (temperature {samples[0].Temperature.ToString(CultureInfo.InvariantCulture)}, from the same prompt): how the model's idea of the text grows."
                + (shown.Count < samples.Count ? $" {shown.Count} of {samples.Count} samples." : ""));
            page.Table(["epoch", "sample"], shown.Select(s => (IReadOnlyList<string>)[s.Epoch.ToString(CultureInfo.InvariantCulture), s.Text]), 0);
        }
        if (source.Model is TrainedCharLm m)
        {
            // The prompt of the training samples, when the vocabulary knows it (it always does, unless the file was edited).
            string prompt = samples.Count > 0 && samples[0].Prompt.EnumerateRunes().All(r => m.Vocabulary.Contains(r.ToString())) ? samples[0].Prompt : "";
            var text = new StringBuilder(prompt);
            ulong seed = source.Manifest?.Training?.Settings["training"]?["seed"]?.GetValue<ulong>() ?? 1;
            m.Generate(prompt.Length > 0 ? prompt : " ", SampleLength, 0.8, 0, new Rng(seed), s => text.Append(s));
            page.Subheading($"The kept model, {SampleLength} characters (temperature 0.8, seed {seed})");
            page.Preformatted(text.ToString());
        }
    }
}
