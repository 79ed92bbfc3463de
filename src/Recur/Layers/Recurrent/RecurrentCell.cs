using Recur.Kernels;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// What a cell's forward keeps for its backward: one step's gate activations and inputs. Reuse one per step
/// position (e.g. one per decoder step) to avoid allocation; a cache holds exactly one step.
/// </summary>
public sealed class CellCache
{
    internal Tensor? X, HPrev, CPrev, Gates, CNew;
    internal CellDefinition? Owner;   // the definition whose activations these are
    internal CellActivations? Saved;  // what that kind keeps, as a sweep of one step
    internal bool Filled;
}

/// <summary>
/// A single-step recurrent cell, <c>(h, c), x -> (h', c')</c>, for decoders and text generation. Same math (the
/// same fused row kernels) and parameter names as PyTorch's <c>nn.RNNCell</c>, <c>nn.LSTMCell</c>, <c>nn.GRUCell</c>:
/// weight_ih [G*H, I], weight_hh [G*H, H], bias_ih [G*H], bias_hh [G*H].
/// Shapes: x [B, I], h and c [B, H].
/// </summary>
public abstract class RecurrentCell : Module
{
    private readonly CellDefinition _definition;
    private readonly DirectHiddenWeights _hidden;

    private protected RecurrentCell(CellSpec spec, RecurrentInit init, Rng? rng)
    {
        if (spec.InputSize <= 0) throw new ArgumentOutOfRangeException("inputSize", $"must be positive, got {spec.InputSize}");
        if (spec.HiddenSize <= 0) throw new ArgumentOutOfRangeException("hiddenSize", $"must be positive, got {spec.HiddenSize}");
        Spec = spec;
        int g = spec.Gates * spec.HiddenSize;
        WeightIh = RegisterParameter(new Parameter("weight_ih", g, spec.InputSize));
        WeightHh = RegisterParameter(new Parameter("weight_hh", g, spec.HiddenSize));
        BiasIh = spec.Bias ? RegisterParameter(new Parameter("bias_ih", g)) : null;
        BiasHh = spec.Bias ? RegisterParameter(new Parameter("bias_hh", g)) : null;
        _definition = CellRegistry.Create(spec);
        _hidden = new DirectHiddenWeights(WeightHh, BiasHh, _definition.HiddenBlockRows, spec.HiddenSize);
        Reset(init, (rng ?? Rng.Default).Fork());
    }

    /// <summary>The cell math.</summary>
    public CellSpec Spec { get; }

    /// <summary>I.</summary>
    public int InputSize => Spec.InputSize;

    /// <summary>H.</summary>
    public int HiddenSize => Spec.HiddenSize;

    /// <summary>weight_ih [G*H, I].</summary>
    public Parameter WeightIh { get; }

    /// <summary>weight_hh [G*H, H].</summary>
    public Parameter WeightHh { get; }

    /// <summary>bias_ih [G*H] or null.</summary>
    public Parameter? BiasIh { get; }

    /// <summary>bias_hh [G*H] or null.</summary>
    public Parameter? BiasHh { get; }

    /// <inheritdoc />
    public override string Describe() => $"{GetType().Name}({InputSize} -> {HiddenSize})";

    /// <summary>Re-initialises the parameters (PyTorch: U(-1/sqrt(H), 1/sqrt(H))).</summary>
    public void Reset(RecurrentInit init, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int h = HiddenSize;
        foreach (var p in Parameters)
        {
            var w = p.Value.Span;
            if (init == RecurrentInit.PyTorch) Initializers.Uniform(w, 1f / MathF.Sqrt(h), rng);
            else if (p.Value.Rank == 1) w.Clear();
            else
                for (int k = 0; k < Spec.Gates; k++)
                {
                    var block = w.Slice(k * h * p.Value.Dim(1), h * p.Value.Dim(1));
                    if (init == RecurrentInit.Orthogonal && p == WeightHh) Initializers.Orthogonal(block, h, p.Value.Dim(1), rng);
                    else Initializers.GlorotUniform(block, h, p.Value.Dim(1), rng);
                }
        }
    }

    private protected void CheckInputs(Tensor x, Tensor? h, Tensor? c, out int b)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2) throw new ShapeMismatchException(nameof(x), $"[B, {InputSize}]", Shape.Format(x.Shape));
        b = x.Dim(0);
        x.CheckShape(nameof(x), b, InputSize);
        h?.CheckShape(nameof(h), b, HiddenSize);
        c?.CheckShape(nameof(c), b, HiddenSize);
    }

    /// <summary>
    /// forward of one step into caller-owned tensors (allocation-free when <paramref name="cache"/> is reused):
    /// h' [B, H] and, for LSTM, c' [B, H]. With a cache, keeps what <see cref="StepBackward"/> needs.
    /// </summary>
    public void StepForward(Tensor x, Tensor? h, Tensor? c, Tensor hNew, Tensor? cNew, CellCache? cache = null)
    {
        CheckInputs(x, h, c, out int b);
        int hs = HiddenSize, gh = Spec.Gates * hs;
        hNew.CheckShape(nameof(hNew), b, hs);
        bool cellState = _definition.HasCellState;
        if (cellState) { ArgumentNullException.ThrowIfNull(cNew); cNew.CheckShape(nameof(cNew), b, hs); }
        var cc = cache ?? new CellCache();
        var hp = Tensor.Ensure(ref cc.HPrev, b, hs);
        if (h is null) hp.Clear(); else h.Span.CopyTo(hp.Span);
        var xs = Tensor.Ensure(ref cc.X, b, InputSize);
        x.Span.CopyTo(xs.Span);
        var gates = Tensor.Ensure(ref cc.Gates, b, gh);
        // gates = x W_ih^T + b_ih (+ b_hh where it adds linearly)
        Gemm.Sgemm(false, true, b, gh, InputSize, 1f, x.Span, InputSize, WeightIh.Value.Span, InputSize, 0f, gates.Span, gh);
        int fold = _definition.FoldedHiddenBias;
        if (BiasIh is not null)
            for (int i = 0; i < b; i++)
            {
                var row = gates.Span.Slice(i * gh, gh);
                TensorPrimitives.Add(row, BiasIh.Value.Span, row);
                TensorPrimitives.Add(row[..fold], BiasHh!.Value.Span[..fold], row[..fold]);
            }
        StridedMatrix cp = default, cn = default;
        if (cellState)
        {
            var cPrev = Tensor.Ensure(ref cc.CPrev, b, hs);
            if (c is null) cPrev.Clear(); else c.Span.CopyTo(cPrev.Span);
            cp = cPrev.AsMatrix();
            cn = Tensor.Ensure(ref cc.CNew, b, hs).AsMatrix();
        }
        // One step of the cell's definition over all rows, its activations kept as those of a one-step sweep.
        if (cc.Owner != _definition) { cc.Owner = _definition; cc.Saved = _definition.NewActivations(); }
        _definition.BeginForward(cc.Saved!, b, 1, keep: true);
        _definition.Forward(cc.Saved!, _hidden, new CellStep(new RowRange(0, b), 0, null, true, gates.AsMatrix(), hp.AsMatrix(),
            hNew.AsMatrix(), cp, cn, default));
        if (cellState) cc.CNew!.Span.CopyTo(cNew!.Span);
        cc.Filled = cache is not null;
    }

    /// <summary>
    /// backward of the step kept in <paramref name="cache"/>: given ∂L/∂h' <paramref name="dhNew"/> (and ∂L/∂c'
    /// <paramref name="dcNew"/>, null = 0), adds parameter gradients and writes ∂L/∂x [B, I], ∂L/∂h [B, H] and ∂L/∂c [B, H].
    /// The cache is consumed (its activations become gradients).
    /// </summary>
    public void StepBackward(CellCache cache, Tensor dhNew, Tensor? dcNew, Tensor dx, Tensor dh, Tensor? dc)
    {
        ArgumentNullException.ThrowIfNull(cache);
        if (!cache.Filled) throw new InvalidOperationException("StepBackward needs a cache filled by StepForward (and not yet consumed)");
        cache.Filled = false;
        var x = cache.X!; var hp = cache.HPrev!; var gates = cache.Gates!;
        int b = x.Dim(0), hs = HiddenSize, gh = Spec.Gates * hs, inSize = InputSize;
        dhNew.CheckShape(nameof(dhNew), b, hs);
        dcNew?.CheckShape(nameof(dcNew), b, hs);
        dx.CheckShape(nameof(dx), b, inSize);
        dh.CheckShape(nameof(dh), b, hs);
        StridedMatrix dcm = default;
        if (_definition.HasCellState)
        {
            ArgumentNullException.ThrowIfNull(dc);
            dc.CheckShape(nameof(dc), b, hs);
            if (dcNew is null) dc.Clear(); else dcNew.Span.CopyTo(dc.Span);
            dcm = dc.AsMatrix();
        }
        if (cache.Owner != _definition) throw new InvalidOperationException("the cache was filled by another cell");
        _definition.BeginBackward(cache.Saved!, b, 1);
        _definition.Backward(cache.Saved!, _hidden, new CellStepGradient(new RowRange(0, b), 0, null, gates.AsMatrix(), hp.AsMatrix(),
            cache.CPrev?.AsMatrix() ?? default, cache.CNew?.AsMatrix() ?? default, dhNew.AsMatrix(), dh.AsMatrix(), dcm));
        _definition.AccumulateHiddenGradients(cache.Saved!, _hidden, b, gates.Span, hp.Span, default);
        // Input side: gates now hold ∂L/∂a_x for every family.
        Gemm.Sgemm(false, false, b, inSize, gh, 1f, gates.Span, gh, WeightIh.Value.Span, inSize, 0f, dx.Span, inSize);
        Gemm.Sgemm(true, false, gh, inSize, b, 1f, gates.Span, gh, x.Span, inSize, 1f, WeightIh.Grad.Span, inSize);
        if (BiasIh is not null) SumRows(gates.Span, b, gh, BiasIh.Grad.Span);
    }

    private static void SumRows(ReadOnlySpan<float> m, int rows, int cols, Span<float> acc)
    {
        for (int i = 0; i < rows; i++) TensorPrimitives.Add(acc, m.Slice(i * cols, cols), acc);
    }
}

/// <summary>PyTorch's <c>nn.LSTMCell</c>: one LSTM step (gate order i, f, g, o), x [B, I], (h, c) [B, H] -> (h', c').</summary>
public sealed class LstmCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null)
        : base(new CellSpec(CellKind.Lstm, RnnNonlinearity.Tanh, true, inputSize, hiddenSize, 0, bias), init, rng) { }

    /// <summary>One step; returns new tensors h' and c' [B, H]. h and c default to zeros.</summary>
    public (Tensor H, Tensor C) Forward(Tensor x, Tensor? h = null, Tensor? c = null)
    {
        var hn = new Tensor(x.Dim(0), HiddenSize);
        var cn = new Tensor(x.Dim(0), HiddenSize);
        StepForward(x, h, c, hn, cn);
        return (hn, cn);
    }
}

/// <summary>PyTorch's <c>nn.GRUCell</c>: one GRU step (gate order r, z, n), x [B, I], h [B, H] -> h'.</summary>
public sealed class GruCell : RecurrentCell
{
    /// <summary>Creates the cell; <paramref name="resetAfter"/> = false selects the Cho et al. / Keras reset_after=False candidate.</summary>
    public GruCell(int inputSize, int hiddenSize, bool bias = true, bool resetAfter = true, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null)
        : base(new CellSpec(CellKind.Gru, RnnNonlinearity.Tanh, resetAfter, inputSize, hiddenSize, 0, bias), init, rng) { }

    /// <summary>One step; returns a new h' [B, H]. h defaults to zeros.</summary>
    public Tensor Forward(Tensor x, Tensor? h = null)
    {
        var hn = new Tensor(x.Dim(0), HiddenSize);
        StepForward(x, h, null, hn, null);
        return hn;
    }
}

/// <summary>PyTorch's <c>nn.RNNCell</c>: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), x [B, I], h [B, H].</summary>
public sealed class RnnCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null)
        : base(new CellSpec(CellKind.Rnn, nonlinearity, true, inputSize, hiddenSize, 0, bias), init, rng) { }

    /// <summary>One step; returns a new h' [B, H]. h defaults to zeros.</summary>
    public Tensor Forward(Tensor x, Tensor? h = null)
    {
        var hn = new Tensor(x.Dim(0), HiddenSize);
        StepForward(x, h, null, hn, null);
        return hn;
    }
}
