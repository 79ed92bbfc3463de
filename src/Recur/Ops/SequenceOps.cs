using Recur.Kernels;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>How the two directions of a bidirectional output [B, T, 2S] are combined.</summary>
public enum DirectionMerge
{
    /// <summary>[forward | reverse], 2S features (PyTorch's layout; no op).</summary>
    Concat,

    /// <summary>forward + reverse, S features.</summary>
    Sum,

    /// <summary>(forward + reverse) / 2, S features.</summary>
    Mean,
}

/// <summary>
/// Ops over the time axis of batch-first sequences [B, T, F]: the reductions many-to-one models need (last valid step,
/// mean and max over valid steps, attention pooling), merging directions, and taking or stacking single steps
/// (decoder loops). Lengths [B] (null = all T steps valid) restrict every reduction to t &lt; length.
/// </summary>
public static class SequenceOps
{
    /// <summary>The last valid step of each row: y[b] = x[b, len_b - 1], [B, T, F] -> [B, F].</summary>
    public static Var LastStep(this Tape tape, Var x, int[]? lengths = null) => Reduce(tape, x, lengths, ReduceKind.Last);

    /// <summary>Mean over the valid steps: y[b] = Σ_{t&lt;len_b} x[b, t] / len_b, [B, T, F] -> [B, F].</summary>
    public static Var MeanOverTime(this Tape tape, Var x, int[]? lengths = null) => Reduce(tape, x, lengths, ReduceKind.Mean);

    /// <summary>Max over the valid steps, per feature (gradient to the arg max), [B, T, F] -> [B, F].</summary>
    public static Var MaxOverTime(this Tape tape, Var x, int[]? lengths = null) => Reduce(tape, x, lengths, ReduceKind.Max);

    /// <summary>
    /// Attention pooling (Yang et al. 2016's word attention): a weighted mean of the valid steps, with weights from
    /// learned per-step scores (typically u · tanh(W h_t + b), a small head over the encoder outputs):
    /// <code>
    ///   a[b, :]   = softmax over t &lt; len_b of scores[b, :]   (a = 0 exactly at padded steps)
    ///   pooled[b] = Σ_t a[b, t] · values[b, t]              scores [B, T] or [B, T, 1], values [B, T, F] -> [B, F]
    /// </code>
    /// backward: dvalues[b, t] = a[b, t] · dpooled[b];  da[t] = dpooled[b] · values[b, t];
    /// dscores = a ⊙ (da − Σ_t a ⊙ da) (the softmax Jacobian); padded steps get exactly 0. Returns the pooled summary
    /// and the weights [B, T] (which carry no gradient; e.g. to show which steps the model attended to).
    /// </summary>
    public static (Var Pooled, Var Weights) AttentionPooling(this Tape tape, Var scores, Var values, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        Check3(values, nameof(values));
        int b = values.Value.Dim(0), t = values.Value.Dim(1), f = values.Value.Dim(2);
        var ss = scores.Shape;
        if (!(ss.Length == 2 || (ss.Length == 3 && ss[2] == 1)) || ss[0] != b || ss[1] != t)
            throw new ShapeMismatchException(nameof(scores), $"[{b}, {t}] or [{b}, {t}, 1] (one score per step of values {Shape.Format(values.Shape)})", Shape.Format(ss));
        CheckLengths(lengths, b, t);
        bool grad = scores.RequiresGrad || values.RequiresGrad;
        var pooled = tape.Output(grad, b, f);
        var weights = tape.Output(false, b, t);
        for (int i = 0; i < b; i++)
        {
            int len = Length(lengths, i, t);
            var a = weights.Value.Span.Slice(i * t, t);
            Softmax.Forward(scores.Value.Span.Slice(i * t, len), a[..len], 1, len);
            a[len..].Clear();
            var v = values.Value.Span.Slice(i * t * f, t * f);
            var p = pooled.Value.Span.Slice(i * f, f);
            p.Clear();
            for (int s = 0; s < len; s++) TensorPrimitives.MultiplyAdd(v.Slice(s * f, f), a[s], p, p);
        }
        if (grad)
        {
            var n = tape.Record<AttentionPoolingNode>();
            n.Scores = scores; n.Values = values; n.Weights = weights; n.Pooled = pooled; n.Lengths = lengths;
        }
        return (pooled, weights);
    }

    /// <summary>
    /// The final states of the last layer, directions side by side: h_n [L*D, B, S] -> [B, D*S] (forward final state,
    /// then the reverse direction's, which has read the whole sequence back to step 0). The usual many-to-one summary
    /// of a bidirectional encoder, and with lengths it is each sequence's state at its own last valid step.
    /// </summary>
    public static Var FinalStates(this Tape tape, Var hn, int directions)
    {
        ArgumentNullException.ThrowIfNull(hn);
        if (hn.Value.Rank != 3 || directions is < 1 or > 2 || hn.Value.Dim(0) % directions != 0)
            throw new ShapeMismatchException(nameof(hn), $"[L*{directions}, B, S]", Shape.Format(hn.Shape));
        int ld = hn.Value.Dim(0), b = hn.Value.Dim(1), s = hn.Value.Dim(2), first = ld - directions;
        var y = tape.Output(hn.RequiresGrad, b, directions * s);
        for (int d = 0; d < directions; d++)
            for (int i = 0; i < b; i++)
                hn.Value.Span.Slice(((first + d) * b + i) * s, s).CopyTo(y.Value.Span.Slice(i * directions * s + d * s, s));
        if (hn.RequiresGrad)
        {
            var n = tape.Record<FinalStatesNode>();
            n.Hn = hn; n.Y = y; n.Directions = directions;
        }
        return y;
    }

    /// <summary>Step <paramref name="t"/> of a sequence: [B, T, F] -> [B, F].</summary>
    public static Var TimeStep(this Tape tape, Var x, int t)
    {
        Check3(x, nameof(x));
        int b = x.Value.Dim(0), steps = x.Value.Dim(1), f = x.Value.Dim(2);
        if ((uint)t >= (uint)steps) throw new ArgumentOutOfRangeException(nameof(t), $"step {t} is outside [0, {steps})");
        var y = tape.Output(x.RequiresGrad, b, f);
        var src = x.Value.TimeStep(t);
        for (int i = 0; i < b; i++) src.Row(i).CopyTo(y.Value.Span.Slice(i * f, f));
        if (x.RequiresGrad)
        {
            var n = tape.Record<StepNode>();
            n.X = x; n.Y = y; n.T = t;
        }
        return y;
    }

    /// <summary>Stacks steps [B, F] (all the same shape) into a sequence [B, T, F].</summary>
    public static Var Stack(this Tape tape, IReadOnlyList<Var> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) throw new ArgumentException("needs at least one step", nameof(steps));
        int b = steps[0].Value.Dim(0), f = steps[0].Value.Dim(-1), t = steps.Count;
        bool grad = false;
        for (int s = 0; s < t; s++)
        {
            steps[s].Value.CheckShape($"steps[{s}]", b, f);
            grad |= steps[s].RequiresGrad;
        }
        var y = tape.Output(grad, b, t, f);
        for (int s = 0; s < t; s++)
        {
            var dst = y.Value.TimeStep(s);
            for (int i = 0; i < b; i++) steps[s].Value.Span.Slice(i * f, f).CopyTo(dst.Row(i));
        }
        if (grad)
        {
            var n = tape.Record<StackNode>();
            n.Steps.Clear();
            n.Steps.AddRange(steps);
            n.Y = y;
        }
        return y;
    }

    /// <summary>
    /// Applies <paramref name="layer"/> to every time step independently (Keras's <c>TimeDistributed</c>): x [B, T, ...]
    /// is seen as B*T rows [B*T, ...], the layer maps them to [B*T, ...out] with the same weights for every step, and
    /// the result is [B, T, ...out]. The layer is any function of the tape, so a whole per-step head
    /// (<c>(t, v) => t.Linear(out, t.Tanh(t.Linear(hidden, v)))</c>) or an op that only takes 2-D input works; gradients
    /// flow through it as through any other op. Linear, LayerNorm and Dropout already apply to the last dimension of
    /// any shape and need no wrapping.
    /// </summary>
    public static Var TimeDistributed(this Tape tape, Var x, Func<Tape, Var, Var> layer)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(layer);
        if (x.Value.Rank < 3) throw new ShapeMismatchException(nameof(x), "[B, T, ...] (at least 3 dimensions)", Shape.Format(x.Shape));
        int b = x.Value.Dim(0), t = x.Value.Dim(1);
        int[] rowShape = [b * t, .. x.Shape[2..]];
        var y = layer(tape, tape.Reshape(x, rowShape)) ?? throw new InvalidOperationException("the time-distributed layer returned null");
        if (y.Value.Rank < 1 || y.Value.Dim(0) != b * t)
            throw new ShapeMismatchException(nameof(layer), $"a result with {b * t} rows (B*T, one per step) first", Shape.Format(y.Shape));
        int[] outShape = [b, t, .. y.Shape[1..]];
        return tape.Reshape(y, outShape);
    }

    /// <summary>Combines the directions of a bidirectional output [B, T, 2S] (see <see cref="DirectionMerge"/>).</summary>
    public static Var MergeDirections(this Tape tape, Var x, DirectionMerge mode)
    {
        Check3(x, nameof(x));
        if (mode == DirectionMerge.Concat) return x;
        int f = x.Value.Dim(2);
        if (f % 2 != 0) throw new ShapeMismatchException(nameof(x), "[B, T, 2S] (an even feature count)", Shape.Format(x.Shape));
        int b = x.Value.Dim(0), t = x.Value.Dim(1), s = f / 2, rows = b * t;
        float scale = mode == DirectionMerge.Mean ? 0.5f : 1f;
        var y = tape.Output(x.RequiresGrad, b, t, s);
        for (int r = 0; r < rows; r++)
        {
            var src = x.Value.Span.Slice(r * f, f);
            var dst = y.Value.Span.Slice(r * s, s);
            TensorPrimitives.Add(src[..s], src[s..], dst);
            if (scale != 1f) TensorPrimitives.Multiply(dst, scale, dst);
        }
        if (x.RequiresGrad)
        {
            var n = tape.Record<MergeNode>();
            n.X = x; n.Y = y; n.Scale = scale;
        }
        return y;
    }

    private enum ReduceKind { Last, Mean, Max }

    private static void Check3(Var x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.Value.Rank != 3) throw new ShapeMismatchException(name, "[B, T, F]", Shape.Format(x.Shape));
    }

    private static int Length(int[]? lengths, int b, int t) => lengths is null ? t : lengths[b];

    private static void CheckLengths(int[]? lengths, int b, int t)
    {
        if (lengths is null) return;
        if (lengths.Length != b) throw new ShapeMismatchException(nameof(lengths), $"[{b}]", $"[{lengths.Length}]");
        for (int i = 0; i < b; i++)
            if (lengths[i] < 1 || lengths[i] > t) throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{i}] = {lengths[i]} is outside [1, T={t}]");
    }

    private static Var Reduce(Tape tape, Var x, int[]? lengths, ReduceKind kind)
    {
        Check3(x, nameof(x));
        int b = x.Value.Dim(0), t = x.Value.Dim(1), f = x.Value.Dim(2);
        CheckLengths(lengths, b, t);
        var y = tape.Output(x.RequiresGrad, b, f);
        var arg = kind == ReduceKind.Max && x.RequiresGrad ? tape.Alloc(b, f) : null; // arg max step, as float
        for (int i = 0; i < b; i++)
        {
            int len = Length(lengths, i, t);
            var dst = y.Value.Span.Slice(i * f, f);
            var row = x.Value.Span.Slice(i * t * f, t * f); // [T, F]
            switch (kind)
            {
                case ReduceKind.Last:
                    row.Slice((len - 1) * f, f).CopyTo(dst);
                    break;
                case ReduceKind.Mean:
                    dst.Clear();
                    for (int s = 0; s < len; s++) TensorPrimitives.Add(dst, row.Slice(s * f, f), dst);
                    TensorPrimitives.Multiply(dst, 1f / len, dst);
                    break;
                default:
                    row[..f].CopyTo(dst);
                    var a = arg is null ? Span<float>.Empty : arg.Span.Slice(i * f, f);
                    a.Clear();
                    for (int s = 1; s < len; s++)
                        for (int j = 0; j < f; j++)
                            if (row[s * f + j] > dst[j]) { dst[j] = row[s * f + j]; if (!a.IsEmpty) a[j] = s; }
                    break;
            }
        }
        if (x.RequiresGrad)
        {
            var n = tape.Record<ReduceNode>();
            n.X = x; n.Y = y; n.Lengths = lengths; n.Kind = kind; n.Arg = arg;
        }
        return y;
    }

    private sealed class ReduceNode : Node
    {
        public Var X = null!, Y = null!;
        public int[]? Lengths;
        public ReduceKind Kind;
        public Tensor? Arg;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var dx = tape.GradOf(X);
            int b = X.Value.Dim(0), t = X.Value.Dim(1), f = X.Value.Dim(2);
            for (int i = 0; i < b; i++)
            {
                int len = Length(Lengths, i, t);
                var g = dy.Span.Slice(i * f, f);
                var row = dx.Span.Slice(i * t * f, t * f);
                switch (Kind)
                {
                    case ReduceKind.Last:
                        var last = row.Slice((len - 1) * f, f);
                        TensorPrimitives.Add(last, g, last);
                        break;
                    case ReduceKind.Mean:
                        for (int s = 0; s < len; s++) { var d = row.Slice(s * f, f); TensorPrimitives.MultiplyAdd(g, 1f / len, d, d); }
                        break;
                    default:
                        var a = Arg!.Span.Slice(i * f, f);
                        for (int j = 0; j < f; j++) row[(int)a[j] * f + j] += g[j];
                        break;
                }
            }
        }
    }

    private sealed class AttentionPoolingNode : Node
    {
        public Var Scores = null!, Values = null!, Weights = null!, Pooled = null!;
        public int[]? Lengths;

        internal override void Backward(Tape tape)
        {
            if (Pooled.Grad is not { } dp) return;
            int b = Values.Value.Dim(0), t = Values.Value.Dim(1), f = Values.Value.Dim(2);
            var ds = Scores.RequiresGrad ? tape.GradOf(Scores) : null;
            var dv = Values.RequiresGrad ? tape.GradOf(Values) : null;
            var da = tape.Alloc(t);
            for (int i = 0; i < b; i++)
            {
                int len = Length(Lengths, i, t);
                var a = Weights.Value.Span.Slice(i * t, len);
                var g = dp.Span.Slice(i * f, f);
                if (dv is not null)
                    for (int s = 0; s < len; s++)
                    {
                        var d = dv.Span.Slice((i * t + s) * f, f);
                        TensorPrimitives.MultiplyAdd(g, a[s], d, d);
                    }
                if (ds is null) continue;
                var v = Values.Value.Span.Slice(i * t * f, len * f);
                var dai = da.Span[..len];
                for (int s = 0; s < len; s++) dai[s] = TensorPrimitives.Dot(g, v.Slice(s * f, f));
                Softmax.Backward(a, dai, dai, 1, len);
                var dsi = ds.Span.Slice(i * t, len);
                TensorPrimitives.Add(dsi, dai, dsi);
            }
        }
    }

    private sealed class FinalStatesNode : Node
    {
        public Var Hn = null!, Y = null!;
        public int Directions;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(Hn);
            int ld = Hn.Value.Dim(0), b = Hn.Value.Dim(1), s = Hn.Value.Dim(2), first = ld - Directions;
            for (int d = 0; d < Directions; d++)
                for (int i = 0; i < b; i++)
                {
                    var dst = g.Span.Slice(((first + d) * b + i) * s, s);
                    TensorPrimitives.Add(dst, dy.Span.Slice(i * Directions * s + d * s, s), dst);
                }
        }
    }

    private sealed class StepNode : Node
    {
        public Var X = null!, Y = null!;
        public int T;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var dst = tape.GradOf(X).TimeStep(T);
            int f = dst.Cols;
            for (int i = 0; i < dst.Rows; i++) { var d = dst.Row(i); TensorPrimitives.Add(d, dy.Span.Slice(i * f, f), d); }
        }
    }

    private sealed class StackNode : Node
    {
        public readonly List<Var> Steps = [];
        public Var Y = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            for (int s = 0; s < Steps.Count; s++)
            {
                if (!Steps[s].RequiresGrad) continue;
                var g = tape.GradOf(Steps[s]);
                var src = dy.TimeStep(s);
                int f = src.Cols;
                for (int i = 0; i < src.Rows; i++) { var d = g.Span.Slice(i * f, f); TensorPrimitives.Add(d, src.Row(i), d); }
            }
        }
    }

    private sealed class MergeNode : Node
    {
        public Var X = null!, Y = null!;
        public float Scale;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var dx = tape.GradOf(X);
            int s = Y.Value.Dim(2), rows = Y.Value.Length / s;
            for (int r = 0; r < rows; r++)
            {
                var g = dy.Span.Slice(r * s, s);
                var d = dx.Span.Slice(r * 2 * s, 2 * s);
                TensorPrimitives.MultiplyAdd(g, Scale, d[..s], d[..s]);
                TensorPrimitives.MultiplyAdd(g, Scale, d[s..], d[s..]);
            }
        }
    }
}
