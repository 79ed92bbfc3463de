namespace Recur.IO.Conformance;

/// <summary>The recurrent layer a conformance case exercises; the metadata spells these as PyTorch's mode strings.</summary>
public enum RnnConformanceMode
{
    /// <summary><c>RNN_TANH</c>: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnTanh,
    /// <summary><c>RNN_RELU</c>: h' = relu(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnRelu,
    /// <summary><c>LSTM</c>: gates i, f, g, o (4H rows), optional projection weight_hr.</summary>
    Lstm,
    /// <summary><c>GRU</c>: gates r, z, n (3H rows), reset applied after the recurrent product.</summary>
    Gru,
}
