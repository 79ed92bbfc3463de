using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The arguments of one forward step of a cell over the batch rows <see cref="Rows"/> (every matrix is already
/// restricted to them, row i being batch row Rows.Start + i). Shapes (n = Rows.Count, G gate blocks, H hidden, S state):
/// <code>
///   Gates  [n, G*H]  in: a_x = x W_ih^T + b_ih (+ b_hh where it adds linearly), unless Lookup supplies it;
///                    out: the gate activations the backward reads
///   HPrev  [n, S]    h entering the step        HNew [n, S]  h' (written for active rows)
///   CPrev  [n, H]    c entering (cells with a cell state)   CNew [n, H]  c'
/// </code>
/// A row is active at step <see cref="Time"/> when it is shorter than its length; the cell computes active rows only,
/// the caller carries the states of inactive rows.
/// </summary>
internal readonly struct CellStep(RowRange rows, int time, int[]? lengths, bool keep, StridedMatrix gates,
    StridedMatrix hPrev, StridedMatrix hNew, StridedMatrix cPrev, StridedMatrix cNew, TokenLookup lookup)
{
    public RowRange Rows { get; } = rows;
    public int Time { get; } = time;
    public int[]? Lengths { get; } = lengths;

    /// <summary>Whether the step's activations are kept for backward (in the cell's activations at <see cref="Time"/>).</summary>
    public bool Keep { get; } = keep;
    public StridedMatrix Gates { get; } = gates;
    public StridedMatrix HPrev { get; } = hPrev;
    public StridedMatrix HNew { get; } = hNew;
    public StridedMatrix CPrev { get; } = cPrev;
    public StridedMatrix CNew { get; } = cNew;

    /// <summary>Token input read in place: a_x of a row is its token's row of E W_ih^T + biases, not in Gates.</summary>
    public TokenLookup Lookup { get; } = lookup;

    public bool Active(int i) => Lengths is null || Time < Lengths[Rows.Start + i];

    /// <summary>a_x [G*H] of row i: its row of <see cref="Gates"/>, or its token's row of the lookup table.</summary>
    public ReadOnlySpan<float> InputRow(int i) => Lookup.IsEmpty ? Gates.Row(i) : Lookup.Row(Rows.Start + i, Time);
}

/// <summary>
/// The arguments of one backward step of a cell over the batch rows <see cref="Rows"/> (restricted as in <see cref="CellStep"/>):
/// <code>
///   Gates   [n, G*H]  in: the activations the forward kept; out: ∂L/∂a_x
///   HPrev   [n, S]    h entering the step          CPrev, CNew [n, H]  c entering and leaving it
///   Dh      [n, S]    ∂L/∂h' (from the output and the next step)
///   DhPrev  [n, S]    out: ∂L/∂h
///   Dc      [n, H]    in: ∂L/∂c'; out: ∂L/∂c
/// </code>
/// </summary>
internal readonly struct CellStepGradient(RowRange rows, int time, int[]? lengths, StridedMatrix gates, StridedMatrix hPrev,
    StridedMatrix cPrev, StridedMatrix cNew, StridedMatrix dh, StridedMatrix dhPrev, StridedMatrix dc)
{
    public RowRange Rows { get; } = rows;
    public int Time { get; } = time;
    public int[]? Lengths { get; } = lengths;
    public StridedMatrix Gates { get; } = gates;
    public StridedMatrix HPrev { get; } = hPrev;
    public StridedMatrix CPrev { get; } = cPrev;
    public StridedMatrix CNew { get; } = cNew;
    public StridedMatrix Dh { get; } = dh;
    public StridedMatrix DhPrev { get; } = dhPrev;
    public StridedMatrix Dc { get; } = dc;

    public bool Active(int i) => Lengths is null || Time < Lengths[Rows.Start + i];
}

/// <summary>
/// Token input read in place: row b at step t reads row tokens[b*T + t] of a table P [V, G*H] (E W_ih^T + biases).
/// Empty when the input projection is in the gates already.
/// </summary>
internal readonly struct TokenLookup(float[]? table, int[]? tokens, int steps, int width)
{
    public bool IsEmpty => tokens is null;

    public ReadOnlySpan<float> Row(int b, int t) => table.AsSpan(tokens![b * steps + t] * width, width);
}
