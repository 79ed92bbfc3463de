using Recur.Tensors;

namespace Recur.Layers;

/// <summary>What a recurrent layer's forward returns (PyTorch's <c>output, (h_n, c_n)</c>), batch-first.</summary>
/// <param name="Output">[B, T, D*S]: the last layer's h at every step, features [forward | reverse]; exactly 0 at t &gt;= length.</param>
/// <param name="Hn">[L*D, B, S]: final h of every layer and direction, indexed layer*D + direction.</param>
/// <param name="Cn">[L*D, B, H]: final cell states (LSTM only, else null).</param>
public sealed record RecurrentResult(Tensor Output, Tensor Hn, Tensor? Cn);

/// <summary>What a recurrent layer's backward returns; parameter gradients are added to each <see cref="Parameter.Grad"/>.</summary>
/// <param name="Input">∂L/∂input [B, T, I] (exactly 0 at padded steps).</param>
/// <param name="H0">∂L/∂h0 [L*D, B, S].</param>
/// <param name="C0">∂L/∂c0 [L*D, B, H] (LSTM only, else null).</param>
public sealed record RecurrentGradients(Tensor Input, Tensor H0, Tensor? C0);
