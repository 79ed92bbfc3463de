namespace Recur.Models;

/// <summary>
/// The shape of an <see cref="EncoderDecoder"/>, declared once and saved with the model.
/// </summary>
/// <param name="SourceVocab">V_s, source tokens.</param>
/// <param name="TargetVocab">V_t, target tokens (specials included).</param>
/// <param name="SourceEmbeddingDim">E_s, features per source token.</param>
/// <param name="TargetEmbeddingDim">E_t, features per target token.</param>
/// <param name="Encoder">The encoder's recurrent stack (bidirectional and several layers allowed; its Dropout applies between layers).</param>
/// <param name="Decoder">The decoder's cell kind, width H and layers (unidirectional; its Dropout applies between layers).</param>
/// <param name="Attention">How the decoder scores source steps.</param>
/// <param name="AttentionDim">A, hidden units of additive attention; 0 = H.</param>
/// <param name="Dropout">Dropout on the embedded tokens of both sides and on the attentional vector before the output layer.</param>
/// <param name="SourcePaddingIndex">A source token whose embedding stays zero, or null.</param>
/// <param name="TargetPaddingIndex">A target token whose embedding stays zero, or null.</param>
public sealed record EncoderDecoderConfig(int SourceVocab, int TargetVocab, int SourceEmbeddingDim, int TargetEmbeddingDim,
    RecurrentConfig Encoder, RecurrentConfig Decoder, AttentionKind Attention = AttentionKind.Dot, int AttentionDim = 0,
    float Dropout = 0f, int? SourcePaddingIndex = null, int? TargetPaddingIndex = null)
{
    /// <summary>Checks the sizes.</summary>
    /// <exception cref="ArgumentException">A size out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Encoder);
        ArgumentNullException.ThrowIfNull(Decoder);
        if (SourceVocab < 1 || TargetVocab < 1) throw new ArgumentException($"vocabularies must be non-empty, got source {SourceVocab}, target {TargetVocab}");
        if (SourceEmbeddingDim < 1 || TargetEmbeddingDim < 1) throw new ArgumentException($"embedding sizes must be at least 1, got {SourceEmbeddingDim}, {TargetEmbeddingDim}");
        if (Decoder.Bidirectional) throw new ArgumentException("the decoder writes left to right: it cannot be bidirectional", nameof(Decoder));
        if (Decoder.NumLayers < 1 || Encoder.NumLayers < 1) throw new ArgumentException($"layers must be at least 1, got encoder {Encoder.NumLayers}, decoder {Decoder.NumLayers}");
        if (AttentionDim < 0) throw new ArgumentException($"AttentionDim must be >= 0, got {AttentionDim}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1), got {Dropout}");
    }
}
