using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Long short-term memory layer (PyTorch's <c>nn.LSTM</c>, batch-first). For each step t, in gate order i, f, g, o:
/// <code>
///   i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
///   f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
///   g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
///   o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
///   c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
///   h_t = o_t ⊙ tanh(c_t)                      (with projSize P: h_t = W_hr (o_t ⊙ tanh(c_t)), so h has P features)
/// </code>
/// weight_ih_l{k} [4H, I] stacks W_ii|W_if|W_ig|W_io; weight_hh_l{k} [4H, S]; biases [4H]; weight_hr_l{k} [P, H].
/// The <see cref="LstmVariant.Peephole"/> variant adds weight_ph_l{k} [3H] (see <see cref="LstmVariant"/>).
/// See <see cref="RecurrentLayer"/> for shapes, lengths and the state layout.
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates the layer with weights ~ U(-1/sqrt(H), 1/sqrt(H)) (or <paramref name="init"/>), drawn from <paramref name="rng"/> (default: <see cref="Rng.Default"/>).</summary>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false, bool bias = true,
        float dropout = 0f, int projSize = 0, RecurrentInit init = RecurrentInit.PyTorch, Rng? rng = null, LstmVariant variant = LstmVariant.Standard)
        : base(new CellSpec(CellKind.Lstm, RnnNonlinearity.Tanh, true, inputSize, hiddenSize, projSize, bias) { Variant = variant }, numLayers, bidirectional, dropout, init, rng)
    {
    }

    /// <summary>The cell variant (<see cref="LstmVariant"/>): PyTorch's, or one with peepholes.</summary>
    public LstmVariant Variant => Spec.Variant;
}
