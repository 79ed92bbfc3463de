using Recur.Kernels;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>Elementwise ops: activations (backward from outputs), sums, products, scaling and concatenation.</summary>
public static class ElementwiseOps
{
    /// <summary>y = tanh(x); dx += dy ⊙ (1 - y²).</summary>
    public static Var Tanh(this Tape tape, Var x) => Unary(tape, x, UnaryKind.Tanh);

    /// <summary>y = σ(x); dx += dy ⊙ y(1 - y).</summary>
    public static Var Sigmoid(this Tape tape, Var x) => Unary(tape, x, UnaryKind.Sigmoid);

    /// <summary>y = max(0, x); dx += dy where y &gt; 0.</summary>
    public static Var Relu(this Tape tape, Var x) => Unary(tape, x, UnaryKind.Relu);

    /// <summary>y = a + b (same shapes).</summary>
    public static Var Add(this Tape tape, Var a, Var b) => Binary(tape, a, b, BinaryKind.Add);

    /// <summary>y = a ⊙ b (same shapes).</summary>
    public static Var Multiply(this Tape tape, Var a, Var b) => Binary(tape, a, b, BinaryKind.Multiply);

    /// <summary>The sum of all elements, a one-element Var; dx += dy.</summary>
    public static Var Sum(this Tape tape, Var x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = tape.Output(x.RequiresGrad, 1);
        double s = 0;
        foreach (float v in x.Value.Span) s += v;
        y.Value[0] = (float)s;
        if (x.RequiresGrad)
        {
            var n = tape.Record<SumNode>();
            n.X = x; n.Y = y;
        }
        return y;
    }

    /// <summary>The same values in another shape with the same element count (a copy, so the step's buffers stay reusable).</summary>
    public static Var Reshape(this Tape tape, Var x, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Shape.ElementCount(shape) != x.Value.Length)
            throw new ShapeMismatchException(nameof(shape), $"a shape with {x.Value.Length} elements", Shape.Format(shape));
        var y = tape.Output(x.RequiresGrad, shape);
        x.Value.Span.CopyTo(y.Value.Span);
        if (x.RequiresGrad)
        {
            var n = tape.Record<ReshapeNode>();
            n.X = x; n.Y = y;
        }
        return y;
    }

    /// <summary>y = s·x.</summary>
    public static Var Scale(this Tape tape, Var x, float s)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = tape.Output(x.RequiresGrad, x.Shape);
        TensorPrimitives.Multiply(x.Value.Span, s, y.Value.Span);
        if (x.RequiresGrad)
        {
            var n = tape.Record<ScaleNode>();
            n.X = x; n.Y = y; n.S = s;
        }
        return y;
    }

    /// <summary>Concatenation along the last dimension: [..., Fa] and [..., Fb] -> [..., Fa + Fb].</summary>
    public static Var Concat(this Tape tape, Var a, Var b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int fa = a.Value.Dim(-1), fb = b.Value.Dim(-1), rows = a.Value.Length / Math.Max(1, fa);
        if (a.Value.Rank != b.Value.Rank || b.Value.Length / Math.Max(1, fb) != rows || !a.Shape[..^1].SequenceEqual(b.Shape[..^1]))
            throw new ShapeMismatchException(nameof(b), $"[{string.Join(", ", a.Shape[..^1].ToArray())}, *] (the leading dimensions of a)", Shape.Format(b.Shape));
        Span<int> shape = stackalloc int[a.Value.Rank];
        a.Shape.CopyTo(shape);
        shape[^1] = fa + fb;
        var y = tape.Output(a.RequiresGrad || b.RequiresGrad, shape);
        for (int r = 0; r < rows; r++)
        {
            a.Value.Span.Slice(r * fa, fa).CopyTo(y.Value.Span.Slice(r * (fa + fb), fa));
            b.Value.Span.Slice(r * fb, fb).CopyTo(y.Value.Span.Slice(r * (fa + fb) + fa, fb));
        }
        if (y.RequiresGrad)
        {
            var n = tape.Record<ConcatNode>();
            n.A = a; n.B = b; n.Y = y;
        }
        return y;
    }

    private enum UnaryKind { Tanh, Sigmoid, Relu }

    private enum BinaryKind { Add, Multiply }

    private static Var Unary(Tape tape, Var x, UnaryKind kind)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = tape.Output(x.RequiresGrad, x.Shape);
        switch (kind)
        {
            case UnaryKind.Tanh: Activations.Tanh(x.Value.Span, y.Value.Span); break;
            case UnaryKind.Sigmoid: Activations.Sigmoid(x.Value.Span, y.Value.Span); break;
            default: Activations.Relu(x.Value.Span, y.Value.Span); break;
        }
        if (x.RequiresGrad)
        {
            var n = tape.Record<UnaryNode>();
            n.X = x; n.Y = y; n.Kind = kind;
        }
        return y;
    }

    private static Var Binary(Tape tape, Var a, Var b, BinaryKind kind)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        b.Value.CheckSameShape(nameof(b), a.Value, "a");
        var y = tape.Output(a.RequiresGrad || b.RequiresGrad, a.Shape);
        if (kind == BinaryKind.Add) TensorPrimitives.Add(a.Value.Span, b.Value.Span, y.Value.Span);
        else TensorPrimitives.Multiply(a.Value.Span, b.Value.Span, y.Value.Span);
        if (y.RequiresGrad)
        {
            var n = tape.Record<BinaryNode>();
            n.A = a; n.B = b; n.Y = y; n.Kind = kind;
        }
        return y;
    }

    private sealed class UnaryNode : Node
    {
        public Var X = null!, Y = null!;
        public UnaryKind Kind;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var tmp = tape.Alloc(Y.Shape);
            switch (Kind)
            {
                case UnaryKind.Tanh: Activations.TanhBackward(Y.Value.Span, dy.Span, tmp.Span); break;
                case UnaryKind.Sigmoid: Activations.SigmoidBackward(Y.Value.Span, dy.Span, tmp.Span); break;
                default: Activations.ReluBackward(Y.Value.Span, dy.Span, tmp.Span); break;
            }
            var dx = tape.GradOf(X);
            TensorPrimitives.Add(dx.Span, tmp.Span, dx.Span);
        }
    }

    private sealed class BinaryNode : Node
    {
        public Var A = null!, B = null!, Y = null!;
        public BinaryKind Kind;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            if (Kind == BinaryKind.Add)
            {
                if (A.RequiresGrad) { var g = tape.GradOf(A); TensorPrimitives.Add(g.Span, dy.Span, g.Span); }
                if (B.RequiresGrad) { var g = tape.GradOf(B); TensorPrimitives.Add(g.Span, dy.Span, g.Span); }
                return;
            }
            // y = a ⊙ b: da += dy ⊙ b, db += dy ⊙ a
            if (A.RequiresGrad) { var g = tape.GradOf(A); TensorPrimitives.FusedMultiplyAdd(dy.Span, B.Value.Span, g.Span, g.Span); }
            if (B.RequiresGrad) { var g = tape.GradOf(B); TensorPrimitives.FusedMultiplyAdd(dy.Span, A.Value.Span, g.Span, g.Span); }
        }
    }

    private sealed class ScaleNode : Node
    {
        public Var X = null!, Y = null!;
        public float S;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(X);
            TensorPrimitives.MultiplyAdd(dy.Span, S, g.Span, g.Span);
        }
    }

    private sealed class ReshapeNode : Node
    {
        public Var X = null!, Y = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(X);
            TensorPrimitives.Add(g.Span, dy.Span, g.Span);
        }
    }

    private sealed class SumNode : Node
    {
        public Var X = null!, Y = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            var g = tape.GradOf(X);
            TensorPrimitives.Add(g.Span, dy[0], g.Span);
        }
    }

    private sealed class ConcatNode : Node
    {
        public Var A = null!, B = null!, Y = null!;

        internal override void Backward(Tape tape)
        {
            if (Y.Grad is not { } dy) return;
            int fa = A.Value.Dim(-1), fb = B.Value.Dim(-1), rows = A.Value.Length / Math.Max(1, fa);
            var ga = A.RequiresGrad ? tape.GradOf(A) : null;
            var gb = B.RequiresGrad ? tape.GradOf(B) : null;
            for (int r = 0; r < rows; r++)
            {
                var row = dy.Span.Slice(r * (fa + fb), fa + fb);
                if (ga is not null) { var d = ga.Span.Slice(r * fa, fa); TensorPrimitives.Add(d, row[..fa], d); }
                if (gb is not null) { var d = gb.Span.Slice(r * fb, fb); TensorPrimitives.Add(d, row[fa..], d); }
            }
        }
    }
}
