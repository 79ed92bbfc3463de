using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The time loop of one use of one layer in one direction (its parameters are a <see cref="DirectionWeights"/>):
/// forward keeps what backward needs (when asked), backward is BPTT. It owns the states and their order in time; the
/// step math is the cell kind's <see cref="CellDefinition"/> (which keeps what else its backward needs in its own
/// <see cref="CellActivations"/>), a_x comes from an <see cref="InputSource"/>, and <see cref="SweepGradients"/> turns
/// the result into weight gradients. Shapes (B batch, T steps, In input features, G gate blocks, H hidden, S = state
/// size = P or H):
/// <code>
///   y   [B, T, D*S]     output; this direction writes its S columns at colOffset
///   XW  [B, T, G*H]     a_x from the input source, turned in place into gate activations, then into ∂L/∂a_x
///   Hs  [B, T, S]       h entering each step (time-aligned, so dW_hh is one GEMM over all steps)
///   Cs  [B, T, H]       c entering each step (cells with a cell state, LSTM)
/// </code>
/// A forward or backward is Begin (whole batch, GEMMs on all threads), Sweep (the time loop, for any split of the
/// batch rows into ranges run concurrently) and End (final states; weight gradients over all steps).
/// Variable lengths follow PyTorch's packed sequences: row b is active at step t when t &lt; len[b]; an inactive
/// row carries its state unchanged and outputs 0, so the forward direction ends at each row's last valid step and
/// the reverse direction starts there, and padded steps get exactly zero gradient. Every row is computed at every
/// step up to max(len) (the padded cost, no repacking).
/// </summary>
internal sealed class DirectionSweep
{
    private readonly DirectionWeights _weights;
    private readonly CellDefinition _cell;
    private readonly CellActivations _activations;
    private readonly bool _reverse;

    // The input sources, made on first use; _input is the current forward's.
    private DenseInput? _dense;
    private ChunkedInput? _chunked;
    private TokenInput? _tokens;
    private InputSource _input = null!;

    // Saved for backward (training) or reused per step (inference).
    private Tensor? _xw, _hs, _cs, _hFinal, _cFinal;
    // Per-step scratch [B, *].
    private Tensor? _hA, _hB, _cA, _cB, _dhTot, _dhCur, _dcCur;

    private Tensor? _stepNorms, _biasSum; // ‖∂L/∂h_t‖ [T]; Σ rows of dG [G*H]
    private double[]? _stepSquares; // [row ranges, T]: Σ over each range's rows of ‖∂L/∂h_t‖², summed into _stepNorms at the end
    private int _rowRanges;
    private int _b, _t, _maxLen, _colOffset, _dyColOffset;
    private int[]? _lengths;
    private Tensor? _y, _dy;
    private bool _saved;
    private readonly PackedHiddenWeights _hidden; // W_hh as this use packs it (packs are per use: see WithOwnPacks)

    /// <summary>A sweep of the layer direction whose parameters are <paramref name="weights"/>, with activations of its own.</summary>
    public DirectionSweep(DirectionWeights weights)
    {
        _weights = weights;
        _hidden = weights.Hidden.WithOwnPacks();
        _cell = weights.Cell;
        _activations = _cell.NewActivations();
        _reverse = weights.Reverse;
    }

    private int H => _weights.Spec.HiddenSize;
    private int S => _weights.Spec.StateSize;
    private bool CellState => _cell.HasCellState;

    private bool Active(int b, int t) => _lengths is null || t < _lengths[b];

    /// <summary>
    /// Starts a forward over all steps: the input projection (all threads), the packed weights, the initial state and
    /// the buffers. <paramref name="h0"/>/<paramref name="c0"/> are [B, S]/[B, H] (empty = zeros). With
    /// <paramref name="keep"/>, the per-step activations and states are kept for backward; otherwise only one step of
    /// state is held. The time loop is <see cref="SweepForward"/>, over any split of the batch rows; then <see cref="EndForward"/>.
    /// </summary>
    public void BeginForward(SweepInput input, Tensor y, int colOffset, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, int[]? lengths, int maxLen, bool keep)
    {
        int b = input.Batch, t = input.Steps;
        _b = b; _t = t; _lengths = lengths; _maxLen = maxLen; _y = y; _colOffset = colOffset; _saved = keep;

        // Training projects all steps at once; inference keeps no activations, so a long sequence is projected a few
        // steps at a time.
        _input = !keep && t > ChunkedInput.ChunkSteps ? _chunked ??= new ChunkedInput()
            : input.Tokens is not null ? _tokens ??= new TokenInput()
            : _dense ??= new DenseInput();
        _input.Begin(_weights, input, ref _xw);
        _hidden.PackForward();

        if (keep)
        {
            // Steps past max(len) stay finite zeros for the all-steps GEMMs; the sweep writes every row of the others.
            var hs = Tensor.Ensure(ref _hs, b, t, S);
            var cs = CellState ? Tensor.Ensure(ref _cs, b, t, H) : null;
            for (int step = maxLen; step < t; step++) { Clear(hs.TimeStep(step)); if (cs is not null) Clear(cs.TimeStep(step)); }
        }
        _cell.BeginForward(_activations, b, t, keep);
        var hA = Tensor.Ensure(ref _hA, b, S); Tensor.Ensure(ref _hB, b, S);
        Tensor.Ensure(ref _hFinal, b, S);
        if (h0.IsEmpty) hA.Clear(); else h0.CopyTo(hA.Span);
        if (CellState)
        {
            var cA = Tensor.Ensure(ref _cA, b, H); Tensor.Ensure(ref _cB, b, H);
            Tensor.Ensure(ref _cFinal, b, H);
            if (c0.IsEmpty) cA.Clear(); else c0.CopyTo(cA.Span);
        }
        ZeroOutputOutside(y, colOffset, maxLen);
    }

    /// <summary>
    /// The forward time loop for batch rows <paramref name="rows"/>. Rows are independent, so disjoint ranges can run
    /// concurrently (each on one thread, with no synchronisation per step).
    /// </summary>
    public void SweepForward(RowRange rows)
    {
        var hPrev = rows.Of(_hA!);
        StridedMatrix cPrev = CellState ? rows.Of(_cA!) : default;
        var lookup = _input.Lookup;
        int chunk = -1;
        for (int s = 0; s < _maxLen; s++)
        {
            int step = _reverse ? _maxLen - 1 - s : s;
            bool last = s == _maxLen - 1;
            if (_saved)
            {
                var hSaved = rows.Of(_hs!.TimeStep(step));
                Copy(hPrev, hSaved);
                hPrev = hSaved;
                if (CellState) { var cSaved = rows.Of(_cs!.TimeStep(step)); Copy(cPrev, cSaved); cPrev = cSaved; }
            }
            var hNew = rows.Of(last ? _hFinal! : (s & 1) == 0 ? _hB! : _hA!);
            var cNew = CellState ? rows.Of(last ? _cFinal! : (s & 1) == 0 ? _cB! : _cA!) : default;
            var g = _input.StepGates(_xw!, rows, step, ref chunk);
            _cell.Forward(_activations, _hidden, new CellStep(rows, step, _lengths, _saved, g, hPrev, hNew, cPrev, cNew, lookup));
            // Inactive rows carry h (and c) and output 0; active rows output h'.
            var y = rows.Of(Out(_y!, step, _colOffset));
            for (int i = 0; i < rows.Count; i++)
            {
                if (Active(rows.Start + i, step)) hNew.Row(i).CopyTo(y.Row(i));
                else
                {
                    hPrev.Row(i).CopyTo(hNew.Row(i));
                    if (CellState) cPrev.Row(i).CopyTo(cNew.Row(i));
                    y.Row(i).Clear();
                }
            }
            hPrev = hNew;
            cPrev = cNew;
        }
    }

    /// <summary>Writes the final states h_n [B, S] and c_n [B, H] (cell state) after every row range has been swept.</summary>
    public void EndForward(Span<float> hn, Span<float> cn)
    {
        if (_maxLen == 0) { _hA!.Span.CopyTo(_hFinal!.Span); if (CellState) _cA!.Span.CopyTo(_cFinal!.Span); }
        _hFinal!.Span.CopyTo(hn);
        if (CellState) _cFinal!.Span.CopyTo(cn);
    }

    /// <summary>
    /// Starts the backward (BPTT) of the last forward with keep = true. <paramref name="dy"/> [B, T, D*S] is ∂L/∂y (this
    /// direction reads its columns), <paramref name="dhn"/>/<paramref name="dcn"/> ∂L/∂h_n, ∂L/∂c_n (empty = 0).
    /// The time loop is <see cref="SweepBackward"/> over <paramref name="rowRanges"/> ranges of rows, then <see cref="EndBackward"/>.
    /// </summary>
    public void BeginBackward(Tensor dy, int colOffset, ReadOnlySpan<float> dhn, ReadOnlySpan<float> dcn, int rowRanges)
    {
        if (!_saved) throw new InvalidOperationException("backward needs a forward run in training mode (nothing was kept)");
        int b = _b, t = _t;
        _dy = dy; _dyColOffset = colOffset;
        _hidden.PackBackward();
        var dhCur = Tensor.Ensure(ref _dhCur, b, S);
        Tensor.Ensure(ref _dhTot, b, S);
        if (dhn.IsEmpty) dhCur.Clear(); else dhn.CopyTo(dhCur.Span);
        if (CellState)
        {
            var dcCur = Tensor.Ensure(ref _dcCur, b, H);
            if (dcn.IsEmpty) dcCur.Clear(); else dcn.CopyTo(dcCur.Span);
        }
        _cell.BeginBackward(_activations, b, t);
        // Steps never run (t >= max len) have zero gradient.
        for (int step = _maxLen; step < t; step++) Clear(_xw!.TimeStep(step));
        _rowRanges = rowRanges;
        if (_stepSquares is null || _stepSquares.Length < rowRanges * t) _stepSquares = new double[rowRanges * t];
        Array.Clear(_stepSquares, 0, rowRanges * t);
    }

    /// <summary>
    /// The backward time loop for batch rows <paramref name="rows"/>, range number <paramref name="range"/> of those
    /// given to <see cref="BeginBackward"/>; disjoint ranges can run concurrently.
    /// </summary>
    public void SweepBackward(RowRange rows, int range)
    {
        var xw = _xw!;
        var dhTot = rows.Of(_dhTot!);
        var dhCur = rows.Of(_dhCur!); // ∂L/∂h entering the step being processed; becomes ∂L/∂h of the step before
        var squares = _stepSquares.AsSpan(range * _t, _t);
        for (int s = _maxLen - 1; s >= 0; s--)
        {
            int step = _reverse ? _maxLen - 1 - s : s;
            bool last = s == _maxLen - 1;
            int next = _reverse ? step - 1 : step + 1;
            var g = rows.Of(xw.TimeStep(step));
            var dyt = rows.Of(Out(_dy!, step, _dyColOffset));
            // dh = ∂L/∂h' from the future (dhCur) + from this step's output (active rows only).
            double sq = 0;
            for (int i = 0; i < rows.Count; i++)
            {
                var dst = dhTot.Row(i);
                dhCur.Row(i).CopyTo(dst);
                if (Active(rows.Start + i, step)) TensorPrimitives.Add(dst, dyt.Row(i), dst);
                sq += TensorPrimitives.Dot(dst, dst);
            }
            squares[step] = sq;
            StridedMatrix cPrev = default, cNew = default, dc = default;
            if (CellState)
            {
                cPrev = rows.Of(_cs!.TimeStep(step));
                cNew = last ? rows.Of(_cFinal!) : rows.Of(_cs.TimeStep(next));
                dc = rows.Of(_dcCur!);
            }
            _cell.Backward(_activations, _hidden, new CellStepGradient(rows, step, _lengths, g, rows.Of(_hs!.TimeStep(step)), cPrev, cNew,
                dhTot, dhCur, dc));
            // Inactive rows pass ∂L/∂h (and ∂L/∂c, untouched in dcCur) straight through; their gate gradients are 0.
            for (int i = 0; i < rows.Count; i++)
                if (!Active(rows.Start + i, step)) { dhTot.Row(i).CopyTo(dhCur.Row(i)); g.Row(i).Clear(); }
        }
    }

    /// <summary>
    /// Finishes the backward: writes ∂L/∂h0, ∂L/∂c0 into <paramref name="dh0"/>/<paramref name="dc0"/> when not empty and
    /// adds the parameter gradients (<see cref="SweepGradients"/>). ∂L/∂input follows from <see cref="InputGradient"/>.
    /// </summary>
    public void EndBackward(Span<float> dh0, Span<float> dc0)
    {
        if (!dh0.IsEmpty) _dhCur!.Span.CopyTo(dh0);
        if (!dc0.IsEmpty && CellState) _dcCur!.Span.CopyTo(dc0);
        var norms = Tensor.Ensure(ref _stepNorms, _t).Span;
        for (int step = 0; step < _t; step++)
        {
            double sq = 0;
            for (int r = 0; r < _rowRanges; r++) sq += _stepSquares![r * _t + step];
            norms[step] = (float)Math.Sqrt(sq);
        }
        SweepGradients.Accumulate(_weights, _input, _activations, _b * _t, _xw!.Span, _hs!.Span, ref _biasSum);
    }

    /// <summary>
    /// ‖∂L/∂h_t‖₂ over the batch for every step t of the last <see cref="EndBackward"/> [T]: the gradient arriving at the
    /// hidden state of step t from its output and from step t+1 (t-1 for the reverse direction). Its decay or growth
    /// going back in time is the vanishing or exploding gradient of BPTT.
    /// </summary>
    public ReadOnlySpan<float> StepGradientNorms => _stepNorms is null ? ReadOnlySpan<float>.Empty : _stepNorms.Span;

    /// <summary>
    /// ∂L/∂(what the forward read), valid after <see cref="EndBackward"/>: ∂L/∂x [B, T, In] for a dense input, ∂L/∂E
    /// [V, In] for token input (<see cref="InputSource.InputGradient"/>); added with <paramref name="accumulate"/>, so
    /// the two directions of a layer can share one.
    /// </summary>
    public void InputGradient(Tensor grad, bool accumulate) => _input.InputGradient(_xw!.Span, grad, accumulate);

    private StridedMatrix Out(Tensor y, int t, int colOffset)
    {
        int f = y.Dim(2);
        return new StridedMatrix(y.Buffer, y.Offset + t * f + colOffset, _b, S, _t * f);
    }

    private void ZeroOutputOutside(Tensor y, int colOffset, int maxLen)
    {
        for (int step = maxLen; step < _t; step++) Clear(Out(y, step, colOffset));
    }

    private static void Copy(StridedMatrix src, StridedMatrix dst)
    {
        if (src.Data == dst.Data && src.Offset == dst.Offset) return;
        for (int i = 0; i < src.Rows; i++) src.Row(i).CopyTo(dst.Row(i));
    }

    private static void Clear(StridedMatrix m)
    {
        for (int i = 0; i < m.Rows; i++) m.Row(i).Clear();
    }
}
