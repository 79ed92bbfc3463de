using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Linear-chain conditional random field as the output layer of a sequence tagger (Lample et al. 2016's BiLSTM-CRF;
/// the parameters, names and conventions of pytorch-crf's <c>CRF</c>). It scores whole tag sequences: for emissions
/// e [T, C] (per-step tag scores, e.g. a linear layer over a BiLSTM's outputs) of a sequence of length n and tags
/// y_0..y_{n−1},
/// <code>
///   score(y) = start[y_0] + Σ_{t&lt;n} e[t, y_t] + Σ_{1≤t&lt;n} trans[y_{t−1}, y_t] + end[y_{n−1}]
///   p(y | e) = exp(score(y)) / Z,   log Z = log Σ_{y'} exp(score(y'))   (forward algorithm, O(n·C²))
/// </code>
/// Parameters: <c>start_transitions</c> [C], <c>end_transitions</c> [C], <c>transitions</c> [C, C] with
/// transitions[i, j] the score of tag i followed by tag j, all initialised U(−0.1, 0.1). Train it with the tape op
/// <c>tape.CrfNegativeLogLikelihood</c>; predict with <see cref="Decode(Tensor, int[], Span{int})"/> (Viterbi).
/// Because the transitions see the previous tag, the CRF learns constraints a per-step softmax cannot (I-PER only
/// after B-PER or I-PER). One call at a time per instance: decoding reuses workspaces held here.
/// </summary>
public sealed class LinearChainCrf : Module
{
    // Viterbi workspaces: best scores ending in each tag at the previous and current step, and the back-pointers [T, C].
    private double[] _best = [], _bestNext = [];
    private int[] _backPointers = [];

    /// <summary>Creates the layer for <paramref name="numTags"/> tags, drawing the initial values from a fork of <paramref name="rng"/>.</summary>
    public LinearChainCrf(int numTags, Rng? rng = null)
    {
        if (numTags <= 0) throw new ArgumentOutOfRangeException(nameof(numTags), $"must be positive, got {numTags}");
        NumTags = numTags;
        StartTransitions = RegisterParameter(new Parameter("start_transitions", numTags));
        EndTransitions = RegisterParameter(new Parameter("end_transitions", numTags));
        Transitions = RegisterParameter(new Parameter("transitions", numTags, numTags));
        var r = (rng ?? Rng.Default).Fork();
        Initializers.Uniform(StartTransitions.Value.Span, 0.1f, r);
        Initializers.Uniform(EndTransitions.Value.Span, 0.1f, r);
        Initializers.Uniform(Transitions.Value.Span, 0.1f, r);
    }

    /// <summary>C, the number of tags.</summary>
    public int NumTags { get; }

    /// <summary>start_transitions [C]: the score of starting a sequence with each tag.</summary>
    public Parameter StartTransitions { get; }

    /// <summary>end_transitions [C]: the score of ending a sequence with each tag.</summary>
    public Parameter EndTransitions { get; }

    /// <summary>transitions [C, C]: transitions[i, j] is the score of tag i followed by tag j.</summary>
    public Parameter Transitions { get; }

    /// <inheritdoc />
    public override string Describe() => $"LinearChainCrf({NumTags})";

    /// <summary>
    /// Viterbi decoding: the highest-scoring tag sequence of each row, emissions [B, T, C] -> tags [B*T] (row b at
    /// b*T), with -1 at the padded steps t ≥ lengths[b]. Lengths [B] in [1, T] (null: every row has T steps). Ties go
    /// to the lowest tag index at each step, so the result is deterministic. Allocates nothing after the first call
    /// of a given size.
    /// </summary>
    public void Decode(Tensor emissions, int[]? lengths, Span<int> tags)
    {
        var (b, t) = CheckEmissions(emissions, lengths);
        if (tags.Length != b * t) throw new ShapeMismatchException(nameof(tags), $"[{b * t}] (B*T, one per step of emissions {Shape.Format(emissions.Shape)})", $"[{tags.Length}]");
        int c = NumTags;
        if (_best.Length < c) { _best = new double[c]; _bestNext = new double[c]; }
        if (_backPointers.Length < t * c) _backPointers = new int[t * c];
        for (int i = 0; i < b; i++)
        {
            int len = lengths?[i] ?? t;
            var row = tags.Slice(i * t, t);
            Viterbi(emissions.Span.Slice(i * t * c, len * c), len, row[..len]);
            row[len..].Fill(-1);
        }
        RecordOutputShape(b, t);
    }

    /// <summary>Viterbi decoding as in <see cref="Decode(Tensor, int[], Span{int})"/>, one array of length lengths[b] per row.</summary>
    public int[][] Decode(Tensor emissions, int[]? lengths = null)
    {
        var (b, t) = CheckEmissions(emissions, lengths);
        var flat = new int[b * t];
        Decode(emissions, lengths, flat);
        var paths = new int[b][];
        for (int i = 0; i < b; i++) paths[i] = flat.AsSpan(i * t, lengths?[i] ?? t).ToArray();
        return paths;
    }

    /// <summary>Checks emissions [B, T ≥ 1, C] and lengths [B] in [1, T] (naming the argument and the row); returns B and T.</summary>
    internal (int Batch, int Steps) CheckEmissions(Tensor emissions, int[]? lengths)
    {
        ArgumentNullException.ThrowIfNull(emissions);
        if (emissions.Rank != 3 || emissions.Dim(1) == 0 || emissions.Dim(2) != NumTags)
            throw new ShapeMismatchException(nameof(emissions), $"[B, T, {NumTags}] (T ≥ 1, one score per tag)", Shape.Format(emissions.Shape));
        int b = emissions.Dim(0), t = emissions.Dim(1);
        if (lengths is null) return (b, t);
        if (lengths.Length != b) throw new ShapeMismatchException(nameof(lengths), $"[{b}]", $"[{lengths.Length}]");
        for (int i = 0; i < b; i++)
            if (lengths[i] < 1 || lengths[i] > t) throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{i}] = {lengths[i]} is outside [1, T={t}]");
        return (b, t);
    }

    /// <summary>
    /// The forward algorithm for one sequence: emissions [n, C] (n = <paramref name="length"/>), alpha [n, C] filled
    /// with log Σ over the paths y_0..y_t = j of exp(their partial score), in double; returns log Z.
    /// <code>
    ///   alpha[0, j] = start[j] + e[0, j]
    ///   alpha[t, j] = e[t, j] + log Σ_i exp(alpha[t−1, i] + trans[i, j])
    ///   log Z       = log Σ_j exp(alpha[n−1, j] + end[j])
    /// </code>
    /// </summary>
    internal double LogPartition(ReadOnlySpan<float> emissions, int length, Span<double> alpha)
    {
        int c = NumTags;
        var start = StartTransitions.Value.Span;
        var trans = Transitions.Value.Span;
        for (int j = 0; j < c; j++) alpha[j] = (double)start[j] + emissions[j];
        for (int t = 1; t < length; t++)
        {
            var prev = alpha.Slice((t - 1) * c, c);
            for (int j = 0; j < c; j++) alpha[t * c + j] = emissions[t * c + j] + LogSumExp(prev, trans[j..], c);
        }
        return LogSumExp(alpha.Slice((length - 1) * c, c), EndTransitions.Value.Span, 1);
    }

    /// <summary>score(y) of the tags y [n] for emissions [n, C] (the class's equation), in double.</summary>
    internal double Score(ReadOnlySpan<float> emissions, ReadOnlySpan<int> tags, int length)
    {
        int c = NumTags;
        var trans = Transitions.Value.Span;
        double s = (double)StartTransitions.Value[tags[0]] + EndTransitions.Value[tags[length - 1]];
        for (int t = 0; t < length; t++) s += emissions[t * c + tags[t]];
        for (int t = 1; t < length; t++) s += trans[tags[t - 1] * c + tags[t]];
        return s;
    }

    /// <summary>
    /// The gradient of nll = log Z − score(y) for one sequence (emissions [n, C], tags y [n]), from the forward
    /// algorithm's <paramref name="alpha"/> [n, C] and log Z, by the forward-backward marginals. gamma [n, C] is
    /// scratch for the backward recursion (the log-score of every suffix from step t given y_t = j, emission included):
    /// <code>
    ///   gamma[n−1, j] = e[n−1, j] + end[j];   gamma[t, i] = e[t, i] + log Σ_j exp(trans[i, j] + gamma[t+1, j])
    ///   p(y_t = j)               = exp(alpha[t, j] + gamma[t, j] − e[t, j] − log Z)
    ///   p(y_{t−1} = i, y_t = j)  = exp(alpha[t−1, i] + trans[i, j] + gamma[t, j] − log Z)
    ///   ∂nll/∂e[t, j]       = p(y_t = j) − [y_t = j]
    ///   ∂nll/∂start[j]      = p(y_0 = j) − [y_0 = j];   ∂nll/∂end[j] = p(y_{n−1} = j) − [y_{n−1} = j]
    ///   ∂nll/∂trans[i, j]   = Σ_{1≤t&lt;n} p(y_{t−1} = i, y_t = j) − #{t : y_{t−1} = i, y_t = j}
    /// </code>
    /// <paramref name="dEmissions"/> [n, C] += w · ∂nll/∂e (skipped when empty); <paramref name="dParameters"/>
    /// [start C | end C | trans C·C] += ∂nll/∂θ, unscaled and in double so that a batch is summed before
    /// <see cref="AddParameterGradients"/> scales it once.
    /// </summary>
    internal void AddNllGradient(ReadOnlySpan<float> emissions, ReadOnlySpan<int> tags, int length, ReadOnlySpan<double> alpha, double logZ,
        Span<double> gamma, Span<double> dParameters, Span<float> dEmissions, double w)
    {
        int c = NumTags, n = length;
        var trans = Transitions.Value.Span;
        var dStart = dParameters[..c];
        var dEnd = dParameters.Slice(c, c);
        var dTrans = dParameters.Slice(2 * c, c * c);
        var end = EndTransitions.Value.Span;
        for (int j = 0; j < c; j++) gamma[(n - 1) * c + j] = (double)emissions[(n - 1) * c + j] + end[j];
        for (int t = n - 2; t >= 0; t--)
        {
            var next = gamma.Slice((t + 1) * c, c);
            for (int i = 0; i < c; i++) gamma[t * c + i] = emissions[t * c + i] + LogSumExp(next, trans.Slice(i * c, c), 1);
        }
        for (int t = 0; t < n; t++)
        {
            for (int j = 0; j < c; j++)
            {
                double p = Math.Exp(alpha[t * c + j] + gamma[t * c + j] - emissions[t * c + j] - logZ);
                double g = p - (tags[t] == j ? 1 : 0);
                if (!dEmissions.IsEmpty) dEmissions[t * c + j] += (float)(w * g);
                if (t == 0) dStart[j] += g;
                if (t == n - 1) dEnd[j] += g;
            }
            if (t == 0) continue;
            for (int i = 0; i < c; i++)
            {
                double a = alpha[(t - 1) * c + i] - logZ;
                for (int j = 0; j < c; j++) dTrans[i * c + j] += Math.Exp(a + trans[i * c + j] + gamma[t * c + j]);
            }
            dTrans[tags[t - 1] * c + tags[t]] -= 1;
        }
    }

    /// <summary>The parameters' Grad += w · <paramref name="dParameters"/> [start C | end C | trans C·C] (see <see cref="AddNllGradient"/>).</summary>
    internal void AddParameterGradients(ReadOnlySpan<double> dParameters, double w)
    {
        int c = NumTags;
        Add(StartTransitions.Grad.Span, dParameters[..c], w);
        Add(EndTransitions.Grad.Span, dParameters.Slice(c, c), w);
        Add(Transitions.Grad.Span, dParameters.Slice(2 * c, c * c), w);

        static void Add(Span<float> grad, ReadOnlySpan<double> d, double w)
        {
            for (int i = 0; i < grad.Length; i++) grad[i] += (float)(w * d[i]);
        }
    }

    // Max-product over one sequence, emissions [n, C] -> the best tags [n]:
    //   best[0, j] = start[j] + e[0, j];   best[t, j] = e[t, j] + max_i (best[t−1, i] + trans[i, j]), back-pointer the arg max
    //   y_{n−1} = argmax_j (best[n−1, j] + end[j]);   y_{t−1} = backPointer[t, y_t]
    // Strict comparisons keep the lowest index on ties.
    private void Viterbi(ReadOnlySpan<float> emissions, int length, Span<int> path)
    {
        int c = NumTags;
        var start = StartTransitions.Value.Span;
        var end = EndTransitions.Value.Span;
        var trans = Transitions.Value.Span;
        var best = _best.AsSpan(0, c);
        var next = _bestNext.AsSpan(0, c);
        for (int j = 0; j < c; j++) best[j] = (double)start[j] + emissions[j];
        for (int t = 1; t < length; t++)
        {
            for (int j = 0; j < c; j++)
            {
                int arg = 0;
                double max = best[0] + trans[j];
                for (int i = 1; i < c; i++)
                {
                    double v = best[i] + trans[i * c + j];
                    if (v > max) { max = v; arg = i; }
                }
                next[j] = max + emissions[t * c + j];
                _backPointers[t * c + j] = arg;
            }
            var swap = best; best = next; next = swap;
        }
        int tag = 0;
        double top = best[0] + end[0];
        for (int j = 1; j < c; j++)
            if (best[j] + end[j] > top) { top = best[j] + end[j]; tag = j; }
        path[length - 1] = tag;
        for (int t = length - 1; t > 0; t--) path[t - 1] = tag = _backPointers[t * c + tag];
    }

    // log Σ_k exp(a[k] + b[k·stride]) for k < a.Length, in double; the largest term is factored out so nothing overflows.
    private static double LogSumExp(ReadOnlySpan<double> a, ReadOnlySpan<float> b, int stride)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < a.Length; k++) max = Math.Max(max, a[k] + b[k * stride]);
        if (double.IsInfinity(max)) return max;
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += Math.Exp(a[k] + b[k * stride] - max);
        return max + Math.Log(sum);
    }
}
