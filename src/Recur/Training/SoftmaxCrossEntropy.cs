using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// Softmax cross-entropy fused with log-softmax, over rows of logits [N, C] with integer targets [N]:
/// <code>
///   L = (1 / N_valid) Σ_n -log softmax(z_n)[y_n]        (rows whose target is IgnoreIndex are skipped)
///   ∂L/∂z_n = (softmax(z_n) - onehot(y_n)) / N_valid
/// </code>
/// Per-step losses of a [B, T, C] sequence are rows of [B*T, C]; padded steps carry IgnoreIndex.
/// </summary>
public sealed class SoftmaxCrossEntropy
{
    /// <summary>Target value that marks a row to skip (PyTorch's default -100).</summary>
    public int IgnoreIndex { get; init; } = -100;

    /// <summary>
    /// Mean loss over valid rows (in double); writes ∂L/∂logits into <paramref name="gradLogits"/> when given
    /// (same shape as logits). Returns 0 with a zero gradient when every row is ignored.
    /// </summary>
    public double Forward(Tensor logits, ReadOnlySpan<int> targets, Tensor? gradLogits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        int c = logits.Dim(-1), n = logits.Length / c;
        if (targets.Length != n) throw new ShapeMismatchException(nameof(targets), $"[{n}] (one per logits row)", $"[{targets.Length}]");
        if (gradLogits is not null && gradLogits.Length != logits.Length)
            throw new ShapeMismatchException(nameof(gradLogits), Shape.Format(logits.Shape), Shape.Format(gradLogits.Shape));
        int valid = 0;
        foreach (int t in targets)
        {
            if (t == IgnoreIndex) continue;
            if ((uint)t >= (uint)c) throw new ArgumentOutOfRangeException(nameof(targets), $"target {t} is outside [0, {c}) and is not the ignore index {IgnoreIndex}");
            valid++;
        }
        double total = 0;
        float inv = valid == 0 ? 0f : 1f / valid;
        var z = logits.Span;
        for (int i = 0; i < n; i++)
        {
            var row = z.Slice(i * c, c);
            var g = gradLogits is null ? Span<float>.Empty : gradLogits.Span.Slice(i * c, c);
            if (targets[i] == IgnoreIndex) { g.Clear(); continue; }
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(row[j] - max);
            double logSum = Math.Log(sum) + max;
            total += logSum - row[targets[i]];
            if (gradLogits is null) continue;
            for (int j = 0; j < c; j++) g[j] = (float)Math.Exp(row[j] - logSum) * inv;
            g[targets[i]] -= inv;
        }
        return valid == 0 ? 0 : total / valid;
    }
}
