using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Delayed many-to-many paradigm (translation): the whole source is read before the target is written.
/// <code>
///   encoder:   source [B, S] -> Embedding(V_s, E_s) -> dropout -> RNN stack (bidirectional allowed) -> E [B, S, D*H_e]
///   memory:    M = E W_m^T                                                    [B, S, H]   (the attended vectors)
///   bridge:    h_0^l = tanh(W_b^l · final states of the top encoder layer)    [B, H] per decoder layer l; c_0 = 0
///   step t:    x = [dropout(embed(y_{t-1})) ; ã_{t-1}]                          input feeding (Luong et al. 2015)
///              h_t^l = cell^l(x, h_{t-1}^l);  x = dropout(h_t^l)                for l = 1..L
///              ctx_t, a_t = attention(h_t^L, M, source lengths)               [B, H], [B, S]   (<see cref="SourceAttention"/>)
///              ã_t = tanh(W_c [h_t^L ; ctx_t]);   logits_t = W_o dropout(ã_t)   [B, V_t]
/// </code>
/// Training uses teacher forcing (the true previous token), optionally replaced by the model's own previous choice
/// with a scheduled-sampling rate; <see cref="Greedy"/> and <see cref="BeamSearch"/> decode. Parameter names:
/// <c>encoder.*</c>, <c>memory.weight</c>, <c>attention.*</c>, <c>target_embedding.weight</c>, <c>bridge.*</c> and
/// <c>cell.*</c> (first decoder layer), <c>bridge{l}.*</c> and <c>cell{l}.*</c> (layer l &gt;= 1), <c>combine.*</c>, <c>output.*</c>.
/// </summary>
public sealed class EncoderDecoder : Module
{
    private readonly Linear[] _bridges;
    private readonly RecurrentCell[] _cells;

    /// <summary>Builds the one-attention model of the guide: dot attention, one embedding size for both sides.</summary>
    public EncoderDecoder(int sourceVocab, int targetVocab, int embeddingDim, RecurrentConfig encoder, RecurrentConfig decoder, Rng? rng = null)
        : this(new EncoderDecoderConfig(sourceVocab, targetVocab, embeddingDim, embeddingDim, encoder, decoder), rng)
    {
    }

    /// <summary>Builds the model from its configuration.</summary>
    /// <exception cref="ArgumentException">A size out of range.</exception>
    public EncoderDecoder(EncoderDecoderConfig config, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var r = rng ?? Rng.Default;
        Config = config;
        int h = config.Decoder.HiddenSize, layers = config.Decoder.NumLayers, encoded = config.Encoder.OutputSize;
        Encoder = RegisterModule("encoder", new SequenceEncoder(config.SourceVocab, config.SourceEmbeddingDim, config.Encoder, r, config.SourcePaddingIndex));
        Memory = RegisterModule("memory", new Linear(encoded, h, bias: false, rng: r));
        Attention = RegisterModule("attention", new SourceAttention(config.Attention, h, config.AttentionDim > 0 ? config.AttentionDim : h, r));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(config.TargetVocab, config.TargetEmbeddingDim, config.TargetPaddingIndex, r));
        _bridges = new Linear[layers];
        _cells = new RecurrentCell[layers];
        for (int l = 0; l < layers; l++)
        {
            _bridges[l] = RegisterModule(l == 0 ? "bridge" : $"bridge{l}", new Linear(encoded, h, rng: r));
            _cells[l] = RegisterModule(l == 0 ? "cell" : $"cell{l}", config.Decoder.BuildCell(l == 0 ? config.TargetEmbeddingDim + h : h, r));
        }
        Combine = RegisterModule("combine", new Linear(2 * h, h, rng: r));
        Output = RegisterModule("output", new Linear(h, config.TargetVocab, rng: r));
        if (config.Dropout > 0) Drop = RegisterModule("dropout", new Dropout(config.Dropout, r));
        if (config.Decoder.Dropout > 0 && layers > 1) LayerDrop = RegisterModule("layer_dropout", new Dropout(config.Decoder.Dropout, r));
    }

    /// <summary>The configuration.</summary>
    public EncoderDecoderConfig Config { get; }

    /// <summary>Source reader.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>Encoder outputs -> the attended memory [B, S, H].</summary>
    public Linear Memory { get; }

    /// <summary>The decoder's attention over the memory.</summary>
    public SourceAttention Attention { get; }

    /// <summary>Target token embedding.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>Encoder final states -> each decoder layer's initial h.</summary>
    public IReadOnlyList<Linear> Bridges => _bridges;

    /// <summary>The decoder's cells, bottom first.</summary>
    public IReadOnlyList<RecurrentCell> Cells => _cells;

    /// <summary>[h ; context] -> attentional hidden state ã.</summary>
    public Linear Combine { get; }

    /// <summary>Attentional state -> target logits.</summary>
    public Linear Output { get; }

    private Dropout? Drop { get; }

    private Dropout? LayerDrop { get; }

    /// <summary>
    /// Logits [B, T_t, V_t] for <paramref name="targetInputs"/> [B, T_t] (BOS then the target shifted right). Padded
    /// target steps produce logits too; mask them in the loss with the ignore index. With
    /// <paramref name="samplingRate"/> &gt; 0 (scheduled sampling, Bengio et al. 2015), each step's input is, with that
    /// probability per sequence, the model's own arg-max of the previous step instead of the true token.
    /// </summary>
    public Var Logits(Tape tape, ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, ReadOnlySpan<int> targetInputs, int targetSteps,
        float samplingRate = 0, Rng? samplingRng = null)
    {
        if (targetInputs.Length != batch * targetSteps) throw new ShapeMismatchException(nameof(targetInputs), $"[{batch}, {targetSteps}]", $"{targetInputs.Length} indices");
        if (samplingRate > 0 && samplingRng is null) throw new ArgumentNullException(nameof(samplingRng), "scheduled sampling needs a generator");
        var e = Start(tape, source, batch, sourceSteps, sourceLengths);
        var steps = new List<Var>(targetSteps);
        Var? previous = null;
        for (int t = 0; t < targetSteps; t++)
        {
            var tokens = new int[batch];
            for (int i = 0; i < batch; i++) tokens[i] = Math.Max(0, targetInputs[i * targetSteps + t]);
            if (samplingRate > 0 && previous is not null)
            {
                int v = previous.Value.Dim(1);
                for (int i = 0; i < batch; i++)
                    if (samplingRng!.NextDouble() < samplingRate) tokens[i] = ArgMax(previous.Value.Span.Slice(i * v, v));
            }
            previous = Step(tape, tokens, e, out _);
            steps.Add(previous);
        }
        return tape.Stack(steps);
    }

    /// <summary>Greedy decoding (Translate's original form): the tokens of each source and the attention per step [T_out][S].</summary>
    public (int[][] Tokens, float[][][] Attention) Translate(ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, int bos, int eos, int maxSteps)
    {
        var result = Greedy(source, batch, sourceSteps, sourceLengths, bos, eos, maxSteps);
        return ([.. result.Select(h => h.Tokens)], [.. result.Select(h => h.Attention)]);
    }

    /// <summary>
    /// Greedy decoding, batched: each step writes the most probable token; a source stops at <paramref name="eos"/> or
    /// after <paramref name="maxSteps"/> tokens. Scores use the length penalty α <paramref name="lengthPenalty"/>.
    /// </summary>
    public BeamHypothesis[] Greedy(ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, int bos, int eos, int maxSteps, double lengthPenalty = 0)
    {
        var options = new BeamOptions(1, lengthPenalty, maxSteps);
        options.Validate();
        var src = source.ToArray();
        return Evaluating(() =>
        {
            var tape = new Tape();
            var e = Start(tape, src, batch, sourceSteps, sourceLengths);
            var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
            var attention = Enumerable.Range(0, batch).Select(_ => new List<float[]>()).ToArray();
            var logp = new double[batch];
            var done = new bool[batch];
            var prev = Enumerable.Repeat(bos, batch).ToArray();
            var row = new float[Config.TargetVocab];
            for (int t = 0; t < maxSteps && done.Contains(false); t++)
            {
                var logits = Step(tape, prev, e, out var weights);
                for (int i = 0; i < batch; i++)
                {
                    if (done[i]) continue;
                    LogSoftmax(logits.Value.Span.Slice(i * row.Length, row.Length), row);
                    int best = ArgMax(row);
                    logp[i] += row[best];
                    attention[i].Add(AttentionRow(weights, i, sourceSteps, sourceLengths?[i] ?? sourceSteps));
                    prev[i] = best;
                    if (best == eos) done[i] = true; else tokens[i].Add(best);
                }
            }
            return Enumerable.Range(0, batch).Select(i =>
            {
                int length = tokens[i].Count + (done[i] ? 1 : 0);
                return new BeamHypothesis([.. tokens[i]], logp[i], logp[i] / options.Penalty(length), done[i], [.. attention[i]]);
            }).ToArray();
        });
    }

    /// <summary>
    /// Beam search, batched over sources: K hypotheses per source are extended by every token; the K best
    /// continuations survive, a continuation ending in <paramref name="eos"/> and ranked among the K best becomes a
    /// finished hypothesis. A source stops when the best continuation of a step ends it and at least
    /// <see cref="BeamOptions.NBest"/> hypotheses have finished (or at <see cref="BeamOptions.MaxSteps"/>, where the live
    /// ones are kept as unfinished). Hypotheses are ranked by log P / lp(|Y|) (GNMT); ties go to the earlier beam and the lower token.
    /// With K = 1 this is exactly <see cref="Greedy"/>.
    /// </summary>
    /// <returns>Per source, up to <see cref="BeamOptions.NBest"/> hypotheses, best first.</returns>
    public BeamHypothesis[][] BeamSearch(ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths, int bos, int eos, BeamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int k = options.BeamSize, v = Config.TargetVocab;
        var src = source.ToArray();
        return Evaluating(() =>
        {
            var tape = new Tape();
            var rows = Enumerable.Range(0, batch * k).Select(r => r / k).ToArray();
            var e = Expand(tape, Start(tape, src, batch, sourceSteps, sourceLengths), rows, sourceSteps);
            var live = new BeamNode?[batch * k];
            for (int b = 0; b < batch; b++) live[b * k] = new BeamNode(bos, [], null, 0, 0);
            var finished = Enumerable.Range(0, batch).Select(_ => new List<BeamNode>()).ToArray();
            var done = new bool[batch];
            var prev = Enumerable.Repeat(bos, batch * k).ToArray();
            var logRows = new float[k * v];
            var candidates = new PriorityQueue<int, (double Score, int Flat)>(Comparer<(double Score, int Flat)>.Create(
                (x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Flat.CompareTo(x.Flat))); // the worst on top
            for (int step = 0; step < options.MaxSteps && done.Contains(false); step++)
            {
                var logits = Step(tape, prev, e, out var weights);
                var gather = new int[batch * k];
                var next = new BeamNode?[batch * k];
                var nextPrev = new int[batch * k];
                bool last = step == options.MaxSteps - 1;
                for (int b = 0; b < batch; b++)
                {
                    for (int j = 0; j < k; j++) { gather[b * k + j] = b * k; nextPrev[b * k + j] = eos; }
                    if (done[b]) continue;
                    // The 2K best continuations suffice: at most K of them end in EOS (one per beam).
                    candidates.Clear();
                    for (int j = 0; j < k; j++)
                    {
                        if (live[b * k + j] is not { } node) continue;
                        var lr = logRows.AsSpan(j * v, v);
                        LogSoftmax(logits.Value.Span.Slice((b * k + j) * v, v), lr);
                        for (int w = 0; w < v; w++)
                        {
                            var key = (node.LogP + lr[w], j * v + w);
                            if (candidates.Count < 2 * k) candidates.Enqueue(j * v + w, key);
                            else if (candidates.TryPeek(out _, out var worst) && (key.Item1 > worst.Score || (key.Item1 == worst.Score && key.Item2 < worst.Flat)))
                                candidates.EnqueueDequeue(j * v + w, key);
                        }
                    }
                    var best = new List<(int Flat, double Score)>(candidates.Count);
                    while (candidates.TryDequeue(out int flat, out var key)) best.Add((flat, key.Score));
                    best.Reverse(); // best first
                    int kept = 0;
                    int sourceLength = sourceLengths?[b] ?? sourceSteps;
                    for (int rank = 0; rank < best.Count; rank++)
                    {
                        var (flat, score) = best[rank];
                        int j = flat / v, w = flat % v;
                        var parent = live[b * k + j]!;
                        var node = new BeamNode(w, AttentionRow(weights, b * k + j, sourceSteps, sourceLength), parent, parent.Length + 1, score);
                        if (w == eos)
                        {
                            // An ending below the K best continuations is not kept (it is worse than K live ones).
                            if (rank < k) finished[b].Add(node with { Finished = true });
                        }
                        else if (kept < k)
                        {
                            if (last) finished[b].Add(node);
                            next[b * k + kept] = node;
                            gather[b * k + kept] = b * k + j;
                            nextPrev[b * k + kept] = w;
                            kept++;
                        }
                        if (kept == k) break;
                    }
                    // Done when the best continuation of this step ends the output (OpenNMT's rule; with K = 1 it is greedy's) and
                    // enough outputs have ended for the n-best list.
                    bool topEnds = best.Count > 0 && best[0].Flat % v == eos;
                    if ((topEnds && finished[b].Count >= options.NBest) || last || kept == 0) done[b] = true;
                }
                live = next;
                prev = nextPrev;
                e = e.Reorder(tape, gather);
            }
            return Enumerable.Range(0, batch).Select(b => finished[b]
                .Select((n, order) => (Hypothesis: n.ToHypothesis(options), Order: order))
                .OrderByDescending(x => x.Hypothesis.Score).ThenBy(x => x.Order)
                .Take(options.NBest).Select(x => x.Hypothesis).ToArray()).ToArray();
        });
    }

    private T Evaluating<T>(Func<T> run)
    {
        bool training = Training;
        Training = false;
        try
        {
            return run();
        }
        finally
        {
            Training = training;
        }
    }

    private Encoded Start(Tape tape, ReadOnlySpan<int> source, int batch, int sourceSteps, int[]? sourceLengths)
    {
        var enc = Drop is null
            ? Encoder.Encode(tape, source, batch, sourceSteps, sourceLengths)
            : Encoder.Encode(tape, tape.Dropout(Drop, Encoder.Embed(tape, source, batch, sourceSteps, sourceLengths)), sourceLengths);
        var final = tape.FinalStates(enc.Hn, Encoder.Rnn.Directions);
        int layers = _cells.Length, h = Config.Decoder.HiddenSize;
        var hs = new Var[layers];
        var cs = new Var?[layers];
        for (int l = 0; l < layers; l++)
        {
            hs[l] = tape.Tanh(tape.Linear(_bridges[l], final));
            cs[l] = _cells[l].Spec.HasCellState ? tape.Input(new Tensor(batch, h)) : null;
        }
        var memory = tape.Linear(Memory, enc.Output);
        return new Encoded(memory, Attention.Keys(tape, memory), sourceLengths, hs, cs, tape.Input(new Tensor(batch, h)));
    }

    // Each of the rows' sources repeated: row r reads source rows[r] (beam search: K rows per source).
    private static Encoded Expand(Tape tape, Encoded e, int[] rows, int sourceSteps)
    {
        Var Repeat3(Var x)
        {
            int b = x.Value.Dim(0), f = x.Value.Dim(2);
            return tape.Reshape(tape.GatherRows(tape.Reshape(x, b, sourceSteps * f), rows), rows.Length, sourceSteps, f);
        }
        int[]? lengths = e.Lengths is null ? null : [.. rows.Select(r => e.Lengths[r])];
        var memory = Repeat3(e.Memory);
        var keys = ReferenceEquals(e.Keys, e.Memory) ? memory : Repeat3(e.Keys);
        return new Encoded(memory, keys, lengths, e.H, e.C, e.Feed).Reorder(tape, rows);
    }

    private Var Step(Tape tape, int[] prevTokens, Encoded e, out Var weights)
    {
        int batch = prevTokens.Length;
        var x = tape.Reshape(tape.Embedding(TargetEmbedding, prevTokens, batch, 1), batch, TargetEmbedding.EmbeddingDim);
        if (Drop is not null) x = tape.Dropout(Drop, x);
        x = tape.Concat(x, e.Feed);
        for (int l = 0; l < _cells.Length; l++)
        {
            (e.H[l], e.C[l]) = tape.CellStep(_cells[l], x, e.H[l], e.C[l]);
            x = e.H[l];
            if (LayerDrop is not null && l < _cells.Length - 1) x = tape.Dropout(LayerDrop, x);
        }
        var top = e.H[^1];
        var (ctx, a) = Attention.Attend(tape, top, e.Memory, e.Keys, e.Lengths);
        weights = a;
        e.Feed = tape.Tanh(tape.Linear(Combine, tape.Concat(top, ctx)));
        return tape.Linear(Output, Drop is null ? e.Feed : tape.Dropout(Drop, e.Feed));
    }

    private static float[] AttentionRow(Var weights, int row, int sourceSteps, int length) =>
        weights.Value.Span.Slice(row * sourceSteps, length).ToArray();

    // log softmax of one row: z - (max + log Σ exp(z - max)).
    private static void LogSoftmax(ReadOnlySpan<float> z, Span<float> y)
    {
        float max = float.NegativeInfinity;
        foreach (float x in z) max = Math.Max(max, x);
        double sum = 0;
        foreach (float x in z) sum += Math.Exp(x - max);
        float lse = max + (float)Math.Log(sum);
        for (int i = 0; i < z.Length; i++) y[i] = z[i] - lse;
    }

    // The first index of the largest value.
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }

    // What the decoder reads and carries: the memory and its keys, the source lengths, each layer's h (and c), ã.
    private sealed class Encoded(Var memory, Var keys, int[]? lengths, Var[] h, Var?[] c, Var feed)
    {
        public Var Memory { get; } = memory;
        public Var Keys { get; } = keys;
        public int[]? Lengths { get; } = lengths;
        public Var[] H { get; } = h;
        public Var?[] C { get; } = c;
        public Var Feed { get; set; } = feed;

        // The decoder state with row r taken from row index[r] (memory and keys already have the right rows).
        public Encoded Reorder(Tape tape, int[] index) =>
            new(Memory, Keys, Lengths, [.. H.Select(x => tape.GatherRows(x, index))],
                [.. C.Select(x => x is null ? null : tape.GatherRows(x, index))], tape.GatherRows(Feed, index));
    }

    // A hypothesis as a chain of tokens back to BOS.
    private sealed record BeamNode(int Token, float[] Attention, BeamNode? Parent, int Length, double LogP)
    {
        public bool Finished { get; init; }

        public BeamHypothesis ToHypothesis(BeamOptions options)
        {
            var tokens = new List<int>();
            var attention = new List<float[]>();
            for (var n = this; n.Parent is not null; n = n.Parent)
            {
                if (!(Finished && ReferenceEquals(n, this))) tokens.Add(n.Token); // the final EOS is not output
                attention.Add(n.Attention);
            }
            tokens.Reverse();
            attention.Reverse();
            return new BeamHypothesis([.. tokens], LogP, LogP / options.Penalty(Length), Finished, [.. attention]);
        }
    }
}
