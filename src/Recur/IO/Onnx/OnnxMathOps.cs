using Recur.Kernels;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// Arithmetic operators: broadcasting Add/Sub/Mul/Div (float and integer), MatMul (numpy semantics, batched),
/// Gemm, Softmax/LogSoftmax (both the opset &lt; 13 "flatten at axis" and the opset &gt;= 13 "one axis" forms) and
/// the Sigmoid/Tanh/Relu activations. Matrix products run on Recur's SGEMM.
/// </summary>
internal static class OnnxMathOps
{
    private struct AddF : IBinaryOp<float> { public readonly float Apply(float a, float b) => a + b; }
    private struct SubF : IBinaryOp<float> { public readonly float Apply(float a, float b) => a - b; }
    private struct MulF : IBinaryOp<float> { public readonly float Apply(float a, float b) => a * b; }
    private struct DivF : IBinaryOp<float> { public readonly float Apply(float a, float b) => a / b; }
    private struct AddL : IBinaryOp<long> { public readonly long Apply(long a, long b) => a + b; }
    private struct SubL : IBinaryOp<long> { public readonly long Apply(long a, long b) => a - b; }
    private struct MulL : IBinaryOp<long> { public readonly long Apply(long a, long b) => a * b; }
    private struct DivL : IBinaryOp<long> { public readonly long Apply(long a, long b) => b == 0 ? throw new DivideByZeroException() : a / b; }

    public static OnnxKernel Add(OnnxNode node) => Binary(node, default(AddF), default(AddL));
    public static OnnxKernel Sub(OnnxNode node) => Binary(node, default(SubF), default(SubL));
    public static OnnxKernel Mul(OnnxNode node) => Binary(node, default(MulF), default(MulL));
    public static OnnxKernel Div(OnnxNode node) => Binary(node, default(DivF), default(DivL));

    private static OnnxKernel Binary<TF, TL>(OnnxNode node, TF fop, TL lop)
        where TF : struct, IBinaryOp<float>
        where TL : struct, IBinaryOp<long>
        => inputs =>
        {
            var a = node.Required(inputs, 0, "A");
            var b = node.Required(inputs, 1, "B");
            if (a.ElementType != b.ElementType) throw node.Invalid($"operands have different types: {a} and {b}");
            int[] shape = OnnxIndexing.BroadcastShape(node, a.Shape, b.Shape);
            if (a.IsFloat) return [OnnxValue.Float(OnnxIndexing.Binary(a.FloatArray, a.Shape, b.FloatArray, b.Shape, shape, fop), shape)];
            try
            {
                var data = OnnxIndexing.Binary(a.IntegerArray, a.Shape, b.IntegerArray, b.Shape, shape, lop);
                foreach (long v in data)
                    if (!OnnxValue.InRange(a.ElementType, v)) throw node.Invalid($"result {v} overflows {a.ElementType}");
                return [OnnxValue.Integer(a.ElementType, data, shape)];
            }
            catch (DivideByZeroException)
            {
                throw node.Invalid("integer division by zero");
            }
        };

    public static OnnxKernel Sigmoid(OnnxNode node) => Unary(node, Activations.Sigmoid);
    public static OnnxKernel Tanh(OnnxNode node) => Unary(node, Activations.Tanh);
    public static OnnxKernel Relu(OnnxNode node) => Unary(node, Activations.Relu);

    private delegate void SpanMap(ReadOnlySpan<float> x, Span<float> y);

    private static OnnxKernel Unary(OnnxNode node, SpanMap map) => inputs =>
    {
        var x = node.RequiredFloat(inputs, 0, "X");
        var y = new float[x.Length];
        map(x.Floats, y);
        return [OnnxValue.Float(y, x.ShapeArray)];
    };

    public static OnnxKernel Softmax(OnnxNode node) => SoftmaxLike(node, log: false);
    public static OnnxKernel LogSoftmax(OnnxNode node) => SoftmaxLike(node, log: true);

    private static OnnxKernel SoftmaxLike(OnnxNode node, bool log)
    {
        bool flatten = node.Opset < 13; // before 13 the input is read as 2-D [prod(d<axis), prod(d>=axis)]
        long axisAttr = node.Int("axis", flatten ? 1 : -1);
        return inputs =>
        {
            var x = node.RequiredFloat(inputs, 0, "input");
            int r = Math.Max(x.Rank, 1);
            int axis = node.Axis(axisAttr, r);
            var shape = x.Rank == 0 ? [1] : x.ShapeArray;
            int outer = OnnxIndexing.Product(shape, 0, axis);
            int n = flatten ? OnnxIndexing.Product(shape, axis, r) : shape[axis];
            int inner = flatten ? 1 : OnnxIndexing.Product(shape, axis + 1, r);
            var y = new float[x.Length];
            if (inner == 1)
            {
                if (log) Kernels.Softmax.LogForward(x.Floats, y, outer, n);
                else Kernels.Softmax.Forward(x.Floats, y, outer, n);
            }
            else StridedSoftmax(x.Floats, y, outer, n, inner, log);
            return [OnnxValue.Float(y, x.ShapeArray)];
        };
    }

    // softmax over the middle axis of [outer, n, inner]: y = exp(x - max) / Σ exp(x - max), or its log
    private static void StridedSoftmax(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, bool log)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int b = o * n * inner + j;
                float max = float.NegativeInfinity;
                for (int i = 0; i < n; i++) max = MathF.Max(max, x[b + i * inner]);
                double sum = 0;
                for (int i = 0; i < n; i++) sum += Math.Exp(x[b + i * inner] - max);
                float logSum = (float)Math.Log(sum);
                for (int i = 0; i < n; i++)
                {
                    float z = x[b + i * inner] - max - logSum;
                    y[b + i * inner] = log ? z : MathF.Exp(z);
                }
            }
    }

    public static OnnxKernel MatMul(OnnxNode node) => inputs =>
    {
        var a = node.RequiredFloat(inputs, 0, "A");
        var b = node.RequiredFloat(inputs, 1, "B");
        if (a.Rank == 0 || b.Rank == 0) throw node.Invalid($"operands must have rank >= 1, got {a} and {b}");
        // numpy: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; those axes are dropped from the result.
        int[] aShape = a.Rank == 1 ? [1, a.Shape[0]] : a.ShapeArray;
        int[] bShape = b.Rank == 1 ? [b.Shape[0], 1] : b.ShapeArray;
        int m = aShape[^2], k = aShape[^1], n = bShape[^1];
        if (bShape[^2] != k) throw node.Invalid($"inner dimensions differ: A {Shape.Format(a.Shape)}, B {Shape.Format(b.Shape)}");
        int[] batch = OnnxIndexing.BroadcastShape(node, aShape[..^2], bShape[..^2]);
        var outShape = new List<int>(batch);
        if (a.Rank > 1) outShape.Add(m);
        if (b.Rank > 1) outShape.Add(n);
        int batches = Shape.ElementCount(batch);
        var y = new float[batches * m * n];
        if (bShape.Length == 2)
        {
            // the common case (x [..., K] times a weight [K, N]): one GEMM over all rows of A
            int rows = a.Length / k;
            Kernels.Gemm.Sgemm(false, false, rows, n, k, 1f, a.Floats, k, b.Floats, n, 0f, y, n);
        }
        else
        {
            var sa = OnnxIndexing.BroadcastStrides(aShape[..^2], batch);
            var sb = OnnxIndexing.BroadcastStrides(bShape[..^2], batch);
            var index = new int[batch.Length];
            for (int t = 0; t < batches; t++)
            {
                int rem = t, oa = 0, ob = 0;
                for (int ax = batch.Length - 1; ax >= 0; ax--)
                {
                    index[ax] = rem % batch[ax];
                    rem /= batch[ax];
                    oa += index[ax] * sa[ax];
                    ob += index[ax] * sb[ax];
                }
                Kernels.Gemm.Sgemm(false, false, m, n, k, 1f, a.Floats.Slice(oa * m * k, m * k), k, b.Floats.Slice(ob * k * n, k * n), n, 0f, y.AsSpan(t * m * n, m * n), n);
            }
        }
        return [OnnxValue.Float(y, [.. outShape])];
    };

    public static OnnxKernel Gemm(OnnxNode node)
    {
        float alpha = node.Float("alpha", 1f), beta = node.Float("beta", 1f);
        bool transA = node.Int("transA", 0) != 0, transB = node.Int("transB", 0) != 0;
        return inputs =>
        {
            var a = node.RequiredFloat(inputs, 0, "A");
            var b = node.RequiredFloat(inputs, 1, "B");
            if (a.Rank != 2 || b.Rank != 2) throw node.Invalid($"A and B must be matrices, got {a} and {b}");
            int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1];
            int n = transB ? b.Shape[0] : b.Shape[1], kb = transB ? b.Shape[1] : b.Shape[0];
            if (k != kb) throw node.Invalid($"inner dimensions differ: A {Shape.Format(a.Shape)} (transA={transA}), B {Shape.Format(b.Shape)} (transB={transB})");
            float[] y;
            float cScale = 0f;
            if (inputs.Length > 2 && inputs[2] is { } c && beta != 0)
            {
                if (!c.IsFloat) throw node.Invalid($"C must be float, got {c}");
                int[] target = [m, n];
                if (!OnnxIndexing.BroadcastShape(node, c.Shape, target).AsSpan().SequenceEqual(target))
                    throw node.Invalid($"C {Shape.Format(c.Shape)} does not broadcast to [{m}, {n}]");
                y = OnnxIndexing.Gather(c.FloatArray, target, OnnxIndexing.BroadcastStrides(c.Shape, target));
                cScale = beta;
            }
            else y = new float[m * n];
            // y = alpha op(A) op(B) + beta C
            Kernels.Gemm.Sgemm(transA, transB, m, n, k, alpha, a.Floats, a.Shape[1], b.Floats, b.Shape[1], cScale, y, n);
            return [OnnxValue.Float(y, [m, n])];
        };
    }
}
