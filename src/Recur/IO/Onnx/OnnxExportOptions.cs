namespace Recur.IO.Onnx;

/// <summary>What an exported graph exposes besides its main input and output.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Adds initial-state inputs <c>h0</c> [L*D, batch, H] (and <c>c0</c> for LSTM) and final-state outputs <c>hn</c>,
    /// <c>cn</c> of the same shapes, indexed layer*D + direction as in Recur and PyTorch. Without it the initial
    /// state is zero and only the sequence output is returned.
    /// </summary>
    public bool States { get; init; }

    /// <summary>
    /// Adds an int32 input <c>lengths</c> [batch] (each in 1..steps), passed to every recurrent node as
    /// sequence_lens: outputs past a sequence's length are 0 and the final states are those after its last valid step.
    /// </summary>
    public bool Lengths { get; init; }

    /// <summary>For a language model, also outputs <c>probs</c> = softmax(logits) over the vocabulary.</summary>
    public bool Probabilities { get; init; }
}
