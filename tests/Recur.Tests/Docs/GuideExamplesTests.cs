using System.Text.RegularExpressions;
using Recur.Data.Batching;
using Recur.Data.Bundled;
using Recur.Data.Formats;
using Recur.Data.Text;
using Recur.Data.TimeSeries;
using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using Recur.Training;
using Recur.Training.Metrics;
using Recur.Training.Optimizers;
using Recur.Training.Schedules;

namespace Recur.Tests.Docs;

/// <summary>
/// The main code example of every guide in docs/, copied here and run with smaller sizes, so that a guide whose code
/// no longer compiles, runs or learns fails the tests. <see cref="Test_copies_match_the_guides"/> keeps each copy
/// honest: its lines must equal the guide's, except those marked "// sized down".
/// </summary>
public class GuideExamplesTests
{
    [Theory]
    [InlineData("guide-many-to-one.md", "many-to-one")]
    [InlineData("guide-time-series.md", "time-series")]
    [InlineData("guide-one-to-many.md", "one-to-many")]
    [InlineData("guide-layers.md", "layers")]
    [InlineData("guide-many-to-many.md", "encoder-decoder")]
    [InlineData("guide-training.md", "trainer")]
    [InlineData("guide-many-to-many.md", "language-model")]
    public void Test_copies_match_the_guides(string guide, string example)
    {
        string root = RepositoryRoot();
        string markdown = File.ReadAllText(Path.Combine(root, "docs", guide));
        var inGuide = Regex.Match(markdown, $@"<!-- example: {Regex.Escape(example)}\b[^\n]*\n```csharp\n(.*?)\n```", RegexOptions.Singleline);
        Assert.True(inGuide.Success, $"docs/{guide} has no code block marked <!-- example: {example} -->");
        string source = File.ReadAllText(Path.Combine(root, "tests", "Recur.Tests", "Docs", "GuideExamplesTests.cs"));
        var inTest = Regex.Match(source, $@"// guide example: {Regex.Escape(example)}\n(.*?)\n\s*// end of guide example", RegexOptions.Singleline);
        Assert.True(inTest.Success, $"no test copy of '{example}'");
        var expected = CodeLines(inGuide.Groups[1].Value);
        var actual = CodeLines(inTest.Groups[1].Value);
        Assert.True(expected.Length == actual.Length, $"docs/{guide} '{example}' has {expected.Length} code lines, the test copy {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (!actual[i].EndsWith("// sized down", StringComparison.Ordinal))
                Assert.True(expected[i] == actual[i], $"docs/{guide} '{example}', code line {i + 1}:\n  guide: {expected[i]}\n  test:  {actual[i]}");
    }

    // Non-blank lines without indentation; using directives live at the top of this file instead.
    private static string[] CodeLines(string code) =>
        code.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docs", "ARCHITECTURE.md"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no docs/ARCHITECTURE.md above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Many_to_one_sentiment_example_learns()
    {
        // guide example: many-to-one
        int epochs = 2, batchSize = 32; // sized down
        var rng = new Rng(42);

        // 3,000 sentences from IMDB, Amazon and Yelp reviews, labelled "0" (negative) or "1" (positive).
        var sentences = BundledDatasets.SentimentSentences();
        var order = Enumerable.Range(0, sentences.Count).ToArray();
        rng.Shuffle<int>(order);
        var train = order[..2400].Select(i => sentences[i]).ToList();
        var valid = order[2400..2700].Select(i => sentences[i]).ToList();
        var test = order[2700..].Select(i => sentences[i]).ToList();

        // Vocabulary and label classes from the training part only; unseen words become <unk>.
        var tokenizer = new WordTokenizer(lowercase: true);
        var counts = new TokenCounter();
        foreach (var s in train) counts.AddText(tokenizer, s.Text);
        var vocab = Vocabulary.FromCounts(counts.Counts, new VocabularyOptions { MinFrequency = 2 });
        var labels = LabelEncoder.Fit(train);

        // A batch: token indices [B, T] padded with <pad>, true lengths [B], class indices [B].
        List<(int[] Tokens, int[] Lengths, int[] Labels)> Batches(List<LabelledText> part)
        {
            var sequences = part.Select(s => vocab.Encode(tokenizer, s.Text)).ToList();
            var y = labels.Encode(part, "sentiment");
            return BatchSampler.Sequential(part.Count, batchSize)
                .Select(rows => SequencePadding.Pad(sequences, rows, padValue: vocab.PadIndex!.Value))
                .Select((b, k) => (b.Indices.ToArray(), b.Lengths, y.Skip(k * batchSize).Take(b.BatchSize).ToArray()))
                .ToList();
        }

        var model = new SequenceClassifier(vocab.Count, embeddingDim: 64, new RecurrentConfig(CellKind.Gru, 64, Bidirectional: true),
            classes: labels.Count, SequencePooling.Mean, dropout: 0.3f, rng: rng);
        var trainer = new Trainer(model, new AdamW(model.Parameters, lr: 2e-3),
            new TrainerOptions { Epochs = epochs, ClipNorm = 5, Patience = 3, Seed = 42 });   // early stopping on val_loss
        trainer.Metrics.Add(new Accuracy());

        // One batch: logits [B, C] from the valid steps only, cross-entropy against the labels.
        Var Step(Tape tape, (int[] Tokens, int[] Lengths, int[] Labels) batch, StepOutputs outputs)
        {
            int b = batch.Labels.Length, t = batch.Tokens.Length / b;
            var logits = model.Logits(tape, batch.Tokens, b, t, batch.Lengths);
            outputs.Logits = logits.Value;
            outputs.Targets = batch.Labels;
            outputs.Count = b;
            return tape.CrossEntropy(logits, batch.Labels);
        }

        var history = trainer.Fit(new ListBatchSource<(int[], int[], int[])>(Batches(train)),
            new ListBatchSource<(int[], int[], int[])>(Batches(valid), shuffle: false), Step);

        // The weights of the best epoch are back in place; classify the held-out test sentences.
        model.Training = false;
        var tape = new Tape();
        int correct = 0;
        foreach (var (tokens, lengths, y) in Batches(test))
        {
            tape.Reset();
            var logits = model.Logits(tape, tokens, y.Length, tokens.Length / y.Length, lengths).Value;   // [B, 2]
            correct += y.Where((label, i) => (logits[i, 1] > logits[i, 0] ? 1 : 0) == label).Count();
        }
        double testAccuracy = (double)correct / test.Count;
        Console.Write(history.ToCsv());
        Console.WriteLine($"{history.StopReason}; best epoch {history.BestEpoch}");
        Console.WriteLine($"test accuracy {testAccuracy:P1} ({correct} of {test.Count})");
        // end of guide example
        Assert.True(testAccuracy > 0.65, $"test accuracy {testAccuracy}");
        Assert.Equal(2, history.Epochs.Count);
    }

    [Fact]
    public void Time_series_sunspot_example_beats_persistence()
    {
        // guide example: time-series
        int epochs = 40, lookback = 20; // sized down
        var rng = new Rng(7);

        // Yearly sunspot numbers 1700–2008 (309 rows): 70 % train, 15 % validation, 15 % test, in time order.
        Series sunspots = BundledDatasets.Sunspots();
        var split = ChronologicalSplit.Split(sunspots, trainFraction: 0.7, validationFraction: 0.15);
        int trainRows = split.Train.Length, validRows = split.Validation.Length, testRows = split.Test.Length;

        // Scale with statistics of the training years only, then cut windows: inputs [N, 20, 1], targets [N, 1, 1].
        // Validation and test windows look back into the preceding part; their targets stay inside their own part.
        var scaler = new MinMaxScaler();
        scaler.Fit(split.Train);
        var scaled = scaler.Transform(sunspots);
        var trainSet = SlidingWindows.Create(scaled.Slice(0, trainRows), lookback);
        var validSet = SlidingWindows.Create(scaled.Slice(trainRows - lookback, lookback + validRows), lookback);
        var testSet = SlidingWindows.Create(scaled.Slice(trainRows + validRows - lookback, lookback + testRows), lookback);

        // Batches of 16 windows (the last one shorter).
        List<(Tensor X, float[] Y)> Batches(WindowedData w, int size = 16)
        {
            var list = new List<(Tensor, float[])>();
            for (int start = 0; start < w.Count; start += size)
            {
                int n = Math.Min(size, w.Count - start);
                var x = Tensor.FromValues(w.Inputs.Span.Slice(start * lookback, n * lookback), n, lookback, 1);
                list.Add((x, w.Targets.Span.Slice(start, n).ToArray()));
            }
            return list;
        }

        var model = new SequenceRegressor(features: 1, new RecurrentConfig(CellKind.Lstm, 32), outputs: 1, rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 3e-3),
            new TrainerOptions { Epochs = epochs, ClipNorm = 1, Patience = 25, Seed = 7 });
        trainer.Metrics.Add(new RegressionError(RegressionError.Kind.Rmse));
        trainer.Metrics.Add(new RegressionError(RegressionError.Kind.Mae));

        Var Step(Tape tape, (Tensor X, float[] Y) batch, StepOutputs outputs)
        {
            var prediction = model.Predict(tape, tape.Input(batch.X));      // [B, 1], scaled units
            outputs.Predictions = prediction.Value;
            outputs.RealTargets = batch.Y;
            outputs.Count = batch.Y.Length;
            return tape.MseLoss(prediction, batch.Y);
        }

        var history = trainer.Fit(new ListBatchSource<(Tensor, float[])>(Batches(trainSet)),
            new ListBatchSource<(Tensor, float[])>(Batches(validSet), shuffle: false), Step);

        // One-step-ahead forecasts of the test years, back in sunspot units, against "next year = this year".
        model.Training = false;
        var tape = new Tape();
        var forecast = model.Predict(tape, tape.Input(testSet.Inputs)).Value;   // [N, 1]
        scaler.InverseTransform(forecast, columns: [0]);
        var actual = sunspots.Column("SUNACTIVITY")[(trainRows + validRows)..];
        var previous = sunspots.Column("SUNACTIVITY")[(trainRows + validRows - 1)..^1];
        double rmse = Math.Sqrt(actual.Select((y, i) => Math.Pow(forecast[i] - y, 2)).Average());
        double persistence = Math.Sqrt(actual.Select((y, i) => Math.Pow(previous[i] - y, 2)).Average());
        Console.Write(history.ToCsv());
        Console.WriteLine($"{history.StopReason}; best epoch {history.BestEpoch}");
        Console.WriteLine($"test RMSE {rmse:F1} sunspots (persistence {persistence:F1}) over {actual.Length} years");
        // end of guide example
        Assert.True(rmse < persistence, $"RMSE {rmse} vs persistence {persistence}");
    }

    [Fact]
    public void One_to_many_digit_caption_example_learns()
    {
        // guide example: one-to-many
        int epochs = 10, trainImages = 1000; // sized down
        var rng = new Rng(3);

        // 1,797 images of 8x8 pixels in [0, 1]; the "caption" of a 7 is the word "seven", one character per step.
        var digits = BundledDatasets.Digits();
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        var chars = Vocabulary.Build(names.SelectMany(n => n.Select(c => c.ToString())));   // <pad> <unk> <bos> <eos> e n o ...
        int bos = chars.BosIndex!.Value, eos = chars.EosIndex!.Value;

        // Teacher forcing: the decoder reads <bos> s e v e n and must write s e v e n <eos>; padding is ignored (-100).
        const int T = 6;   // the longest name (5 letters) + 1
        (Tensor Pixels, int[] Inputs, int[] Targets) Batch(int[] images)
        {
            var pixels = new Tensor(images.Length, 64);
            var inputs = new int[images.Length * T];
            var targets = new int[images.Length * T];
            for (int b = 0; b < images.Length; b++)
            {
                digits.Pixels.Row(images[b]).Span.CopyTo(pixels.Row(b).Span);
                int[] word = chars.Encode(names[digits.Labels[images[b]]].Select(c => c.ToString()));
                for (int t = 0; t < T; t++)
                {
                    inputs[b * T + t] = t == 0 ? bos : t <= word.Length ? word[t - 1] : chars.PadIndex!.Value;
                    targets[b * T + t] = t < word.Length ? word[t] : t == word.Length ? eos : -100;
                }
            }
            return (pixels, inputs, targets);
        }

        var order = Enumerable.Range(0, digits.Count).ToArray();
        rng.Shuffle<int>(order);
        var train = order[..trainImages].Chunk(32).Select(Batch).ToList();
        var testImages = order[trainImages..];

        var model = new ConditionedGenerator(features: 64, chars.Count, embeddingDim: 16, new RecurrentConfig(CellKind.Lstm, 64), rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 3e-3), new TrainerOptions { Epochs = epochs, ClipNorm = 5, Seed = 3 });
        trainer.Metrics.Add(new Accuracy());   // per character, padding skipped

        Var Step(Tape tape, (Tensor Pixels, int[] Inputs, int[] Targets) batch, StepOutputs outputs)
        {
            int b = batch.Pixels.Dim(0);
            var logits = model.Logits(tape, tape.Input(batch.Pixels), batch.Inputs, b, T);   // [B, T, V]
            outputs.Logits = logits.Value;
            outputs.Targets = batch.Targets;
            outputs.Count = batch.Targets.Count(y => y != -100);
            return tape.CrossEntropy(logits, batch.Targets);
        }

        var history = trainer.Fit(new ListBatchSource<(Tensor, int[], int[])>(train), null, Step);

        // Caption the held-out images greedily: generation stops at <eos> (or after 8 characters).
        var test = Batch(testImages);
        var captions = model.Generate(test.Pixels, bos, eos, maxSteps: 8);
        int exact = testImages.Where((image, i) => chars.DecodeToString(captions[i]) == names[digits.Labels[image]]).Count();
        Console.Write(history.ToCsv());
        Console.WriteLine($"image {testImages[0]}: \"{chars.DecodeToString(captions[0])}\" (a {digits.Labels[testImages[0]]})");
        Console.WriteLine($"{exact} of {testImages.Length} held-out images captioned exactly ({(double)exact / testImages.Length:P1})");
        // end of guide example
        Assert.True(exact > 0.7 * testImages.Length, $"{exact} of {testImages.Length}");
    }

    [Fact]
    public void Layers_example_shows_lengths_states_and_vanishing_gradients()
    {
        // guide example: layers
        int steps = 60; // sized down
        var rng = new Rng(1);

        // A 2-layer bidirectional LSTM over 4 sequences of 10 steps with 3 features; two of them are shorter.
        var lstm = new Lstm(inputSize: 3, hiddenSize: 8, numLayers: 2, bidirectional: true, rng: rng);
        var x = new Tensor(4, 10, 3);
        rng.FillUniform(x.Span, -1, 1);
        int[] lengths = [10, 7, 3, 10];
        var r = lstm.Forward(x, lengths: lengths);
        Console.WriteLine($"output {Shape.Format(r.Output.Shape)}, h_n {Shape.Format(r.Hn.Shape)}, c_n {Shape.Format(r.Cn!.Shape)}");
        // output [4, 10, 16]: features 0..7 the forward direction, 8..15 the reverse; exactly 0 at t >= length.
        // h_n [4, 4, 8]: index layer * 2 + direction, so h_n[2] is layer 1 forward and h_n[3] layer 1 reverse.
        Console.WriteLine($"sequence 2 at t = 5: {r.Output[2, 5, 0]} (padding)");
        Console.WriteLine($"forward state at its last step equals h_n: {r.Output[1, 6, 0] == r.Hn[2, 1, 0]}");
        Console.WriteLine($"reverse state at t = 0 equals h_n: {r.Output[1, 0, 8] == r.Hn[3, 1, 0]}");
        foreach (var (name, p) in lstm.NamedParameters().Take(5)) Console.WriteLine($"{name} {Shape.Format(p.Value.Shape)}");
        // weight_ih_l0 [32, 3], weight_hh_l0 [32, 8], bias_ih_l0 [32], bias_hh_l0 [32], weight_ih_l0_reverse [32, 3]

        // How far back does the gradient of the last step's output reach? ‖∂L/∂x_t‖ for L = Σ h_T, step by step.
        double[] GradientByStep(RecurrentLayer layer)
        {
            var input = new Tensor(1, steps, 1);
            rng.FillUniform(input.Span, -1, 1);
            var tape = new Tape();
            var xv = tape.Input(input, requiresGrad: true);
            var loss = tape.Sum(tape.LastStep(tape.Recurrent(layer, xv).Output));
            tape.Backward(loss);
            return Enumerable.Range(0, steps).Select(t => (double)Math.Abs(xv.Grad![0, t, 0])).ToArray();
        }
        var rnnNorms = GradientByStep(new Rnn(1, 32, rng: rng));
        var lstmNorms = GradientByStep(new Lstm(1, 32, rng: rng));
        // Gate order i, f, g, o: rows 32..63 of the biases belong to the forget gate. A large forget bias keeps c_t.
        var remembering = new Lstm(1, 32, rng: rng);
        remembering.GetParameter("bias_ih_l0").Value.Span.Slice(32, 32).Fill(3f);
        var rememberingNorms = GradientByStep(remembering);
        foreach (int t in new[] { steps - 1, steps - 10, steps - 30, 0 })
            Console.WriteLine($"t = {t,2}: RNN {rnnNorms[t]:E1}   LSTM {lstmNorms[t]:E1}   LSTM, forget bias 3 {rememberingNorms[t]:E1}");
        // end of guide example
        Assert.Equal(0f, r.Output[2, 5, 0]);
        Assert.Equal(r.Hn[2, 1, 0], r.Output[1, 6, 0]);
        Assert.Equal(r.Hn[3, 1, 0], r.Output[1, 0, 8]);
        Assert.True(rnnNorms[0] < 1e-6 * rnnNorms[steps - 1], "the RNN gradient should vanish over 60 steps");
        Assert.True(rememberingNorms[0] > 1e3 * lstmNorms[0], "a forget bias of 3 should keep the gradient alive");
    }

    [Fact]
    public void Encoder_decoder_spelling_to_phonemes_example_learns()
    {
        // guide example: encoder-decoder
        int epochs = 1, words = 2_000; // sized down
        var rng = new Rng(11);

        // Spelling -> pronunciation: first pronunciations of plain words of 3..10 letters, e.g. PHONE -> F OW1 N.
        var entries = BundledDatasets.CmuDict()
            .Where(p => p.Variant == 0 && p.Word.Length is >= 3 and <= 10 && p.Word.All(char.IsAsciiLetterUpper))
            .ToArray();
        rng.Shuffle<Recur.Data.Formats.Pronunciation>(entries);
        var used = entries[..words];
        var letters = Vocabulary.Build(used.SelectMany(p => p.Word.Select(c => c.ToString())));
        var phonemes = Vocabulary.Build(used.SelectMany(p => p.Phonemes));
        int bos = phonemes.BosIndex!.Value, eos = phonemes.EosIndex!.Value, pad = phonemes.PadIndex!.Value;

        // Source [B, S] padded letters with lengths; target input <bos> p1 .. pn (padded), target output p1 .. pn <eos> (-100 after).
        (int[] Source, int[] Lengths, int[] TargetIn, int[] TargetOut, int S, int T) Batch(Recur.Data.Formats.Pronunciation[] part)
        {
            var source = SequencePadding.Pad(part.Select(p => letters.Encode(p.Word.Select(c => c.ToString()))).ToList(), padValue: letters.PadIndex!.Value);
            int t = part.Max(p => p.Phonemes.Length) + 1;
            var targetIn = new int[part.Length * t];
            var targetOut = new int[part.Length * t];
            for (int b = 0; b < part.Length; b++)
            {
                int[] y = phonemes.Encode(part[b].Phonemes);
                for (int k = 0; k < t; k++)
                {
                    targetIn[b * t + k] = k == 0 ? bos : k <= y.Length ? y[k - 1] : pad;
                    targetOut[b * t + k] = k < y.Length ? y[k] : k == y.Length ? eos : -100;
                }
            }
            return (source.Indices.ToArray(), source.Lengths, targetIn, targetOut, source.Steps, t);
        }

        int validStart = words * 8 / 10, testStart = words * 9 / 10;
        var train = used[..validStart].Chunk(64).Select(Batch).ToList();
        var valid = used[validStart..testStart].Chunk(256).Select(Batch).ToList();
        var test = used[testStart..];

        var model = new EncoderDecoder(letters.Count, phonemes.Count, embeddingDim: 32,
            encoder: new RecurrentConfig(CellKind.Gru, 128, Bidirectional: true), decoder: new RecurrentConfig(CellKind.Gru, 128), rng: rng);
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 2e-3),
            new TrainerOptions { Epochs = epochs, ClipNorm = 5, Patience = 2, Seed = 11 });
        trainer.Metrics.Add(new Accuracy());     // per phoneme under teacher forcing
        trainer.Metrics.Add(new Perplexity());

        Var Step(Tape tape, (int[] Source, int[] Lengths, int[] TargetIn, int[] TargetOut, int S, int T) batch, StepOutputs outputs)
        {
            int b = batch.Lengths.Length;
            var logits = model.Logits(tape, batch.Source, b, batch.S, batch.Lengths, batch.TargetIn, batch.T);   // [B, T, V]
            outputs.Logits = logits.Value;
            outputs.Targets = batch.TargetOut;
            outputs.Count = batch.TargetOut.Count(y => y != -100);
            return tape.CrossEntropy(logits, batch.TargetOut);
        }

        var history = trainer.Fit(new ListBatchSource<(int[], int[], int[], int[], int, int)>(train),
            new ListBatchSource<(int[], int[], int[], int[], int, int)>(valid, shuffle: false), Step);

        // Greedy decoding of unseen words: whole-word accuracy (every phoneme and stress mark right).
        var testBatch = Batch(test);
        var (decoded, attention) = model.Translate(testBatch.Source, test.Length, testBatch.S, testBatch.Lengths, bos, eos, maxSteps: 20);
        int exact = test.Where((p, i) => phonemes.Decode(decoded[i]).SequenceEqual(p.Phonemes)).Count();
        Console.Write(history.ToCsv());
        Console.WriteLine($"{history.StopReason}; best epoch {history.BestEpoch}");
        for (int i = 0; i < 3; i++)
            Console.WriteLine($"{test[i].Word}: {phonemes.DecodeToString(decoded[i], " ")}   (dictionary: {string.Join(' ', test[i].Phonemes)})");
        Console.WriteLine($"test: {exact} of {test.Length} words exactly right ({(double)exact / test.Length:P1})");
        // end of guide example
        Assert.True(history.Epochs[^1]["val_loss"] < 0.8 * Math.Log(phonemes.Count), $"validation loss {history.Epochs[^1]["val_loss"]} vs uniform {Math.Log(phonemes.Count)}");
        Assert.Equal(test.Length, decoded.Length);
    }

    [Fact]
    public void Trainer_example_learns_and_stops_early()
    {
        // guide example: trainer
        int epochs = 20; // sized down
        var rng = new Rng(1);

        // The notes' problem 3: every incoming bit is answered at once with its complement; 16 sequences of 10 bits a batch.
        List<(Tensor X, float[] Y, int[] Labels)> Bits(int batches)
        {
            var list = new List<(Tensor, float[], int[])>();
            for (int k = 0; k < batches; k++)
            {
                var x = new Tensor(16, 10, 1);
                var y = new float[16 * 10];
                for (int i = 0; i < y.Length; i++) { x[i] = rng.NextInt(2); y[i] = 1 - x[i]; }
                list.Add((x, y, y.Select(v => (int)v).ToArray()));
            }
            return list;
        }

        var model = new SequenceTagger(features: 1, new RecurrentConfig(CellKind.Lstm, 8), outputs: 1, rng: rng);
        var optimizer = new Adam(model.Parameters, lr: 0.05);
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            Epochs = epochs, ClipNorm = 5, Patience = 3, MinDelta = 1e-4, TimeBudget = TimeSpan.FromMinutes(2), Seed = 1,
        });
        trainer.Metrics.Add(new Accuracy());       // one logit column: class 1 when the logit is > 0
        trainer.Plateau = new ReduceOnPlateau(optimizer, PlateauMode.Min, factor: 0.5, patience: 1);
        var progress = new TextProgress(Console.Out, "bits");
        trainer.Callbacks.Add(progress);

        var history = trainer.Fit(
            new ListBatchSource<(Tensor, float[], int[])>(Bits(20)),
            new ListBatchSource<(Tensor, float[], int[])>(Bits(4), shuffle: false),
            (tape, batch, outputs) =>
            {
                var logits = model.Logits(tape, tape.Input(batch.Item1), lengths: null);   // [16, 10, 1]
                outputs.Logits = logits.Value;
                outputs.Targets = batch.Item3;
                outputs.Count = batch.Item3.Length;
                return tape.BinaryCrossEntropyWithLogits(logits, batch.Item2);
            });
        Console.WriteLine(history.StopReason);
        Console.Write(history.ToCsv());
        var last = history.Epochs[^1];
        Console.WriteLine($"epoch {last.Epoch}: loss {last["loss"]:F4}, accuracy {last["accuracy"]:P1}, val_loss {last["val_loss"]:F4}, lr {last["lr"]}");
        // end of guide example
        Assert.Equal(1.0, history.Epochs[^1]["accuracy"]);
        Assert.StartsWith("early stopping", history.StopReason);
    }

    [Fact]
    public void Character_language_model_example_learns()
    {
        // guide example: language-model
        int epochs = 1, characters = 40_000; // sized down
        var rng = new Rng(5);

        // Moby Dick as one stream of character indices; the last 10 % is held out.
        string text = BundledDatasets.MobyDickText()[..characters];
        var vocab = Vocabulary.ForCharacters(text);
        TokenStream stream = TokenStream.FromIndices(new CharEncoder(vocab).Encode(text), vocab.Count);
        int split = stream.Length * 9 / 10;

        // 32 lanes of contiguous text, 64 steps per chunk; row b of chunk k+1 continues row b of chunk k.
        List<LanguageModelBatch> Chunks(TokenStream part) =>
            new LanguageModelBatcher(part, batchSize: 32, steps: 64, dropLast: true).Batches(reuseBuffer: false).ToList();

        // A tagger whose tags are the next character: one prediction per input step.
        var model = new SequenceTagger(vocab.Count, embeddingDim: 32, new RecurrentConfig(CellKind.Lstm, 256), tags: vocab.Count, rng: rng);
        var state = new CarriedState();
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 2e-3), new TrainerOptions { Epochs = epochs, ClipNorm = 1, Seed = 5 });
        trainer.Metrics.Add(new Perplexity(bits: true));

        // Stateful truncated BPTT: each chunk starts from the previous chunk's final state, detached.
        Var Step(Tape tape, LanguageModelBatch chunk, StepOutputs outputs)
        {
            int[] targets = chunk.Targets.ToArray();
            var r = model.Encoder.Encode(tape, chunk.Inputs, chunk.BatchSize, chunk.Steps, null, state.H(tape), state.C(tape));
            state.Update(r);
            var logits = tape.Linear(model.Head, r.Output);                  // [B, T, V]
            outputs.Logits = logits.Value;
            outputs.Targets = targets;
            outputs.Count = targets.Length;
            return tape.CrossEntropy(logits, targets);
        }

        var history = trainer.Fit(new ListBatchSource<LanguageModelBatch>(Chunks(stream.Slice(0, split)), shuffle: false),
            new ListBatchSource<LanguageModelBatch>(Chunks(stream.Slice(split, stream.Length - split)), shuffle: false),
            Step, onEpochBegin: _ => state.Reset());
        Console.Write(history.ToCsv());
        double validationBits = history.Epochs[history.BestEpoch - 1]["val_loss"] / Math.Log(2);
        Console.WriteLine($"validation: {validationBits:F3} bits per character");
        // end of guide example
        Assert.True(validationBits < 0.8 * Math.Log2(vocab.Count), $"{validationBits} bits per character vs uniform {Math.Log2(vocab.Count)}");
    }
}
