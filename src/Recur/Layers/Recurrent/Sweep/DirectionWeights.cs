using Recur.Kernels;

namespace Recur.Layers;

/// <summary>
/// The parameters of one layer in one direction and the cell definition that runs them. Held by the layer and shared
/// by every use of it; what one use computes, its packed copies of the weights included, lives in its
/// <see cref="DirectionSweep"/>.
/// </summary>
internal sealed class DirectionWeights
{
    public DirectionWeights(CellDefinition cell, bool reverse, Parameter wih, Parameter whh, Parameter? bih, Parameter? bhh, Parameter? whr, Parameter[] own)
    {
        Spec = cell.Spec;
        Cell = cell;
        Reverse = reverse;
        Wih = wih;
        Bih = bih;
        Bhh = bhh;
        Hidden = new PackedHiddenWeights(whh, bhh, whr, Cell.HiddenBlockRows, Spec.StateSize, own);
    }

    /// <summary>The cell math, with this layer's input size.</summary>
    public CellSpec Spec { get; }

    public CellDefinition Cell { get; }

    /// <summary>Whether this direction runs from the last step to the first.</summary>
    public bool Reverse { get; }

    /// <summary>weight_ih [G*H, In], bias_ih and bias_hh [G*H] (null without biases).</summary>
    public Parameter Wih { get; }
    public Parameter? Bih { get; }
    public Parameter? Bhh { get; }

    /// <summary>W_hh, b_hh and W_hr as the cell steps multiply them.</summary>
    public PackedHiddenWeights Hidden { get; }
}
