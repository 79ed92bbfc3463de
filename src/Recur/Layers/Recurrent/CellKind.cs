namespace Recur.Layers;

/// <summary>The recurrent cell family; fixes the number of gate blocks G in W_ih [G*H, I].</summary>
public enum CellKind
{
    /// <summary>Vanilla (Elman) RNN, G = 1.</summary>
    Rnn,

    /// <summary>Long short-term memory, G = 4 (i, f, g, o).</summary>
    Lstm,

    /// <summary>Gated recurrent unit, G = 3 (r, z, n).</summary>
    Gru,
}

/// <summary>Variants of the LSTM cell beyond PyTorch's (each is one <see cref="CellDefinition"/>).</summary>
public enum LstmVariant
{
    /// <summary>PyTorch's <c>nn.LSTM</c> cell.</summary>
    Standard,

    /// <summary>
    /// Peephole connections (Gers and Schmidhuber 2000; ONNX LSTM's input P): i and f also read p_i ⊙ c_{t-1} and
    /// p_f ⊙ c_{t-1}, o reads p_o ⊙ c_t; parameter <c>weight_ph_l{k}</c> [3H] = [p_i | p_f | p_o].
    /// </summary>
    Peephole,
}

/// <summary>What fixes a recurrent cell's math: family, nonlinearity (RNN), GRU reset placement, LSTM projection and variant.</summary>
/// <param name="Kind">The cell family.</param>
/// <param name="Nonlinearity">Vanilla RNN activation (ignored for LSTM/GRU).</param>
/// <param name="ResetAfter">GRU: apply the reset gate after the recurrent matmul (PyTorch) or before it (Cho et al., Keras reset_after=False).</param>
/// <param name="InputSize">I, features of the input.</param>
/// <param name="HiddenSize">H, units per gate block.</param>
/// <param name="ProjSize">LSTM projection size P (0 = none); the hidden state h then has P features.</param>
/// <param name="Bias">Whether b_ih and b_hh exist.</param>
public readonly record struct CellSpec(CellKind Kind, RnnNonlinearity Nonlinearity, bool ResetAfter, int InputSize, int HiddenSize, int ProjSize, bool Bias)
{
    /// <summary>Number of gate blocks G.</summary>
    public int Gates => CellRegistry.Gates(Kind);

    /// <summary>Whether the cell carries a cell state c [B, H] beside h (LSTM).</summary>
    public bool HasCellState => CellRegistry.HasCellState(Kind);

    /// <summary>The LSTM variant (<see cref="LstmVariant.Standard"/> for the other families).</summary>
    public LstmVariant Variant { get; init; }

    /// <summary>Features of the hidden state h: P when projected, else H.</summary>
    public int StateSize => ProjSize > 0 ? ProjSize : HiddenSize;
}
