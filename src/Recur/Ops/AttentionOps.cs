using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>
/// Dot-product attention of a decoder state over encoder outputs (Luong et al. 2015, "dot"), masked to each
/// sequence's valid steps:
/// <code>
///   s[b, t] = scale · q[b] · k[b, t]            q [B, H], k [B, T, H]   (scale = 1, or 1/sqrt(H) when scaled)
///   a[b, :] = softmax over t &lt; len_b of s[b, :]   (a = 0 at padded steps)
///   ctx[b]  = Σ_t a[b, t] · k[b, t]              [B, H]
/// </code>
/// backward: da = ctx' · k;  ds = a ⊙ (da - Σ_t a ⊙ da);  dq = scale Σ_t ds k;  dk[t] = a[t] ctx' + scale ds[t] q.
/// </summary>
public static class AttentionOps
{
    /// <summary>Returns the context [B, H] and the attention weights [B, T] (weights carry no gradient).</summary>
    public static (Var Context, Var Weights) Attention(this Tape tape, Var query, Var keys, int[]? lengths = null, bool scaled = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Value.Rank != 3) throw new ShapeMismatchException(nameof(keys), "[B, T, H]", Shape.Format(keys.Shape));
        int b = keys.Value.Dim(0), t = keys.Value.Dim(1), h = keys.Value.Dim(2);
        query.Value.CheckShape(nameof(query), b, h);
        if (lengths is not null && lengths.Length != b) throw new ShapeMismatchException(nameof(lengths), $"[{b}]", $"[{lengths.Length}]");
        float scale = scaled ? 1f / MathF.Sqrt(h) : 1f;
        bool grad = query.RequiresGrad || keys.RequiresGrad;
        var ctx = tape.Output(grad, b, h);
        var a = tape.Output(false, b, t);
        for (int i = 0; i < b; i++)
        {
            int len = lengths?[i] ?? t;
            if (len < 1 || len > t) throw new ArgumentOutOfRangeException(nameof(lengths), $"lengths[{i}] = {len} is outside [1, T={t}]");
            var q = query.Value.Span.Slice(i * h, h);
            var ai = a.Value.Span.Slice(i * t, t);
            var k = keys.Value.Span.Slice(i * t * h, t * h);
            for (int s = 0; s < len; s++) ai[s] = scale * TensorPrimitives.Dot(q, k.Slice(s * h, h));
            ai[len..].Clear();
            float max = TensorPrimitives.Max(ai[..len]);
            float sum = 0;
            for (int s = 0; s < len; s++) sum += ai[s] = MathF.Exp(ai[s] - max);
            TensorPrimitives.Multiply(ai[..len], 1f / sum, ai[..len]);
            var c = ctx.Value.Span.Slice(i * h, h);
            c.Clear();
            for (int s = 0; s < len; s++) TensorPrimitives.MultiplyAdd(k.Slice(s * h, h), ai[s], c, c);
        }
        if (grad)
        {
            var n = tape.Record<AttentionNode>();
            n.Q = query; n.K = keys; n.A = a; n.Ctx = ctx; n.Lengths = lengths; n.ScaleFactor = scale;
        }
        return (ctx, a);
    }

    private sealed class AttentionNode : Node
    {
        public Var Q = null!, K = null!, A = null!, Ctx = null!;
        public int[]? Lengths;
        public float ScaleFactor;

        internal override void Backward(Tape tape)
        {
            if (Ctx.Grad is not { } dctx) return;
            int b = K.Value.Dim(0), t = K.Value.Dim(1), h = K.Value.Dim(2);
            var dq = Q.RequiresGrad ? tape.GradOf(Q) : null;
            var dk = K.RequiresGrad ? tape.GradOf(K) : null;
            var ds = tape.Alloc(t);
            for (int i = 0; i < b; i++)
            {
                int len = Lengths?[i] ?? t;
                var a = A.Value.Span.Slice(i * t, t);
                var g = dctx.Span.Slice(i * h, h);
                var k = K.Value.Span.Slice(i * t * h, t * h);
                var q = Q.Value.Span.Slice(i * h, h);
                float dot = 0;
                for (int s = 0; s < len; s++) { ds[s] = TensorPrimitives.Dot(g, k.Slice(s * h, h)); dot += a[s] * ds[s]; }
                for (int s = 0; s < len; s++) ds[s] = a[s] * (ds[s] - dot) * ScaleFactor;
                if (dq is not null)
                {
                    var d = dq.Span.Slice(i * h, h);
                    for (int s = 0; s < len; s++) TensorPrimitives.MultiplyAdd(k.Slice(s * h, h), ds[s], d, d);
                }
                if (dk is not null)
                    for (int s = 0; s < len; s++)
                    {
                        var d = dk.Span.Slice((i * t + s) * h, h);
                        TensorPrimitives.MultiplyAdd(g, a[s], d, d);
                        TensorPrimitives.MultiplyAdd(q, ds[s], d, d);
                    }
            }
        }
    }
}
