using Recur.Layers;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Ops;

/// <summary>The differentiable outputs of a recurrent layer op.</summary>
/// <param name="Output">[B, T, D*S].</param>
/// <param name="Hn">[L*D, B, S].</param>
/// <param name="Cn">[L*D, B, H] for LSTM, else null.</param>
public readonly record struct RecurrentVars(Var Output, Var Hn, Var? Cn);

/// <summary>Ops for whole recurrent layers (all steps, BPTT inside) and for single cell steps (decoder loops).</summary>
public static class RecurrentOps
{
    /// <summary>
    /// A recurrent layer over a whole sequence: x [B, T, I] -> output [B, T, D*S], h_n, c_n, with optional initial
    /// states and lengths (see <see cref="RecurrentLayer"/>). Gradients reach x, h0, c0 and the layer's parameters from
    /// any of the outputs. The tape keeps each use's activations, so one layer may run several times in a step (a shared
    /// encoder: gradients of all uses add up); loop a <see cref="RecurrentCell"/> with <see cref="CellStep"/> to run step by step.
    /// </summary>
    public static RecurrentVars Recurrent(this Tape tape, RecurrentLayer layer, Var x, Var? h0 = null, Var? c0 = null, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Value.Rank != 3) throw new ShapeMismatchException(nameof(x), $"[B, T, {layer.InputSize}]", Shape.Format(x.Shape));
        int b = x.Value.Dim(0), t = x.Value.Dim(1);
        x.Value.CheckShape(nameof(x), b, t, layer.InputSize);
        var (output, hn, cn) = Outputs(tape, layer, b, t, h0, c0);
        var activations = Activations(tape, layer);
        layer.ForwardInto(activations, x.Value, h0?.Value, c0?.Value, lengths, output.Value, hn.Value, cn?.Value);
        return Record(tape, layer, activations, x, null, b, t, h0, c0, output, hn, cn);
    }

    /// <summary>
    /// A recurrent layer reading token ids [B, T] through an embedding table E [V, I]: the values and gradients of
    /// <c>tape.Recurrent(layer, tape.Embedding(table, tokens, batch, steps), h0, c0, lengths)</c>, computed with less
    /// work when the vocabulary is smaller than B*T (a character model): the first layer's input projection x W_ih^T
    /// becomes a lookup in E W_ih^T [V, G*H], and the gradients of W_ih, the biases and E are taken from ∂L/∂gates summed
    /// per token, [V, G*H] instead of [B*T, G*H]. Gradient reaches E except its padding row.
    /// </summary>
    public static RecurrentVars Recurrent(this Tape tape, RecurrentLayer layer, Embedding table, ReadOnlySpan<int> tokens, int batch, int steps,
        Var? h0 = null, Var? c0 = null, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(table);
        if (table.EmbeddingDim != layer.InputSize)
            throw new ArgumentException($"the table's vectors have {table.EmbeddingDim} features; {layer.Describe()} reads {layer.InputSize}", nameof(table));
        if (tokens.Length != batch * steps) throw new ShapeMismatchException(nameof(tokens), $"[{batch}, {steps}] ({batch * steps} tokens)", $"{tokens.Length} tokens");
        // A vocabulary as large as the batch would make the lookup table cost more than the projection it replaces.
        if (table.NumEmbeddings >= batch * steps) return tape.Recurrent(layer, tape.Embedding(table, tokens, batch, steps), h0, c0, lengths);
        var (output, hn, cn) = Outputs(tape, layer, batch, steps, h0, c0);
        var activations = Activations(tape, layer);
        layer.ForwardTokensInto(activations, table, tokens, batch, steps, h0?.Value, c0?.Value, lengths, output.Value, hn.Value, cn?.Value);
        table.RecordOutputShape(batch, steps, table.EmbeddingDim);
        return Record(tape, layer, activations, null, table, batch, steps, h0, c0, output, hn, cn);
    }

    // Checks the states; makes the output vars.
    private static (Var Output, Var Hn, Var? Cn) Outputs(Tape tape, RecurrentLayer layer, int b, int t, Var? h0, Var? c0)
    {
        int d = layer.Directions, s = layer.StateSize, l = layer.NumLayers;
        h0?.Value.CheckShape(nameof(h0), l * d, b, s);
        bool lstm = layer.Spec.HasCellState;
        if (c0 is not null)
        {
            if (!lstm) throw new ArgumentException($"c0 is only for LSTM layers; this is a {layer.GetType().Name}", nameof(c0));
            c0.Value.CheckShape(nameof(c0), l * d, b, layer.HiddenSize);
        }
        bool record = layer.Training;
        return (tape.Output(record, b, t, d * s), tape.Output(record, l * d, b, s), lstm ? tape.Output(record, l * d, b, layer.HiddenSize) : null);
    }

    // Training: this use's own activations, kept by the tape for the backward; inference keeps nothing, so the layer's own do.
    private static RecurrentActivations Activations(Tape tape, RecurrentLayer layer) =>
        layer.Training ? tape.Workspace(layer, static owner => ((RecurrentLayer)owner).NewActivations()) : layer.OwnActivations;

    private static RecurrentVars Record(Tape tape, RecurrentLayer layer, RecurrentActivations activations, Var? x, Embedding? table, int b, int t, Var? h0, Var? c0, Var output, Var hn, Var? cn)
    {
        layer.RecordOutputShape(b, t, layer.Directions * layer.StateSize);
        if (layer.Training)
        {
            var node = tape.Record<RecurrentNode>();
            node.Layer = layer; node.Activations = activations; node.TableWeight = table is null ? null : tape.Param(table.Weight); node.X = x; node.H0 = h0; node.C0 = c0; node.Output = output; node.Hn = hn; node.Cn = cn;
        }
        return new RecurrentVars(output, hn, cn);
    }

    /// <summary>
    /// One cell step (x [B, I], h [B, H], c [B, H]) -> (h', c'); h and c default to zeros. c' is null except for LSTM cells.
    /// The same cell may step any number of times per tape (each step keeps its own cache).
    /// </summary>
    public static (Var H, Var? C) CellStep(this Tape tape, RecurrentCell cell, Var x, Var? h = null, Var? c = null)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(x);
        bool lstm = cell.Spec.HasCellState;
        int b = x.Value.Dim(0);
        var hNew = tape.Output(true, b, cell.HiddenSize);
        var cNew = lstm ? tape.Output(true, b, cell.HiddenSize) : null;
        var node = tape.Record<CellNode>();
        cell.StepForward(x.Value, h?.Value, c?.Value, hNew.Value, cNew?.Value, node.Cache);
        cell.RecordOutputShape(b, cell.HiddenSize);
        node.Cell = cell; node.X = x; node.H = h; node.C = c; node.HNew = hNew; node.CNew = cNew;
        return (hNew, cNew);
    }

    private static void AddInto(Tape tape, Var? v, Tensor grad)
    {
        if (v is null || !v.RequiresGrad) return;
        var g = tape.GradOf(v);
        TensorPrimitives.Add(g.Span, grad.Span, g.Span);
    }

    // Input: X, or token ids looked up in Table (the activations kept them; ∂L/∂E reaches the table through TableWeight).
    private sealed class RecurrentNode : Node
    {
        public RecurrentLayer Layer = null!;
        public RecurrentActivations Activations = null!; // this use's, owned by the tape
        public Var Output = null!, Hn = null!;
        public Var? X, H0, C0, Cn;
        public Var? TableWeight;

        internal override void Backward(Tape tape)
        {
            if (Output.Grad is null && Hn.Grad is null && Cn?.Grad is null) return;
            var dOut = Output.Grad ?? tape.Zeros(Output.Shape);
            var dx = X is not null ? tape.Alloc(X.Shape) : TableWeight is not null ? tape.Alloc(TableWeight.Shape) : null;
            var dh0 = tape.Alloc(Hn.Shape);
            var dc0 = Cn is null ? null : tape.Alloc(Cn.Shape);
            Layer.BackwardInto(Activations, dOut, Hn.Grad, Cn?.Grad, dx, dh0, dc0, computeInputGradient: X?.RequiresGrad ?? true);
            if (dx is not null) AddInto(tape, X ?? TableWeight, dx);
            AddInto(tape, H0, dh0);
            if (dc0 is not null) AddInto(tape, C0, dc0);
        }
    }

    private sealed class CellNode : Node
    {
        public readonly CellCache Cache = new();
        public RecurrentCell Cell = null!;
        public Var X = null!, HNew = null!;
        public Var? H, C, CNew;

        internal override void Backward(Tape tape)
        {
            if (HNew.Grad is null && CNew?.Grad is null) return;
            var dh = HNew.Grad ?? tape.Zeros(HNew.Shape);
            var dx = tape.Alloc(X.Shape);
            var dhPrev = tape.Alloc(HNew.Shape);
            var dcPrev = CNew is null ? null : tape.Alloc(CNew.Shape);
            Cell.StepBackward(Cache, dh, CNew?.Grad, dx, dhPrev, dcPrev);
            AddInto(tape, X, dx);
            AddInto(tape, H, dhPrev);
            if (dcPrev is not null) AddInto(tape, C, dcPrev);
        }
    }
}
