using Recur.Layers;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>Ops for <see cref="Layers.Dropout"/> and <see cref="Layers.LayerNorm"/>.</summary>
public static class RegularizationOps
{
    /// <summary>Inverted dropout in training mode; the identity (no node) in evaluation or when p = 0.</summary>
    public static Var Dropout(this Tape tape, Dropout dropout, Var x)
    {
        ArgumentNullException.ThrowIfNull(dropout);
        ArgumentNullException.ThrowIfNull(x);
        dropout.RecordOutputShape(x.Shape);
        if (!dropout.Training || dropout.P == 0) return x;
        var y = tape.Output(x.RequiresGrad, x.Shape);
        var mask = tape.Alloc(x.Shape);
        float keep = 1f / (1f - dropout.P);
        var m = mask.Span;
        for (int i = 0; i < m.Length; i++) m[i] = dropout.Rng.NextFloat() < dropout.P ? 0f : keep;
        TensorPrimitives.Multiply(x.Value.Span, m, y.Value.Span);
        if (x.RequiresGrad)
        {
            var n = tape.Record<MaskNode>();
            n.X = x; n.Y = y; n.Mask = mask;
        }
        return y;
    }

    /// <summary>
    /// Layer normalization of each row (last dimension). backward, with x̂ = (x - μ)·r, r = 1/sqrt(σ² + ε), g = dy ⊙ γ:
    /// dx = r · (g - mean(g) - x̂ · mean(g ⊙ x̂));  dγ += Σ_rows dy ⊙ x̂;  dβ += Σ_rows dy.
    /// </summary>
    public static Var LayerNorm(this Tape tape, LayerNorm norm, Var x)
    {
        ArgumentNullException.ThrowIfNull(norm);
        ArgumentNullException.ThrowIfNull(x);
        int f = norm.Features;
        if (x.Value.Rank == 0 || x.Value.Dim(-1) != f) throw new ShapeMismatchException(nameof(x), $"[..., {f}]", Shape.Format(x.Shape));
        int rows = x.Value.Length / f;
        bool grad = x.RequiresGrad || norm.Weight is not null; // without the affine part only x can want a gradient
        var y = tape.Output(grad, x.Shape);
        var xhat = tape.Alloc(x.Shape);
        var rstd = tape.Alloc(rows);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Value.Span.Slice(r * f, f);
            float mean = TensorPrimitives.Sum(xr) / f;
            double var = 0;
            foreach (float v in xr) var += (v - mean) * (double)(v - mean);
            float rs = 1f / MathF.Sqrt((float)(var / f) + norm.Eps);
            rstd[r] = rs;
            var xh = xhat.Span.Slice(r * f, f);
            for (int j = 0; j < f; j++) xh[j] = (xr[j] - mean) * rs;
            var yr = y.Value.Span.Slice(r * f, f);
            if (norm.Weight is null) xh.CopyTo(yr);
            else TensorPrimitives.FusedMultiplyAdd(xh, norm.Weight.Value.Span, norm.Bias!.Value.Span, yr);
        }
        norm.RecordOutputShape(x.Shape);
        if (!grad) return y;
        var n = tape.Record<LayerNormNode>();
        n.Norm = norm; n.X = x; n.Y = y; n.XHat = xhat; n.RStd = rstd;
        return y;
    }

    private sealed class MaskNode : Node
    {
        public Var X = null!, Y = null!;
        public Tensor Mask = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(X);
            TensorPrimitives.FusedMultiplyAdd(dy.Span, Mask.Span, g.Span, g.Span);
        }
    }

    private sealed class LayerNormNode : Node
    {
        public LayerNorm Norm = null!;
        public Var X = null!, Y = null!;
        public Tensor XHat = null!, RStd = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            int f = Norm.Features, rows = X.Value.Length / f;
            bool affine = Norm.Weight is not null;
            var dx = X.RequiresGrad ? tape.GradOf(X) : null;
            var g = tape.Alloc(f);
            for (int r = 0; r < rows; r++)
            {
                var dyr = dy.Span.Slice(r * f, f);
                var xh = XHat.Span.Slice(r * f, f);
                if (affine)
                {
                    var dGamma = Norm.Weight!.Grad.Span;
                    var dBeta = Norm.Bias!.Grad.Span;
                    TensorPrimitives.FusedMultiplyAdd(dyr, xh, dGamma, dGamma);
                    TensorPrimitives.Add(dBeta, dyr, dBeta);
                }
                if (dx is null) continue;
                if (affine) TensorPrimitives.Multiply(dyr, Norm.Weight!.Value.Span, g.Span); // g = dy ⊙ γ
                else dyr.CopyTo(g.Span);
                float meanG = TensorPrimitives.Sum(g.Span) / f;
                float meanGx = TensorPrimitives.Dot(g.Span, xh) / f;
                float rs = RStd[r];
                var d = dx.Span.Slice(r * f, f);
                for (int j = 0; j < f; j++) d[j] += rs * (g[j] - meanG - xh[j] * meanGx);
            }
        }
    }
}
