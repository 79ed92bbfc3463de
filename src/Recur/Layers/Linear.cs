using Recur.Kernels;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// Fully connected layer (PyTorch's <c>nn.Linear</c>): y = x W^T + b, applied to the last dimension, so a
/// [B, T, in] sequence is transformed at every step (time-distributed) by one GEMM over all B*T rows.
/// weight [out, in], bias [out]; initialised U(-1/sqrt(in), 1/sqrt(in)) as in PyTorch.
/// </summary>
public sealed class Linear : Module
{
    private Tensor? _x;

    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null)
    {
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"must be positive, got {inFeatures}");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), $"must be positive, got {outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter(new Parameter("weight", outFeatures, inFeatures));
        Bias = bias ? RegisterParameter(new Parameter("bias", outFeatures)) : null;
        var r = (rng ?? Rng.Default).Fork();
        float bound = 1f / MathF.Sqrt(inFeatures);
        Initializers.Uniform(Weight.Value.Span, bound, r);
        if (Bias is not null) Initializers.Uniform(Bias.Value.Span, bound, r);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>weight [out, in].</summary>
    public Parameter Weight { get; private set; }

    /// <summary>
    /// Uses <paramref name="weight"/> [out, in] as this layer's weight from now on (weight tying): e.g. a language
    /// model's output layer sharing its embedding table, <c>output.TieWeight(embedding.Weight)</c> with E = the output
    /// layer's input size, as PyTorch's <c>decoder.weight = encoder.weight</c>. The parameter keeps the name
    /// <c>weight</c> here; the model's <see cref="Module.Parameters"/> hold it once. Tie before creating the optimizer
    /// (it keeps the parameters it was given; a trainer refuses an optimizer holding one the model no longer has).
    /// </summary>
    public void TieWeight(Parameter weight)
    {
        TieParameter("weight", weight);
        Weight = weight;
    }

    /// <summary>bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override string Describe() => $"Linear({InFeatures} -> {OutFeatures})";

    /// <summary>forward: x [..., in] -> y [..., out] (a new tensor); keeps x for <see cref="Backward"/>.</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = x.Shape.ToArray();
        if (shape.Length == 0 || shape[^1] != InFeatures)
            throw new ShapeMismatchException(nameof(x), $"[..., {InFeatures}]", Shape.Format(x.Shape));
        shape[^1] = OutFeatures;
        var y = new Tensor(shape);
        ForwardInto(x, y);
        return y;
    }

    /// <summary>forward into a caller-owned y [..., out] (allocation-free).</summary>
    public void ForwardInto(Tensor x, Tensor y)
    {
        int n = x.Length / InFeatures;
        if (y.Length != n * OutFeatures) throw new ShapeMismatchException(nameof(y), $"[..., {OutFeatures}] with {n} rows", Shape.Format(y.Shape));
        // y [N, out] = x [N, in] W^T
        Gemm.Sgemm(false, true, n, OutFeatures, InFeatures, 1f, x.Span, InFeatures, Weight.Value.Span, InFeatures, 0f, y.Span, OutFeatures);
        if (Bias is not null)
            for (int i = 0; i < n; i++)
            {
                var row = y.Span.Slice(i * OutFeatures, OutFeatures);
                TensorPrimitives.Add(row, Bias.Value.Span, row);
            }
        _x = x;
    }

    /// <summary>backward of the last forward: dy [..., out] -> dx [..., in] (new); adds into weight.Grad (dW += dy^T x) and bias.Grad (Σ rows of dy).</summary>
    public Tensor Backward(Tensor dy)
    {
        var dx = new Tensor(_x?.Shape.ToArray() ?? throw new InvalidOperationException("Backward needs a preceding Forward"));
        BackwardInto(dy, dx);
        return dx;
    }

    /// <summary>backward into a caller-owned dx (null to skip the input gradient).</summary>
    public void BackwardInto(Tensor dy, Tensor? dx) =>
        BackwardFor(_x ?? throw new InvalidOperationException("Backward needs a preceding Forward"), dy, dx, accumulate: false);

    /// <summary>
    /// backward for an explicit input x [N, in] (the same layer may run several times per step, e.g. once per decoder
    /// step): dW += dy^T x, db += Σ_rows dy, and dx = dy W (or dx += dy W with <paramref name="accumulate"/>).
    /// </summary>
    internal void BackwardFor(Tensor x, Tensor dy, Tensor? dx, bool accumulate)
    {
        int n = x.Length / InFeatures;
        if (dy.Length != n * OutFeatures) throw new ShapeMismatchException(nameof(dy), $"[..., {OutFeatures}] with {n} rows", Shape.Format(dy.Shape));
        // dW [out, in] += dy^T [out, N] x [N, in]
        Gemm.Sgemm(true, false, OutFeatures, InFeatures, n, 1f, dy.Span, OutFeatures, x.Span, InFeatures, 1f, Weight.Grad.Span, InFeatures);
        if (Bias is not null)
            for (int i = 0; i < n; i++) TensorPrimitives.Add(Bias.Grad.Span, dy.Span.Slice(i * OutFeatures, OutFeatures), Bias.Grad.Span);
        // dx [N, in] (+)= dy [N, out] W [out, in]
        if (dx is not null)
            Gemm.Sgemm(false, false, n, InFeatures, OutFeatures, 1f, dy.Span, OutFeatures, Weight.Value.Span, InFeatures, accumulate ? 1f : 0f, dx.Span, InFeatures);
    }
}
