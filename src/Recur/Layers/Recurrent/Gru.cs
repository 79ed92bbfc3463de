using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Gated recurrent unit layer (PyTorch's <c>nn.GRU</c>, batch-first). For each step t, in gate order r, z, n:
/// <code>
///   r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
///   z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
///   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))      reset after (default; PyTorch, cuDNN)
///   n_t = tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn)      resetAfter = false (Cho et al. 2014; Keras reset_after=False; ONNX linear_before_reset=0)
///   h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
/// </code>
/// weight_ih_l{k} [3H, I] stacks W_ir|W_iz|W_in; weight_hh_l{k} [3H, H]; biases [3H].
/// See <see cref="RecurrentLayer"/> for shapes, lengths and the state layout.
/// </summary>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates the layer with weights ~ U(-1/sqrt(H), 1/sqrt(H)) (or <paramref name="init"/>), drawn from <paramref name="rng"/> (default: <see cref="Rng.Default"/>).</summary>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool bias = true,
        float dropout = 0f, bool resetAfter = true, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null)
        : base(new CellSpec(CellKind.Gru, RnnNonlinearity.Tanh, resetAfter, inputSize, hiddenSize, 0, bias), numLayers, bidirectional, dropout, init, rng)
    {
    }

    /// <summary>True for PyTorch's reset-after candidate, false for the reset-before (Cho et al.) variant.</summary>
    public bool ResetAfter => Spec.ResetAfter;
}
