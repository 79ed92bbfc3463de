using Recur.Layers;
using Recur.Tensors;

namespace Recur.Ops;

/// <summary>
/// The training loss of a <see cref="LinearChainCrf"/> output layer: the negative log-likelihood of the gold tag
/// sequences given the per-step tag scores (emissions) of e.g. a BiLSTM, with the gradient from the forward-backward
/// marginals. The equations are on <see cref="LinearChainCrf"/>.
/// </summary>
public static class CrfOps
{
    /// <summary>
    /// nll_b = log Z_b − score_b(y_b) for emissions [B, T, C] and gold tags [B*T] (row b at b*T), over the first
    /// lengths[b] steps of each row (lengths [B] in [1, T]; null: all T). Tags at padded steps t ≥ lengths[b] are not
    /// read (they may hold anything, e.g. -100); a tag outside [0, C) at a valid step is an error naming its row and step.
    /// <code>
    ///   Mean:        Σ_b nll_b / Σ_b lengths[b]   (per tag, comparable with a softmax head's cross-entropy; pytorch-crf's 'token_mean')
    ///   Sum:         Σ_b nll_b                    (pytorch-crf's 'sum', its default)
    ///   SumOverTime: Σ_b nll_b / B                (per sequence; pytorch-crf's 'mean')
    ///   ∂nll_b/∂e[b, t, j] = p(y_t = j | e_b) − [y_t = j]   (0 at padded steps)
    /// </code>
    /// (pytorch-crf returns the log-likelihood: negate it to compare) and likewise expected minus gold counts for start,
    /// end and transitions (<see cref="LinearChainCrf"/>). The
    /// gradient goes to <paramref name="emissions"/> when it requires one and always accumulates into the CRF's
    /// parameters' <see cref="Parameter.Grad"/> (as <c>tape.Linear</c> does), so a node is always recorded; the
    /// marginals are only computed if <see cref="Tape.Backward"/> reaches it. log Z is computed in log space, in
    /// double (stable for any scale of scores, including the −10000 transitions used to forbid tag pairs).
    /// </summary>
    public static Var CrfNegativeLogLikelihood(this Tape tape, LinearChainCrf crf, Var emissions, ReadOnlySpan<int> tags, int[]? lengths = null, LossReduction reduction = LossReduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(crf);
        ArgumentNullException.ThrowIfNull(emissions);
        var (b, t) = crf.CheckEmissions(emissions.Value, lengths);
        int c = crf.NumTags;
        if (tags.Length != b * t) throw new ShapeMismatchException(nameof(tags), $"[{b * t}] (B*T, one per step of emissions {Shape.Format(emissions.Shape)})", $"[{tags.Length}]");
        long steps = 0;
        for (int i = 0; i < b; i++)
        {
            int len = lengths?[i] ?? t;
            steps += len;
            for (int s = 0; s < len; s++)
                if ((uint)tags[i * t + s] >= (uint)c)
                    throw new ArgumentOutOfRangeException(nameof(tags), $"tags[{i * t + s}] (row {i}, step {s}) = {tags[i * t + s]} is outside [0, {c})");
        }
        double denom = reduction switch
        {
            LossReduction.Mean => steps,
            LossReduction.Sum => 1,
            LossReduction.SumOverTime => b,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), $"unknown reduction {reduction}"),
        };

        var node = tape.Record<CrfNode>();
        node.Reserve(b, t, c);
        tags.CopyTo(node.Tags);
        double total = 0;
        var e = emissions.Value.Span;
        for (int i = 0; i < b; i++)
        {
            int len = node.Lengths[i] = lengths?[i] ?? t;
            var row = e.Slice(i * t * c, len * c);
            double logZ = node.LogZ[i] = crf.LogPartition(row, len, node.Alpha.AsSpan(i * t * c, len * c));
            total += logZ - crf.Score(row, node.Tags.AsSpan(i * t, len), len);
        }
        // An empty batch has nothing to average: loss 0 with a zero gradient, as LossOps does.
        var loss = tape.Output(true, 1);
        loss.Value[0] = denom == 0 ? 0f : (float)(total / denom);
        node.Crf = crf; node.Emissions = emissions; node.Loss = loss; node.Scale = denom == 0 ? 0 : 1 / denom;
        crf.RecordOutputShape(b, t); // the tag sequence it scores, as Decode records (one shape: no allocation when both run per step)
        return loss;
    }

    // Keeps the forward algorithm's alpha [B, T, C] and log Z [B]; backward runs the backward recursion and adds
    // dL/dloss · Scale · (expected − gold counts) into the emissions' gradient and the CRF's parameters.
    private sealed class CrfNode : Node
    {
        public LinearChainCrf Crf = null!;
        public Var Emissions = null!, Loss = null!;
        public double Scale;
        public int[] Tags = [], Lengths = [];
        public double[] Alpha = [], LogZ = [], Gamma = [], DParameters = [];

        // Buffers grow to the largest batch seen; the node is reused across steps, so a fixed shape allocates once.
        public void Reserve(int b, int t, int c)
        {
            if (Tags.Length < b * t) Tags = new int[b * t];
            if (Lengths.Length < b) { Lengths = new int[b]; LogZ = new double[b]; }
            if (Alpha.Length < b * t * c) Alpha = new double[b * t * c];
            if (Gamma.Length < t * c) Gamma = new double[t * c];
            if (DParameters.Length < c * c + 2 * c) DParameters = new double[c * c + 2 * c];
        }

        internal override void Backward(Tape tape)
        {
            if (Loss.Grad is not { } dy) return;
            int b = Emissions.Value.Dim(0), t = Emissions.Value.Dim(1), c = Crf.NumTags;
            double w = dy[0] * Scale;
            var e = Emissions.Value.Span;
            var de = Emissions.RequiresGrad ? tape.GradOf(Emissions).Span : default;
            var dp = DParameters.AsSpan(0, c * c + 2 * c);
            dp.Clear();
            for (int i = 0; i < b; i++)
            {
                int len = Lengths[i], at = i * t * c;
                Crf.AddNllGradient(e.Slice(at, len * c), Tags.AsSpan(i * t, len), len, Alpha.AsSpan(at, len * c), LogZ[i],
                    Gamma, dp, de.IsEmpty ? default : de.Slice(at, len * c), w);
            }
            Crf.AddParameterGradients(dp, w);
        }
    }
}
