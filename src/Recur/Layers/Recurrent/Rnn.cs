using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Vanilla (Elman) recurrent layer (PyTorch's <c>nn.RNN</c>, batch-first):
/// <code>
///   h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),    act = tanh (default), relu or sigmoid
/// </code>
/// weight_ih_l{k} [H, I]; weight_hh_l{k} [H, H]; biases [H]. See <see cref="RecurrentLayer"/> for shapes and lengths.
/// </summary>
public sealed class Rnn : RecurrentLayer
{
    /// <summary>Creates the layer with weights ~ U(-1/sqrt(H), 1/sqrt(H)) (or <paramref name="init"/>), drawn from <paramref name="rng"/> (default: <see cref="Rng.Default"/>).</summary>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        bool bidirectional = false, bool bias = true, float dropout = 0f, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null)
        : base(new CellSpec(CellKind.Rnn, nonlinearity, true, inputSize, hiddenSize, 0, bias), numLayers, bidirectional, dropout, init, rng)
    {
    }

    /// <summary>The activation.</summary>
    public RnnNonlinearity Nonlinearity => Spec.Nonlinearity;
}
