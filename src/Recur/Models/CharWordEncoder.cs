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

    /// <summary>
    /// Vectors [N, 2·H_c] for the N word slots of <paramref name="chars"/>: each distinct word is read once and its
    /// vector copied to every slot it fills (a batch of sentences repeats "the" and "," many times).
    /// </summary>
    public Var Encode(Tape tape, CharBatch chars)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var r = tape.Recurrent(Rnn, Embedding, chars.Chars, chars.Lengths.Length, chars.Steps, lengths: chars.Lengths);
        return tape.GatherRows(tape.FinalStates(r.Hn, 2), chars.Slots);                         // [U, 2·H_c] -> [N, 2·H_c]
    }
}

/// <summary>
/// The characters of the N word slots of a padded batch of sentences ([B, T] slots, N = B·T), each distinct word once:
/// indices [U, L] of the U distinct words (L = the longest), their lengths [U], and for each slot the distinct word it
/// holds (padded slots hold word 0; their vectors are never used).
/// </summary>
/// <param name="Chars">[U, L] character indices, row-major.</param>
/// <param name="Lengths">[U] characters per distinct word, each in [1, L].</param>
/// <param name="Steps">L.</param>
/// <param name="Slots">[N] the distinct word of each slot.</param>
public readonly record struct CharBatch(int[] Chars, int[] Lengths, int Steps, int[] Slots)
{
    /// <summary>
    /// The words of the sentences picked by <paramref name="rows"/>, slots [B·T] with T = <paramref name="steps"/>:
    /// <paramref name="words"/>(s)[i] is word i of sentence s as character indices (at least one).
    /// </summary>
    public static CharBatch Pad(Func<int, int[][]> words, ReadOnlySpan<int> rows, int steps, int padIndex)
    {
        ArgumentNullException.ThrowIfNull(words);
        var distinct = new Dictionary<int[], int>(SequenceComparer.Instance);
        var list = new List<int[]>();
        var slots = new int[rows.Length * steps];
        int l = 1;
        for (int k = 0; k < rows.Length; k++)
        {
            var sentence = words(rows[k]);
            for (int i = 0; i < sentence.Length; i++)
            {
                if (!distinct.TryGetValue(sentence[i], out int u))
                {
                    distinct.Add(sentence[i], u = list.Count);
                    list.Add(sentence[i]);
                    l = Math.Max(l, sentence[i].Length);
                }
                slots[k * steps + i] = u;
            }
        }
        if (list.Count == 0) list.Add([padIndex]);
        var chars = new int[list.Count * l];
        var lengths = new int[list.Count];
        Array.Fill(chars, padIndex);
        for (int u = 0; u < list.Count; u++)
        {
            list[u].CopyTo(chars, u * l);
            lengths[u] = list[u].Length;
        }
        return new CharBatch(chars, lengths, l, slots);
    }

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public static readonly SequenceComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.AsSpan()));
            return h.ToHashCode();
        }
    }
}
