using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// One recurrent cell kind, <c>(h, c), a_x -> (h', c')</c>, in one place: its gate layout, its per-step forward and
/// backward math (each backward quotes the equation of its forward), what it keeps between them
/// (<see cref="CellActivations"/>, per kind) and which parameter gradients follow from them. A layer's sweep runs it
/// for every step and row range (<see cref="DirectionSweep"/>); a single-step cell runs it once (<see cref="RecurrentCell"/>,
/// as a sweep of one step). The input side, a_x = x W_ih^T + b_ih (+ the linear part of b_hh), is the caller's;
/// made by <see cref="CellRegistry.Create"/>.
/// </summary>
internal abstract class CellDefinition
{
    protected CellDefinition(CellSpec spec, int[] hiddenBlockRows)
    {
        Spec = spec;
        H = spec.HiddenSize;
        S = spec.StateSize;
        GH = spec.Gates * spec.HiddenSize;
        HiddenBlockRows = hiddenBlockRows;
    }

    public CellSpec Spec { get; }

    /// <summary>H, S and G*H.</summary>
    protected int H { get; }
    protected int S { get; }
    protected int GH { get; }

    /// <summary>Rows of W_hh in each block the step multiplies separately (one block [G*H] unless the math splits it).</summary>
    public int[] HiddenBlockRows { get; }

    /// <summary>Whether the cell carries a cell state c [B, H] beside h (LSTM).</summary>
    public virtual bool HasCellState => false;

    /// <summary>
    /// The cell's parameters beyond W_ih, W_hh, b_ih, b_hh, W_hr: (name, length) of each vector, registered by the layer
    /// as name + <c>_l{k}</c> (+ <c>_reverse</c>) and handed to the steps in <see cref="HiddenWeights.Own"/>.
    /// </summary>
    public virtual (string Name, int Length)[] OwnParameters => [];

    /// <summary>
    /// The leading gate columns where b_hh adds linearly to the pre-activation, so it is folded into a_x with b_ih
    /// (all of them unless the cell applies something to the hidden part first).
    /// </summary>
    public virtual int FoldedHiddenBias => GH;

    /// <summary>
    /// Whether the step reads a_x in place in the gates, so that token input must be gathered there first; otherwise
    /// the step can read a token's row of E W_ih^T + biases through <see cref="CellStep.InputRow"/>.
    /// </summary>
    public virtual bool ReadsInputInPlace => false;

    /// <summary>A fresh, empty set of the activations this kind keeps.</summary>
    public virtual CellActivations NewActivations() => new();

    /// <summary>Makes <paramref name="a"/> ready for a forward of <paramref name="t"/> steps of <paramref name="b"/> rows (kept for backward when <paramref name="keep"/>).</summary>
    public virtual void BeginForward(CellActivations a, int b, int t, bool keep) { }

    /// <summary>One forward step (see <see cref="CellStep"/>).</summary>
    public abstract void Forward(CellActivations a, HiddenWeights w, in CellStep s);

    /// <summary>Makes <paramref name="a"/> ready for the backward of the forward it kept.</summary>
    public virtual void BeginBackward(CellActivations a, int b, int t) { }

    /// <summary>One backward step (see <see cref="CellStepGradient"/>); the weight gradients are left to <see cref="AccumulateHiddenGradients"/>.</summary>
    public abstract void Backward(CellActivations a, HiddenWeights w, in CellStepGradient s);

    /// <summary>
    /// Adds the gradients of the hidden-side parameters (W_hh, b_hh, and any of the cell's own) over <paramref name="rows"/>
    /// rows of a backward: <paramref name="dG"/> [rows, G*H] = ∂L/∂a_x, <paramref name="hs"/> [rows, S] = h entering each
    /// row's step. <paramref name="dGSum"/> is Σ rows of dG when the caller has it (b_hh then adds it where it equals
    /// ∂L/∂b_ih); empty, every bias row is added in turn.
    /// </summary>
    public virtual void AccumulateHiddenGradients(CellActivations a, HiddenWeights w, int rows, ReadOnlySpan<float> dG, ReadOnlySpan<float> hs, ReadOnlySpan<float> dGSum)
    {
        // ∂L/∂W_hh = dGᵀ h; b_hh enters every pre-activation as b_ih does, so ∂L/∂b_hh = Σ rows of dG.
        Kernels.Gemm.Sgemm(true, false, GH, S, rows, 1f, dG, GH, hs, S, 1f, w.Whh.Grad.Span, S);
        if (w.Bhh is not null) AddBiasGradient(w.Bhh.Grad.Span, 0, GH, dG, GH, rows, dGSum);
    }

    /// <summary>
    /// grad[start..start+cols] += Σ_rows m[row, start..start+cols] of an [rows, ld] matrix: from <paramref name="sum"/>
    /// (the column sums, already taken) when given, else row by row into grad.
    /// </summary>
    protected static void AddBiasGradient(Span<float> grad, int start, int cols, ReadOnlySpan<float> m, int ld, int rows, ReadOnlySpan<float> sum)
    {
        var g = grad.Slice(start, cols);
        if (!sum.IsEmpty) { TensorPrimitives.Add(g, sum.Slice(start, cols), g); return; }
        for (int i = 0; i < rows; i++) TensorPrimitives.Add(g, m.Slice(i * ld + start, cols), g);
    }

    /// <summary>
    /// Gates += h W_hh^T (the pre-activations of cells whose hidden part adds linearly). With token input read in place,
    /// the gates hold nothing yet: they become h W_hh^T + the token's row, each row read from cache instead of gathered
    /// into the [B, T, G*H] buffer beforehand (which would write it all out to memory once and read it back at every step).
    /// </summary>
    protected static void AddHidden(HiddenWeights w, in CellStep s)
    {
        bool lookup = !s.Lookup.IsEmpty;
        w.MultiplyTransposed(0, s.HPrev, s.Gates, lookup ? 0f : 1f);
        if (!lookup) return;
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var row = s.Gates.Row(i);
            TensorPrimitives.Add(row, s.Lookup.Row(s.Rows.Start + i, s.Time), row);
        }
    }

    /// <summary>The rows of a kept [B, T, F] tensor at step t, or of a one-step [B, F] buffer when nothing is kept.</summary>
    protected static StridedMatrix At(Tensor? kept, Tensor? step, in RowRange rows, int t, bool keep) =>
        keep ? rows.Of(kept!.TimeStep(t)) : rows.Of(step!);

    /// <summary>m[i, start:start+|v|] += v for every row i.</summary>
    protected static void AddRowVector(StridedMatrix m, int start, ReadOnlySpan<float> v)
    {
        for (int i = 0; i < m.Rows; i++)
        {
            var row = m.Row(i).Slice(start, v.Length);
            TensorPrimitives.Add(row, v, row);
        }
    }
}

/// <summary>
/// What a cell kind keeps from its forward for its backward beyond the gates and states every kind has (those are the
/// sweep's), and its per-step scratch. Each kind derives its own; tensors are [B, T, F] when kept, [B, F] per step otherwise.
/// </summary>
internal class CellActivations
{
}
