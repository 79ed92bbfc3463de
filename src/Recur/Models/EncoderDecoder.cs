using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Delayed many-to-many paradigm (translation): the whole source is read before the target is written.
/// <code>
///   encoder:   source [B, S] -> Embedding -> RNN (bidirectional allowed) -> E [B, S, D*H_e], final states
///   bridge:    h_0 = tanh(W_b · final states)                                        [B, H]
///   keys:      K = E W_k^T                                                            [B, S, H]
///   step t:    (h_t, c_t) = cell([embed(y_{t-1}) ; ã_{t-1}], (h_{t-1}, c_{t-1}))     input feeding
///              ctx_t = attention(h_t, K, source lengths)                              [B, H]
///              ã_t = tanh(W_c [h_t ; ctx_t]);   logits_t = W_o ã_t                    [B, V_t]
/// </code>
/// Training uses teacher forcing (the true previous token); <see cref="Translate"/> decodes greedily.
/// </summary>
public sealed class EncoderDecoder : Module
{
    /// <summary>Builds the model.</summary>
    public EncoderDecoder(int sourceVocab, int targetVocab, int embeddingDim, RecurrentConfig encoder, RecurrentConfig decoder, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (decoder.Bidirectional || decoder.NumLayers != 1) throw new ArgumentException("the decoder is one unidirectional cell", nameof(decoder));
        var r = rng ?? Rng.Default;
        int h = decoder.HiddenSize;
        Encoder = RegisterModule("encoder", new SequenceEncoder(sourceVocab, embeddingDim, encoder, r));
        Bridge = RegisterModule("bridge", new Linear(encoder.OutputSize, h, rng: r));
        Keys = RegisterModule("keys", new Linear(encoder.OutputSize, h, bias: false, rng: r));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(targetVocab, embeddingDim, rng: r));
        Cell = RegisterModule("cell", decoder.BuildCell(embeddingDim + h, r));
        Combine = RegisterModule("combine", new Linear(2 * h, h, rng: r));
        Output = RegisterModule("output", new Linear(h, targetVocab, rng: r));
    }

    /// <summary>Source reader.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>Encoder final states -> decoder initial h.</summary>
    public Linear Bridge { get; }

    /// <summary>Projection of encoder outputs into the decoder's space for attention.</summary>
    public Linear Keys { get; }

    /// <summary>Target token embedding.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>Decoder cell.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>[h ; context] -> attentional hidden state.</summary>
    public Linear Combine { get; }

    /// <summary>Attentional state -> target logits.</summary>
    public Linear Output { get; }

    /// <summary>
    /// Teacher-forced logits [B, T_t, V_t] for <paramref name="targetInputs"/> [B, T_t] (BOS then the target shifted
    /// right). Padded target steps produce logits too; mask them in the loss with the ignore index.
    /// </summary>
    public Var Logits(Tape tape, ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, ReadOnlySpan<int> targetInputs, int targetSteps)
    {
        var (h, c, keys, feed) = Start(tape, source, batch, sourceSteps, sourceLengths);
        var steps = new List<Var>(targetSteps);
        for (int t = 0; t < targetSteps; t++)
        {
            var logits = Step(tape, StepTokens(targetInputs, batch, targetSteps, t), sourceLengths, keys, ref h, ref c, ref feed, out _);
            steps.Add(logits);
        }
        return tape.Stack(steps);
    }

    /// <summary>Greedy decoding of each source sequence: up to <paramref name="maxSteps"/> tokens, stopping at <paramref name="eos"/>. Also returns the attention weights per step [T_out][B, S].</summary>
    public (int[][] Tokens, float[][][] Attention) Translate(ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, int bos, int eos, int maxSteps)
    {
        bool training = Training;
        Training = false;
        try
        {
            var tape = new Tape();
            var (h, c, keys, feed) = Start(tape, source, batch, sourceSteps, sourceLengths);
            var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
            var attention = new List<float[][]>();
            var done = new bool[batch];
            var prev = Enumerable.Repeat(bos, batch).ToArray();
            for (int t = 0; t < maxSteps && done.Contains(false); t++)
            {
                var logits = Step(tape, prev, sourceLengths, keys, ref h, ref c, ref feed, out var weights);
                int v = logits.Value.Dim(1);
                attention.Add(Enumerable.Range(0, batch).Select(i => weights.Value.Span.Slice(i * sourceSteps, sourceSteps).ToArray()).ToArray());
                for (int i = 0; i < batch; i++)
                {
                    var row = logits.Value.Span.Slice(i * v, v);
                    int best = 0;
                    for (int j = 1; j < v; j++) if (row[j] > row[best]) best = j;
                    prev[i] = best;
                    if (done[i]) continue;
                    if (best == eos) done[i] = true; else outputs[i].Add(best);
                }
            }
            return (outputs.Select(o => o.ToArray()).ToArray(), attention.ToArray());
        }
        finally
        {
            Training = training;
        }
    }

    private (Var H, Var? C, Var Keys, Var Feed) Start(Tape tape, ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths)
    {
        var enc = Encoder.Encode(tape, source, batch, sourceSteps, sourceLengths);
        var h = tape.Tanh(tape.Linear(Bridge, tape.FinalStates(enc.Hn, Encoder.Rnn.Directions)));
        var c = Cell.Spec.HasCellState ? tape.Input(new Tensor(batch, Cell.HiddenSize)) : null;
        var keys = tape.Linear(Keys, enc.Output);
        var feed = tape.Input(new Tensor(batch, Cell.HiddenSize));
        return (h, c, keys, feed);
    }

    private Var Step(Tape tape, ReadOnlySpan<int> prevTokens, int[]? sourceLengths, Var keys, ref Var h, ref Var? c, ref Var feed, out Var weights)
    {
        int batch = prevTokens.Length;
        var x = tape.Concat(tape.Reshape(tape.Embedding(TargetEmbedding, prevTokens, batch, 1), batch, TargetEmbedding.EmbeddingDim), feed);
        (h, c) = tape.CellStep(Cell, x, h, c);
        var (ctx, a) = tape.Attention(h, keys, sourceLengths);
        weights = a;
        feed = tape.Tanh(tape.Linear(Combine, tape.Concat(h, ctx)));
        return tape.Linear(Output, feed);
    }

    private static int[] StepTokens(ReadOnlySpan<int> tokens, int batch, int steps, int t)
    {
        var r = new int[batch];
        for (int i = 0; i < batch; i++) r[i] = Math.Max(0, tokens[i * steps + t]);
        return r;
    }
}
