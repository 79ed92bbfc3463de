using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// One use of one layer in one direction, swept over time (its parameters are a <see cref="DirectionWeights"/>): forward keeps what backward needs (when asked), backward is BPTT.
/// Shapes (B batch, T steps, In input features, G gate blocks, H hidden, S = state size = P or H):
/// <code>
///   x   [B, T, In]      input of this layer (the sequence, or the previous layer's output)
///   y   [B, T, D*S]     output; this direction writes its S columns at colOffset
///   XW  [B, T, G*H]     x W_ih^T (+ biases at each step; token input: + rows of P = E W_ih^T + biases), turned in
///                       place into gate activations, then into ∂L/∂gates
///   Hs  [B, T, S]       h entering each step (time-aligned, so dW_hh is one GEMM over all steps)
///   Cs  [B, T, H]       c entering each step (cells with a cell state, LSTM)
/// </code>
/// The step math is the cell kind's <see cref="CellDefinition"/>, which keeps what else its backward needs in its
/// own <see cref="CellActivations"/>.
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
    private readonly CellSpec _spec;
    private readonly CellDefinition _cell;
    private readonly CellActivations _activations;
    private readonly bool _reverse;
    private readonly Parameter _wih;
    private readonly Parameter? _bih, _bhh;
    private readonly PackedHiddenWeights _hidden;

    // Steps of input projection held at once in inference.
    private const int ChunkSteps = 16;

    // Saved for backward (training) or reused per step (inference).
    private Tensor? _xw, _hs, _cs, _hFinal, _cFinal;
    // Per-step scratch [B, *].
    private Tensor? _hA, _hB, _cA, _cB, _dhTot, _dhCur, _dcCur;

    private Tensor? _stepNorms, _biasGradient; // ‖∂L/∂h_t‖ [T]; Σ rows of dG [G*H]
    private double[]? _stepSquares; // [row ranges, T]: Σ over each range's rows of ‖∂L/∂h_t‖², summed into _stepNorms at the end
    private int _rowRanges;
    private int _b, _t, _maxLen, _colOffset, _dyColOffset;
    private int[]? _lengths;
    private SweepInput _input;
    private Tensor? _y, _dy;
    private Tensor? _tokenProjection, _tokenGradient; // token input: P = E W_ih^T + biases, dP = dG summed per token, [V, G*H]
    private bool _saved, _chunked, _biasInStep;

    /// <summary>A sweep of the layer direction whose parameters are <paramref name="weights"/>, with activations of its own.</summary>
    public DirectionSweep(DirectionWeights weights)
    {
        _weights = weights;
        _spec = weights.Spec;
        _cell = weights.Cell;
        _activations = _cell.NewActivations();
        _reverse = weights.Reverse;
        _wih = weights.Wih;
        _bih = weights.Bih;
        _bhh = weights.Bhh;
        _hidden = weights.Hidden;
    }

    private int H => _spec.HiddenSize;
    private int S => _spec.StateSize;
    private int GH => _spec.Gates * _spec.HiddenSize;
    private bool Lstm => _cell.HasCellState;

    private bool Active(int b, int t) => _lengths is null || t < _lengths[b];

    /// <summary>
    /// Starts a forward over all steps: the input projection (one GEMM, all threads), the packed weights, the initial
    /// state and the buffers. <paramref name="h0"/>/<paramref name="c0"/> are [B, S]/[B, H] (empty = zeros). With
    /// <paramref name="keep"/>, the per-step activations and states are kept for backward; otherwise only one step of
    /// state is held. The time loop is <see cref="SweepForward"/>, over any split of the batch rows; then <see cref="EndForward"/>.
    /// </summary>
    public void BeginForward(SweepInput input, Tensor y, int colOffset, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, int[]? lengths, int maxLen, bool keep)
    {
        int b = input.Batch, t = input.Steps, inSize = input.Features;
        _b = b; _t = t; _lengths = lengths; _maxLen = maxLen; _input = input; _y = y; _colOffset = colOffset; _saved = keep;

        // XW = x W_ih^T + b_ih (+ b_hh where it adds linearly): one GEMM over all B*T steps when training. Inference
        // keeps no activations, so it projects ChunkSteps steps at a time into a small buffer instead: the memory of a
        // few steps, not T. Token input looks the rows up in P = E W_ih^T + biases [V, G*H].
        _chunked = !keep && t > ChunkSteps;
        _biasInStep = false;
        var xw = Tensor.Ensure(ref _xw, b, _chunked ? ChunkSteps : t, GH);
        if (input.Tokens is { } tokens)
        {
            var e = input.Table!.Weight.Value;
            var p = Tensor.Ensure(ref _tokenProjection, e.Dim(0), GH);
            Gemm.Sgemm(false, true, e.Dim(0), GH, inSize, 1f, e.Span, inSize, _wih.Value.Span, inSize, 0f, p.Span, GH);
            AddInputBiases(p.Span);
            // Most cells read their rows of P in place (CellStep.InputRow); one that reads a_x in the gates gets them here.
            if (_cell.ReadsInputInPlace && !_chunked)
                for (int n = 0; n < b * t; n++) p.Span.Slice(tokens[n] * GH, GH).CopyTo(xw.Span.Slice(n * GH, GH));
        }
        else if (_chunked) Pack(ref _weights.WihT, true, GH, inSize, _wih.Value.Span, inSize);
        else
        {
            // The biases are added at each step, to rows about to be read anyway, instead of in a pass over all of XW
            // here that would write it out to memory and read it back.
            Gemm.Sgemm(false, true, b * t, GH, inSize, 1f, input.Dense!.Span, inSize, _wih.Value.Span, inSize, 0f, xw.Span, GH);
            _biasInStep = _bih is not null;
        }
        _hidden.PackForward();

        if (keep)
        {
            // Steps past max(len) stay finite zeros for the all-steps GEMMs; the sweep writes every row of the others.
            var hs = Tensor.Ensure(ref _hs, b, t, S);
            var cs = Lstm ? Tensor.Ensure(ref _cs, b, t, H) : null;
            for (int step = maxLen; step < t; step++) { Clear(hs.TimeStep(step)); if (cs is not null) Clear(cs.TimeStep(step)); }
        }
        _cell.BeginForward(_activations, b, t, keep);
        var hA = Tensor.Ensure(ref _hA, b, S); Tensor.Ensure(ref _hB, b, S);
        Tensor.Ensure(ref _hFinal, b, S);
        if (h0.IsEmpty) hA.Clear(); else h0.CopyTo(hA.Span);
        if (Lstm)
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
        StridedMatrix cPrev = Lstm ? rows.Of(_cA!) : default;
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
                if (Lstm) { var cSaved = rows.Of(_cs!.TimeStep(step)); Copy(cPrev, cSaved); cPrev = cSaved; }
            }
            var hNew = rows.Of(last ? _hFinal! : (s & 1) == 0 ? _hB! : _hA!);
            var cNew = Lstm ? rows.Of(last ? _cFinal! : (s & 1) == 0 ? _cB! : _cA!) : default;
            if (_chunked && step / ChunkSteps != chunk) ProjectChunk(rows, chunk = step / ChunkSteps);
            var g = rows.Of(_xw!.TimeStep(_chunked ? step % ChunkSteps : step));
            ForwardStep(rows, step, g, hPrev, hNew, cPrev, cNew, rows.Of(Out(_y!, step, _colOffset)));
            hPrev = hNew;
            cPrev = cNew;
        }
    }

    /// <summary>Writes the final states h_n [B, S] and c_n [B, H] (LSTM) after every row range has been swept.</summary>
    public void EndForward(Span<float> hn, Span<float> cn)
    {
        if (_maxLen == 0) { _hA!.Span.CopyTo(_hFinal!.Span); if (Lstm) _cA!.Span.CopyTo(_cFinal!.Span); }
        _hFinal!.Span.CopyTo(hn);
        if (Lstm) _cFinal!.Span.CopyTo(cn);
    }

    // One step for the rows of `rows`; every matrix argument is already restricted to them.
    private void ForwardStep(RowRange rows, int t, StridedMatrix g, StridedMatrix hPrev, StridedMatrix hNew, StridedMatrix cPrev, StridedMatrix cNew, StridedMatrix y)
    {
        int n = rows.Count, r0 = rows.Start;
        if (_biasInStep)
            for (int i = 0; i < n; i++) AddInputBiases(g.Row(i));
        var lookup = _input.Tokens is not null && !_chunked
            ? new TokenLookup(_tokenProjection!.Buffer, _input.Tokens, _t, GH) : default;
        _cell.Forward(_activations, _hidden, new CellStep(rows, t, _lengths, _saved, g, hPrev, hNew, cPrev, cNew, lookup));
        // Inactive rows carry h (and c) and output 0; active rows output h'.
        for (int i = 0; i < n; i++)
        {
            if (Active(r0 + i, t)) hNew.Row(i).CopyTo(y.Row(i));
            else
            {
                hPrev.Row(i).CopyTo(hNew.Row(i));
                if (Lstm) cPrev.Row(i).CopyTo(cNew.Row(i));
                y.Row(i).Clear();
            }
        }
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
        if (Lstm)
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
            StridedMatrix cPrev = default, cNew = default;
            if (Lstm) { cPrev = rows.Of(_cs!.TimeStep(step)); cNew = last ? rows.Of(_cFinal!) : rows.Of(_cs.TimeStep(next)); }
            _cell.Backward(_activations, _hidden, new CellStepGradient(rows, step, _lengths, g, rows.Of(_hs!.TimeStep(step)), cPrev, cNew,
                dhTot, dhCur, Lstm ? rows.Of(_dcCur!) : default));
            // Inactive rows pass ∂L/∂h (and ∂L/∂c, untouched in dcCur) straight through; their gate gradients are 0.
            for (int i = 0; i < rows.Count; i++)
                if (!Active(rows.Start + i, step)) { dhTot.Row(i).CopyTo(dhCur.Row(i)); g.Row(i).Clear(); }
        }
    }

    /// <summary>
    /// Finishes the backward: writes ∂L/∂h0, ∂L/∂c0 into <paramref name="dh0"/>/<paramref name="dc0"/> when not empty and
    /// adds the parameter gradients (GEMMs over all steps). ∂L/∂x follows from <see cref="InputGradient"/>.
    /// </summary>
    public void EndBackward(Span<float> dh0, Span<float> dc0)
    {
        if (!dh0.IsEmpty) _dhCur!.Span.CopyTo(dh0);
        if (!dc0.IsEmpty && Lstm) _dcCur!.Span.CopyTo(dc0);
        var norms = Tensor.Ensure(ref _stepNorms, _t).Span;
        for (int step = 0; step < _t; step++)
        {
            double sq = 0;
            for (int r = 0; r < _rowRanges; r++) sq += _stepSquares![r * _t + step];
            norms[step] = (float)Math.Sqrt(sq);
        }
        AccumulateWeightGradients();
    }

    /// <summary>
    /// ‖∂L/∂h_t‖₂ over the batch for every step t of the last <see cref="EndBackward"/> [T]: the gradient arriving at the
    /// hidden state of step t from its output and from step t+1 (t-1 for the reverse direction). Its decay or growth
    /// going back in time is the vanishing or exploding gradient of BPTT.
    /// </summary>
    public ReadOnlySpan<float> StepGradientNorms => _stepNorms is null ? ReadOnlySpan<float>.Empty : _stepNorms.Span;

    /// <summary>
    /// ∂L/∂x = dG W_ih over all steps, written into <paramref name="dx"/> [B, T, In] (added with <paramref name="accumulate"/>,
    /// so the two directions of a layer can share one dx). Valid after <see cref="EndBackward"/>.
    /// </summary>
    public void InputGradient(Tensor dx, bool accumulate)
    {
        int inSize = _input.Features;
        Gemm.Sgemm(false, false, _b * _t, inSize, GH, 1f, _xw!.Span, GH, _wih.Value.Span, inSize, accumulate ? 1f : 0f, dx.Span, inSize);
    }

    /// <summary>
    /// For token input: ∂L/∂E += dP W_ih, where dP [V, G*H] is ∂L/∂gates summed per token (the padding token's row
    /// gets nothing). Valid after <see cref="EndBackward"/>. A frozen table gets its gradient too, as everywhere.
    /// </summary>
    public void TableGradient()
    {
        var table = _input.Table!;
        int v = table.NumEmbeddings, e = table.EmbeddingDim;
        var dp = _tokenGradient!.Span;
        if (table.PaddingIndex is { } pad) dp.Slice(pad * GH, GH).Clear();
        Gemm.Sgemm(false, false, v, e, GH, 1f, dp, GH, _wih.Value.Span, e, 1f, table.Weight.Grad.Span, e);
    }

    /// <summary>Weight gradients as GEMMs over all B*T steps at once, after the sweep.</summary>
    private void AccumulateWeightGradients()
    {
        int bt = _b * _t, inSize = _input.Features;
        var dg = _xw!.Span; // [B*T, G*H] = ∂L/∂a_x
        // Rows whose sum is the input biases' gradient: dG, or for token input dP [V, G*H], dG summed per token.
        var biasRows = dg;
        int biasRowCount = bt;
        if (_input.Tokens is { } tokens)
        {
            // dW_ih += dGᵀ x = dPᵀ E, since x at a step is the row of E of its token.
            var table = _input.Table!;
            var dp = Tensor.Ensure(ref _tokenGradient, table.NumEmbeddings, GH);
            dp.Clear();
            for (int n = 0; n < bt; n++)
            {
                var row = dp.Span.Slice(tokens[n] * GH, GH);
                TensorPrimitives.Add(row, dg.Slice(n * GH, GH), row);
            }
            Gemm.Sgemm(true, false, GH, inSize, table.NumEmbeddings, 1f, dp.Span, GH, table.Weight.Value.Span, inSize, 1f, _wih.Grad.Span, inSize);
            biasRows = dp.Span;
            biasRowCount = table.NumEmbeddings;
        }
        else Gemm.Sgemm(true, false, GH, inSize, bt, 1f, dg, GH, _input.Dense!.Span, inSize, 1f, _wih.Grad.Span, inSize); // dW_ih += dGᵀ x
        // ∂L/∂b_ih = Σ rows of dG. b_hh enters most pre-activations exactly as b_ih does, so the cell takes the same
        // sum, computed once: a pass over dG [B*T, G*H] costs as much as a small GEMM.
        var sum = Span<float>.Empty;
        if (_bih is not null)
        {
            sum = Tensor.Ensure(ref _biasGradient, GH).Span;
            sum.Clear();
            SumRows(biasRows, biasRowCount, GH, sum);
            TensorPrimitives.Add(_bih.Grad.Span, sum, _bih.Grad.Span);
        }
        _cell.AccumulateHiddenGradients(_activations, _hidden, bt, dg, _hs!.Span, sum);
    }

    // Inference: XW for steps [c*ChunkSteps, ...) of the rows in `rows`, one GEMM per row over its contiguous steps
    // (or a lookup per step for token input).
    private void ProjectChunk(RowRange rows, int c)
    {
        int t0 = c * ChunkSteps, len = Math.Min(ChunkSteps, _t - t0), inSize = _input.Features;
        for (int i = rows.Start; i < rows.Start + rows.Count; i++)
        {
            var dst = _xw!.Span.Slice(i * ChunkSteps * GH, len * GH);
            if (_input.Tokens is { } tokens)
            {
                for (int k = 0; k < len; k++) _tokenProjection!.Span.Slice(tokens[i * _t + t0 + k] * GH, GH).CopyTo(dst.Slice(k * GH, GH));
                continue;
            }
            Gemm.Sgemm(false, len, 1f, _input.Dense!.Span.Slice((i * _t + t0) * inSize, len * inSize), inSize, _weights.WihT!, 0f, dst, GH);
            AddInputBiases(dst);
        }
    }

    // Rows of G*H pre-activations += b_ih (+ b_hh where it adds linearly).
    private void AddInputBiases(Span<float> xw)
    {
        if (_bih is null) return;
        // b_hh adds linearly everywhere except GRU's n block (it sits inside r ⊙ (W_hn h + b_hn) or is added after W_hn).
        int foldHh = _cell.FoldedHiddenBias;
        var bih = _bih.Value.Span; var bhh = _bhh!.Value.Span;
        for (int i = 0; i < xw.Length / GH; i++)
        {
            var row = xw.Slice(i * GH, GH);
            TensorPrimitives.Add(row, bih, row);
            TensorPrimitives.Add(row[..foldHh], bhh[..foldHh], row[..foldHh]);
        }
    }

    // Packs op(B) = W^T for a row-major W [rows, cols]: K = cols, N = rows.
    private static void Pack(ref PackedMatrix? p, bool transposed, int rows, int cols, ReadOnlySpan<float> w, int ld)
    {
        if (p is null || p.K != cols || p.N != rows) p = new PackedMatrix(cols, rows);
        p.Pack(transposed, w, ld);
    }

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

    // acc[j] += Σ_rows m[row, j] for j < acc.Length (the first acc.Length columns of a [rows, ld] matrix).
    private static void SumRows(ReadOnlySpan<float> m, int rows, int ld, Span<float> acc, int cols = -1)
    {
        int n = cols < 0 ? acc.Length : cols;
        for (int i = 0; i < rows; i++)
        {
            var row = m.Slice(i * ld, n);
            TensorPrimitives.Add(acc[..n], row, acc[..n]);
        }
    }
}
