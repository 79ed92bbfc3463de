using System.Text.Json;
using Recur.Data.Batching;
using Recur.Layers;
using Recur.Tensors;
using Recur.Ops;

namespace Recur.Models;

/// <summary>Architecture of a <see cref="CharLanguageModel"/> (saved with the model as JSON).</summary>
/// <param name="VocabSize">V, distinct characters.</param>
/// <param name="EmbeddingDim">E, features per character.</param>
/// <param name="Rnn">The recurrent stack (unidirectional: a language model must not read ahead).</param>
public sealed record CharLanguageModelConfig(int VocabSize, int EmbeddingDim, RecurrentConfig Rnn)
{
    /// <summary>The config as JSON (<c>{"vocab_size": .., "embedding_dim": .., "rnn": {"cell": "lstm", ...}}</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ConfigJson.Options);

    /// <summary>
    /// Parses <see cref="ToJson"/>'s output, or the flat form written before the model-folder format
    /// (<c>{"VocabSize", "EmbeddingDim", "Cell": "lstm", "HiddenSize", "NumLayers", "Dropout"}</c>).
    /// </summary>
    /// <exception cref="JsonException">Not a config of either form.</exception>
    public static CharLanguageModelConfig FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Cell", out _))
        {
            var old = doc.RootElement.Deserialize<LegacyConfig>() ?? throw new JsonException("empty model config");
            var cell = Enum.TryParse<CellKind>(old.Cell, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
                ? kind : throw new JsonException($"Cell must be lstm, gru or rnn, got '{old.Cell}'");
            return new(old.VocabSize, old.EmbeddingDim, new RecurrentConfig(cell, old.HiddenSize, old.NumLayers, Dropout: old.Dropout));
        }
        var config = doc.RootElement.Deserialize<CharLanguageModelConfig>(ConfigJson.Options) ?? throw new JsonException("empty model config");
        return config.Rnn is null ? throw new JsonException("the model config has no \"rnn\"") : config;
    }

    private sealed record LegacyConfig(int VocabSize, int EmbeddingDim = 64, string Cell = "lstm", int HiddenSize = 256, int NumLayers = 1, float Dropout = 0f);
}

/// <summary>
/// Many-to-many synchronized paradigm: a character-level language model that predicts x_{t+1} from x_1..x_t.
/// <code>
///   tokens [B, T] -> Embedding(V, E) -> [B, T, E] -> RNN/LSTM/GRU(H, L layers) -> [B, T, H] -> Linear(H, V) -> logits [B, T, V]
/// </code>
/// Trained by truncated BPTT: consecutive [B, T] chunks of B parallel text lanes, the state carried from chunk to
/// chunk (stateful) with the gradient cut at chunk boundaries. The equivalent PyTorch model is
/// <c>nn.Embedding(V, E)</c>, <c>nn.LSTM(E, H, L, batch_first=True)</c>, <c>nn.Linear(H, V)</c> with these parameter names
/// prefixed <c>embedding.</c>, <c>rnn.</c>, <c>head.</c>.
/// </summary>
public sealed class CharLanguageModel : Module
{
    private readonly Tape _tape = new();
    private readonly CarriedState _state = new();

    /// <summary>Builds the model with weights drawn from <paramref name="rng"/>.</summary>
    public CharLanguageModel(CharLanguageModelConfig config, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        Config = config;
        Embedding = RegisterModule("embedding", new Embedding(config.VocabSize, config.EmbeddingDim, rng: rng));
        if (config.Rnn.Bidirectional) throw new ArgumentException("a language model reads left to right; the recurrent stack cannot be bidirectional", nameof(config));
        Rnn = RegisterModule("rnn", config.Rnn.Build(config.EmbeddingDim, rng));
        Head = RegisterModule("head", new Linear(config.Rnn.HiddenSize, config.VocabSize, rng: rng));
    }

    /// <summary>The architecture.</summary>
    public CharLanguageModelConfig Config { get; }

    /// <summary>The character embedding.</summary>
    public Embedding Embedding { get; }

    /// <summary>The recurrent stack.</summary>
    public RecurrentLayer Rnn { get; }

    /// <summary>The output projection to logits.</summary>
    public Linear Head { get; }

    /// <summary>Forgets the carried state (start of an epoch, or a new text).</summary>
    public void ResetState() => _state.Reset();

    /// <summary>When true (default), each chunk starts from the state the previous chunk ended with (stateful truncated BPTT); when false, from zeros.</summary>
    public bool Stateful { get; set; } = true;

    /// <summary>
    /// Records one chunk of truncated BPTT on <paramref name="tape"/>: inputs [B, T] from the carried state through the
    /// model, and the cross-entropy against <paramref name="targets"/> [B, T] averaged over all B*T steps. The final state
    /// is carried to the next chunk, detached (copied out of the graph, so backward stops at the chunk boundary).
    /// </summary>
    public Var Loss(Tape tape, ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(tape);
        _state.ResetIfBatchChanged(batch);
        if (!Stateful) _state.Reset();
        var r = tape.Recurrent(Rnn, Embedding, inputs, batch, steps, _state.H(tape), _state.C(tape));
        var loss = tape.CrossEntropy(tape.Linear(Head, r.Output), targets);
        _state.Update(r);
        return loss;
    }

    /// <summary>
    /// <see cref="Loss"/> on the model's own tape and, in training mode, backward (adding into the parameter gradients).
    /// Returns the mean loss in nats.
    /// </summary>
    public double Step(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int batch, int steps)
    {
        _tape.Reset();
        var loss = Loss(_tape, inputs, targets, batch, steps);
        double value = loss.Value[0];
        if (Training) _tape.Backward(loss);
        return value;
    }

    /// <summary>
    /// Bits per character on held-out text: the mean cross-entropy (nats) / ln 2 over every batch, in evaluation mode,
    /// with the state carried across chunks as in training. Leaves the carried state reset.
    /// </summary>
    public double BitsPerCharacter(LanguageModelBatcher batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        bool training = Training;
        Training = false;
        ResetState();
        double sum = 0;
        long count = 0;
        try
        {
            foreach (var b in batches.Batches())
            {
                int n = b.BatchSize * b.Steps;
                sum += Step(b.Inputs, b.Targets, b.BatchSize, b.Steps) * n;
                count += n;
            }
        }
        finally
        {
            Training = training;
            ResetState();
        }
        return sum / Math.Max(1, count) / Math.Log(2);
    }

    /// <summary>
    /// Samples <paramref name="length"/> characters after <paramref name="prompt"/> (indices), feeding each back in.
    /// <paramref name="temperature"/> 0 is greedy; <paramref name="topK"/> &gt; 0 keeps the k most likely. Calls
    /// <paramref name="emit"/> with each sampled index as soon as it is drawn; <paramref name="banned"/> (e.g. &lt;unk&gt;) is never drawn.
    /// </summary>
    public void Generate(ReadOnlySpan<int> prompt, int length, double temperature, int topK, Rng rng, Action<int> emit, int? banned = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(emit);
        if (prompt.Length == 0) throw new ArgumentException("the prompt needs at least one character", nameof(prompt));
        if (!(temperature >= 0)) throw new ArgumentOutOfRangeException(nameof(temperature), $"must be >= 0, got {temperature}");
        bool training = Training;
        Training = false;
        try
        {
            Tensor? h = null, c = null;
            var logits = new Tensor(1, Config.VocabSize);
            int[] one = new int[1];
            int next = prompt[0];
            var probs = new double[Config.VocabSize];
            for (int i = 0; i < prompt.Length + length - 1; i++)
            {
                one[0] = i < prompt.Length ? prompt[i] : next;
                var r = Rnn.Forward(Embedding.Forward(one, 1, 1), h, c);
                h = r.Hn; c = r.Cn;
                Head.ForwardInto(r.Output, logits);
                if (i < prompt.Length - 1) continue;
                next = TokenSampler.Pick(logits.Span, temperature, topK, rng, probs, banned);
                emit(next);
            }
        }
        finally
        {
            Training = training;
        }
    }
}
