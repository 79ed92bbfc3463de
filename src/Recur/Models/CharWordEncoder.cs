using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Reads each word's spelling into a vector, so that a word never seen in training is still described by its
/// suffixes, capitals, digits and hyphens (Lample et al. 2016; Ling et al. 2015):
/// <code>
///   chars [N, L] (N words, L characters each, padded) -> Embedding(V_c, E_c) -> BiLSTM(H_c), lengths [N]
///   -> [h_n forward | h_n reverse] -> [N, 2·H_c]
/// </code>
/// Parameter names: <c>embedding.weight</c>, <c>rnn.*</c> (a one-layer bidirectional PyTorch <c>nn.LSTM</c>).
/// </summary>
public sealed class CharWordEncoder : Module
{
    /// <summary>Creates the encoder.</summary>
    /// <param name="vocabSize">V_c, characters.</param>
    /// <param name="embeddingDim">E_c.</param>
    /// <param name="hiddenSize">H_c per direction.</param>
    /// <param name="paddingIndex">The padding character (its embedding stays zero), or null.</param>
    /// <param name="rng">Initialises the weights.</param>
    public CharWordEncoder(int vocabSize, int embeddingDim, int hiddenSize, int? paddingIndex, Rng rng)
    {
        Embedding = RegisterModule("embedding", new Embedding(vocabSize, embeddingDim, paddingIndex, rng));
        Rnn = RegisterModule("rnn", new Lstm(embeddingDim, hiddenSize, bidirectional: true, rng: rng));
    }

    /// <summary>The character table.</summary>
    public Embedding Embedding { get; }

    /// <summary>The bidirectional LSTM over each word's characters.</summary>
    public Lstm Rnn { get; }

    /// <summary>2·H_c, features per word.</summary>
    public int OutputSize => 2 * Rnn.HiddenSize;

    /// <summary>Vectors [N, 2·H_c] for <paramref name="chars"/> [N, L] with <paramref name="lengths"/> [N] (each in [1, L]).</summary>
    public Var Encode(Tape tape, ReadOnlySpan<int> chars, int words, int length, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var r = tape.Recurrent(Rnn, Embedding, chars, words, length, lengths: lengths);
        return tape.FinalStates(r.Hn, 2);
    }
}
