using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Ops;

/// <summary>How per-element (or per-step) losses are combined into the scalar that is minimised.</summary>
public enum LossReduction
{
    /// <summary>Mean over the valid (unmasked, not ignored) terms; with class weights, Σ w·l / Σ w (PyTorch's "mean").</summary>
    Mean,

    /// <summary>Sum over the valid terms.</summary>
    Sum,

    /// <summary>Sum over valid time steps, averaged over the batch (the lecture notes' L = Σ_t L_t, per sequence).</summary>
    SumOverTime,
}

/// <summary>Options of <see cref="LossOps.CrossEntropy"/> (PyTorch's CrossEntropyLoss arguments).</summary>
public sealed record CrossEntropyOptions
{
    /// <summary>PyTorch's defaults: ignore index -100, no weights, no smoothing, mean.</summary>
    public static CrossEntropyOptions Default { get; } = new();

    /// <summary>Targets equal to this are skipped (padding); PyTorch's default -100.</summary>
    public int IgnoreIndex { get; init; } = -100;

    /// <summary>Per-class weights [C], or null.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Label smoothing ε in [0, 1): the target becomes (1-ε)·onehot + ε/C.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>How the per-step losses are combined.</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Mean;
}

/// <summary>
/// Losses as ops producing a one-element Var. Each computes its gradient with respect to the prediction in the
/// forward pass (fused) and applies it, scaled by the incoming gradient, in backward.
/// </summary>
public static class LossOps
{
    /// <summary>
    /// Softmax cross-entropy fused with log-softmax: logits [..., C] (rows = all leading positions, e.g. [B, T, C] is
    /// B*T steps), integer targets (one per row). With weights w and smoothing ε (PyTorch's definition):
    /// <code>
    ///   l_n = (1-ε)·w_{y_n}·(-log p_{n,y_n}) + (ε/C)·Σ_c w_c·(-log p_{n,c})
    ///   Mean: Σ_n l_n / Σ_n w_{y_n};  Sum: Σ_n l_n;  SumOverTime: Σ_n l_n / B
    ///   ∂l_n/∂z_n = (1-ε)·w_{y_n}·(p_n - e_{y_n}) + (ε/C)·(Σ_c w_c · p_n - w)
    /// </code>
    /// Rows whose target is the ignore index, or whose <paramref name="mask"/> value (one per row, e.g. [B, T] for
    /// [B, T, C] logits) is 0, are left out (their target is not even checked: padding may hold anything); a mask
    /// value m weights its row: l_n and its weight in the Mean's denominator are multiplied by m. SumOverTime needs
    /// logits of at least 3 dimensions [B, T, C] to know B. When no row counts, the loss is 0 with a zero gradient
    /// (PyTorch's mean gives 0/0 = NaN), so a batch of pure padding does not stop training at the non-finite guard.
    /// </summary>
    public static Var CrossEntropy(this Tape tape, Var logits, ReadOnlySpan<int> targets, CrossEntropyOptions? options = null, ReadOnlySpan<float> mask = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var o = options ?? CrossEntropyOptions.Default;
        int c = logits.Value.Dim(-1), n = logits.Value.Length / c;
        if (targets.Length != n) throw new ShapeMismatchException(nameof(targets), $"[{n}] (one per row of logits {Shape.Format(logits.Shape)})", $"[{targets.Length}]");
        if (o.ClassWeights is { } cw && cw.Length != c) throw new ShapeMismatchException("ClassWeights", $"[{c}]", $"[{cw.Length}]");
        if (!(o.LabelSmoothing >= 0 && o.LabelSmoothing < 1)) throw new ArgumentOutOfRangeException(nameof(options), $"LabelSmoothing must be in [0, 1), got {o.LabelSmoothing}");
        if (!mask.IsEmpty && mask.Length != n) throw new ShapeMismatchException(nameof(mask), $"[{n}] (one per row of logits {Shape.Format(logits.Shape)})", $"[{mask.Length}]");
        CheckMaskValues(mask, nameof(mask));
        if (o.Reduction == LossReduction.SumOverTime && logits.Value.Rank < 3)
            throw new ShapeMismatchException(nameof(logits), "[B, T, C] for Reduction = SumOverTime (the batch size B divides the sum)", Shape.Format(logits.Shape));

        var grad = logits.RequiresGrad ? tape.Alloc(logits.Shape) : null;
        float eps = o.LabelSmoothing;
        var w = o.ClassWeights;
        double wSum = 0;
        if (w is not null) foreach (float v in w) wSum += v;
        else wSum = c;
        double total = 0, norm = 0;
        var z = logits.Value.Span;
        for (int i = 0; i < n; i++)
        {
            int y = targets[i];
            var g = grad is null ? Span<float>.Empty : grad.Span.Slice(i * c, c);
            float m = mask.IsEmpty ? 1f : mask[i];
            if (y == o.IgnoreIndex || m == 0) { g.Clear(); continue; }
            if ((uint)y >= (uint)c) throw new ArgumentOutOfRangeException(nameof(targets), $"targets[{i}] = {y} is outside [0, {c}) and is not the ignore index {o.IgnoreIndex}");
            var row = z.Slice(i * c, c);
            // log p_j = z_j − lse; g holds e^(z − max) = p · sum until it is turned into the gradient.
            var (max, sum) = Softmax.RowExp(row, g);
            double lse = max + Math.Log(sum);
            double wy = (w?[y] ?? 1.0) * m;
            double l = -(1 - eps) * wy * (row[y] - lse);
            if (eps > 0)
            {
                double smooth = 0;
                for (int j = 0; j < c; j++) smooth += (w?[j] ?? 1.0) * (lse - row[j]);
                l += m * eps / c * smooth;
            }
            total += l;
            norm += wy;
            if (g.IsEmpty) continue;
            // g_j = p_j·((1-ε)·w_y + (ε/C)·Σ_c w_c) − (ε/C)·w_j − (1-ε)·w_y·[j = y]
            Elementwise.Scale((float)(((1 - eps) * wy + m * eps / c * wSum) / sum), g);
            if (eps > 0)
                for (int j = 0; j < c; j++) g[j] -= (float)(m * eps / c * (w?[j] ?? 1.0));
            g[y] -= (float)((1 - eps) * wy);
        }
        double denom = Denominator(o.Reduction, norm, logits);
        return Finish(tape, logits, grad, denom == 0 ? 0 : total / denom, denom);
    }

    /// <summary>
    /// Binary cross-entropy on logits (PyTorch's BCEWithLogitsLoss), stable for large |z|:
    /// l = max(z, 0) - z·y + log(1 + e^{-|z|}) (with pos_weight p: the log-sigmoid term of positives is scaled by p);
    /// ∂l/∂z = σ(z) - y (general: (p·y + 1 - y)·σ(z) - p·y). <paramref name="mask"/> (per element, or per row of the
    /// last dimension) weights the terms; 0 excludes padding. <paramref name="classPosWeights"/> [C] is PyTorch's pos_weight
    /// tensor: one p per class (column of the last dimension), for multi-label targets, or [1] broadcast to all; it
    /// replaces the scalar <paramref name="posWeight"/>.
    /// </summary>
    public static Var BinaryCrossEntropyWithLogits(this Tape tape, Var logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> mask = default,
        float posWeight = 1f, LossReduction reduction = LossReduction.Mean, ReadOnlySpan<float> classPosWeights = default)
    {
        ArgumentNullException.ThrowIfNull(logits);
        int n = logits.Value.Length, classes = logits.Value.Rank == 0 ? 1 : logits.Value.Dim(-1);
        if (!classPosWeights.IsEmpty)
        {
            if (classPosWeights.Length != classes && classPosWeights.Length != 1)
                throw new ShapeMismatchException(nameof(classPosWeights), $"[{classes}] (one per column of logits {Shape.Format(logits.Shape)}) or [1]", $"[{classPosWeights.Length}]");
            if (posWeight != 1f) throw new ArgumentException($"give either posWeight ({posWeight}) or classPosWeights, not both", nameof(classPosWeights));
        }
        if (targets.Length != n) throw new ShapeMismatchException(nameof(targets), Shape.Format(logits.Shape) + $" ({n} values)", $"{targets.Length} values");
        int per = MaskStride(mask, logits, nameof(mask));
        var grad = logits.RequiresGrad ? tape.Alloc(logits.Shape) : null;
        double total = 0, count = 0;
        var z = logits.Value.Span;
        for (int i = 0; i < n; i++)
        {
            float m = mask.IsEmpty ? 1f : mask[i / per];
            double x = z[i], y = targets[i], pw = classPosWeights.IsEmpty ? posWeight : classPosWeights[i % classPosWeights.Length];
            double logSigNeg = Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))); // -log σ(x)
            double l = (1 - y) * x + (1 + (pw - 1) * y) * logSigNeg;
            total += m * l;
            count += m;
            if (grad is not null)
            {
                double s = 1 / (1 + Math.Exp(-x));
                grad[i] = (float)(m * ((pw * y + 1 - y) * s - pw * y));
            }
        }
        double denom = Denominator(reduction, count, logits);
        return Finish(tape, logits, grad, denom == 0 ? 0 : total / denom, denom);
    }

    /// <summary>Mean squared error: l = (ŷ - y)², ∂l/∂ŷ = 2(ŷ - y); <paramref name="mask"/> as in <see cref="BinaryCrossEntropyWithLogits"/>.</summary>
    public static Var MseLoss(this Tape tape, Var prediction, ReadOnlySpan<float> target, ReadOnlySpan<float> mask = default, LossReduction reduction = LossReduction.Mean) =>
        Regression(tape, prediction, target, mask, reduction, 0, RegressionKind.Mse);

    /// <summary>Mean absolute error: l = |ŷ - y|, ∂l/∂ŷ = sign(ŷ - y) (0 at 0, as PyTorch).</summary>
    public static Var MaeLoss(this Tape tape, Var prediction, ReadOnlySpan<float> target, ReadOnlySpan<float> mask = default, LossReduction reduction = LossReduction.Mean) =>
        Regression(tape, prediction, target, mask, reduction, 0, RegressionKind.Mae);

    /// <summary>Huber: l = ½d² for |d| &lt; δ, else δ(|d| - ½δ) with d = ŷ - y (PyTorch's HuberLoss).</summary>
    public static Var HuberLoss(this Tape tape, Var prediction, ReadOnlySpan<float> target, float delta = 1f, ReadOnlySpan<float> mask = default, LossReduction reduction = LossReduction.Mean)
    {
        if (!(delta > 0)) throw new ArgumentOutOfRangeException(nameof(delta), $"must be positive, got {delta}");
        return Regression(tape, prediction, target, mask, reduction, delta, RegressionKind.Huber);
    }

    private enum RegressionKind { Mse, Mae, Huber }

    private static Var Regression(Tape tape, Var prediction, ReadOnlySpan<float> target, ReadOnlySpan<float> mask, LossReduction reduction, float delta, RegressionKind kind)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        int n = prediction.Value.Length;
        if (target.Length != n) throw new ShapeMismatchException(nameof(target), Shape.Format(prediction.Shape) + $" ({n} values)", $"{target.Length} values");
        int per = MaskStride(mask, prediction, nameof(mask));
        var grad = prediction.RequiresGrad ? tape.Alloc(prediction.Shape) : null;
        double total = 0, count = 0;
        var p = prediction.Value.Span;
        for (int i = 0; i < n; i++)
        {
            float m = mask.IsEmpty ? 1f : mask[i / per];
            double d = (double)p[i] - target[i], l, g;
            switch (kind)
            {
                case RegressionKind.Mse: l = d * d; g = 2 * d; break;
                case RegressionKind.Mae: l = Math.Abs(d); g = Math.Sign(d); break;
                default:
                    if (Math.Abs(d) < delta) { l = 0.5 * d * d; g = d; }
                    else { l = delta * (Math.Abs(d) - 0.5 * delta); g = delta * Math.Sign(d); }
                    break;
            }
            total += m * l;
            count += m;
            if (grad is not null) grad[i] = (float)(m * g);
        }
        double denom = Denominator(reduction, count, prediction);
        return Finish(tape, prediction, grad, denom == 0 ? 0 : total / denom, denom);
    }

    private static int MaskStride(ReadOnlySpan<float> mask, Var x, string name)
    {
        if (mask.IsEmpty) return 1;
        CheckMaskValues(mask, name);
        int n = x.Value.Length, last = x.Value.Rank == 0 ? 1 : x.Value.Dim(-1);
        if (mask.Length == n) return 1;
        if (mask.Length * last == n) return last;
        throw new ShapeMismatchException(name, $"{n} values (one per element) or {n / Math.Max(1, last)} (one per row of {Shape.Format(x.Shape)})", $"{mask.Length} values");
    }

    // SumOverTime divides by B, the first dimension of a batch-first [B, T, ...] prediction; without a time axis
    // there is no B to find (a flat [B*T] would be divided by B*T, silently a per-step mean).
    // A mask value weights a term (0 drops it): a negative or non-finite one has no meaning.
    private static void CheckMaskValues(ReadOnlySpan<float> mask, string name)
    {
        for (int i = 0; i < mask.Length; i++)
            if (!(mask[i] >= 0 && float.IsFinite(mask[i])))
                throw new ArgumentOutOfRangeException(name, $"mask values must be finite and >= 0, got {name}[{i}] = {mask[i]}");
    }

    private static double Denominator(LossReduction reduction, double count, Var x) => reduction switch
    {
        LossReduction.Sum => 1,
        LossReduction.SumOverTime => x.Value.Rank >= 2 ? x.Value.Dim(0)
            : throw new ShapeMismatchException(nameof(x), "[B, T, ...] for Reduction = SumOverTime (the batch size B divides the sum)", Shape.Format(x.Shape)),
        _ => count,
    };

    private static Var Finish(Tape tape, Var x, Tensor? grad, double loss, double denom)
    {
        var y = tape.Output(grad is not null, 1);
        y.Value[0] = (float)loss;
        if (grad is not null)
        {
            var node = tape.Record<LossNode>();
            node.X = x; node.Y = y; node.LocalGrad = grad; node.Scale = denom == 0 ? 0f : (float)(1 / denom);
        }
        return y;
    }

    // dx += dL/dloss · scale · localGrad
    private sealed class LossNode : Node
    {
        public Var X = null!, Y = null!;
        public Tensor LocalGrad = null!;
        public float Scale;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(X);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(LocalGrad.Span, dy[0] * Scale, g.Span, g.Span);
        }
    }
}
