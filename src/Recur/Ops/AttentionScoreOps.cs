using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>
/// Attention scores of a decoder query over a memory of encoder steps, before the masked softmax
/// (<see cref="SequenceOps.AttentionPooling"/> turns them into weights and the context):
/// <code>
///   dot      s[b, t] = scale · q[b] · m[b, t]                 q [B, H], m [B, T, H]           (Luong; scale 1/sqrt(H) scaled)
///   additive s[b, t] = v · tanh(q[b] + m[b, t])               q [B, A], m [B, T, A], v [A]     (Bahdanau; q, m projected)
/// </code>
/// Steps past a sequence's length get scores too; the masked softmax gives them weight 0 and no gradient.
/// </summary>
public static class AttentionScoreOps
{
    /// <summary>
    /// s = scale · q · m_t, [B, H] x [B, T, H] -> [B, T].
    /// backward: dq[b] = scale Σ_t ds[b, t] m[b, t];  dm[b, t] = scale ds[b, t] q[b].
    /// </summary>
    public static Var DotScores(this Tape tape, Var query, Var memory, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(memory);
        if (memory.Value.Rank != 3) throw new ShapeMismatchException(nameof(memory), "[B, T, H]", Shape.Format(memory.Shape));
        int b = memory.Value.Dim(0), t = memory.Value.Dim(1), h = memory.Value.Dim(2);
        query.Value.CheckShape(nameof(query), b, h);
        bool grad = query.RequiresGrad || memory.RequiresGrad;
        var s = tape.Output(grad, b, t);
        var q = query.Value.Span;
        var m = memory.Value.Span;
        var y = s.Value.Span;
        for (int i = 0; i < b; i++)
            for (int k = 0; k < t; k++) y[i * t + k] = scale * TensorPrimitives.Dot(q.Slice(i * h, h), m.Slice((i * t + k) * h, h));
        if (grad)
        {
            var n = tape.Record<DotScoresNode>();
            n.Q = query; n.M = memory; n.S = s; n.ScaleFactor = scale;
        }
        return s;
    }

    /// <summary>
    /// s = v · tanh(q + m_t), [B, A] x [B, T, A] x [A] -> [B, T] (q and m already projected: W_q h and U m).
    /// backward with u = tanh(q + m_t): dz = ds v ⊙ (1 - u²);  dq[b] = Σ_t dz;  dm[b, t] = dz;  dv = Σ_{b,t} ds u.
    /// </summary>
    public static Var AdditiveScores(this Tape tape, Var query, Var memory, Var v)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(v);
        if (memory.Value.Rank != 3) throw new ShapeMismatchException(nameof(memory), "[B, T, A]", Shape.Format(memory.Shape));
        int b = memory.Value.Dim(0), t = memory.Value.Dim(1), a = memory.Value.Dim(2);
        query.Value.CheckShape(nameof(query), b, a);
        if (v.Value.Length != a) throw new ShapeMismatchException(nameof(v), $"[{a}]", Shape.Format(v.Shape));
        bool grad = query.RequiresGrad || memory.RequiresGrad || v.RequiresGrad;
        var s = tape.Output(grad, b, t);
        var u = grad ? tape.Alloc(b, t, a) : null;
        Span<float> scratch = a <= 1024 ? stackalloc float[a] : new float[a];
        var q = query.Value.Span;
        var m = memory.Value.Span;
        var vs = v.Value.Span;
        var y = s.Value.Span;
        for (int i = 0; i < b; i++)
            for (int k = 0; k < t; k++)
            {
                var z = u is null ? scratch : u.Span.Slice((i * t + k) * a, a);
                TensorPrimitives.Add(q.Slice(i * a, a), m.Slice((i * t + k) * a, a), z);
                TensorPrimitives.Tanh(z, z);
                y[i * t + k] = TensorPrimitives.Dot(z, vs);
            }
        if (grad)
        {
            var n = tape.Record<AdditiveScoresNode>();
            n.Q = query; n.M = memory; n.V = v; n.S = s; n.U = u!;
        }
        return s;
    }

    private sealed class DotScoresNode : Node
    {
        public Var Q = null!, M = null!, S = null!;
        public float ScaleFactor;

        internal override void Backward(Tape tape)
        {
            if (S.Grad is not { } ds) return;
            int b = M.Value.Dim(0), t = M.Value.Dim(1), h = M.Value.Dim(2);
            var dq = Q.RequiresGrad ? tape.GradOf(Q).Span : default;
            var dm = M.RequiresGrad ? tape.GradOf(M).Span : default;
            var q = Q.Value.Span;
            var m = M.Value.Span;
            var g = ds.Span;
            for (int i = 0; i < b; i++)
                for (int k = 0; k < t; k++)
                {
                    float gk = ScaleFactor * g[i * t + k];
                    if (gk == 0) continue;
                    if (Q.RequiresGrad) TensorPrimitives.MultiplyAdd(m.Slice((i * t + k) * h, h), gk, dq.Slice(i * h, h), dq.Slice(i * h, h));
                    if (M.RequiresGrad) TensorPrimitives.MultiplyAdd(q.Slice(i * h, h), gk, dm.Slice((i * t + k) * h, h), dm.Slice((i * t + k) * h, h));
                }
        }
    }

    private sealed class AdditiveScoresNode : Node
    {
        public Var Q = null!, M = null!, V = null!, S = null!;
        public Tensor U = null!;

        internal override void Backward(Tape tape)
        {
            if (S.Grad is not { } ds) return;
            int b = M.Value.Dim(0), t = M.Value.Dim(1), a = M.Value.Dim(2);
            var dq = Q.RequiresGrad ? tape.GradOf(Q).Span : default;
            var dm = M.RequiresGrad ? tape.GradOf(M).Span : default;
            var dv = V.RequiresGrad ? tape.GradOf(V).Span : default;
            var v = V.Value.Span;
            var g = ds.Span;
            var dz = new float[a];
            for (int i = 0; i < b; i++)
                for (int k = 0; k < t; k++)
                {
                    float gk = g[i * t + k];
                    if (gk == 0) continue;
                    var u = U.Span.Slice((i * t + k) * a, a);
                    if (V.RequiresGrad) TensorPrimitives.MultiplyAdd(u, gk, dv, dv);
                    // dz = gk v ⊙ (1 - u²)
                    TensorPrimitives.Multiply(u, u, dz);
                    TensorPrimitives.Subtract(1f, dz, dz);
                    TensorPrimitives.Multiply(dz, v, dz);
                    TensorPrimitives.Multiply(dz, gk, dz);
                    if (Q.RequiresGrad) TensorPrimitives.Add(dq.Slice(i * a, a), dz, dq.Slice(i * a, a));
                    if (M.RequiresGrad) TensorPrimitives.Add(dm.Slice((i * t + k) * a, a), dz, dm.Slice((i * t + k) * a, a));
                }
        }
    }
}
