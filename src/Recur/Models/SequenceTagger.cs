using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Many-to-many synchronized paradigm (tagging, per-step prediction): one output per input step.
/// <code>
///   tokens [B, T] (or features [B, T, F]) -> encoder -> [B, T, D*H] -> dropout -> Linear -> logits [B, T, C]
/// </code>
/// Train with cross-entropy whose targets hold the ignore index at padded steps.
/// </summary>
public sealed class SequenceTagger : Module
{
    /// <summary>Token tagger.</summary>
    public SequenceTagger(int vocabSize, int embeddingDim, RecurrentConfig rnn, int tags, float dropout = 0f, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(vocabSize, embeddingDim, rnn, r));
        Dropout = RegisterModule("dropout", new Dropout(dropout, r));
        Head = RegisterModule("head", new Linear(rnn.OutputSize, tags, rng: r));
    }

    /// <summary>Feature-sequence tagger (e.g. the notes' bit problems: one bit in, one bit out per step).</summary>
    public SequenceTagger(int features, RecurrentConfig rnn, int outputs, float dropout = 0f, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(features, rnn, r));
        Dropout = RegisterModule("dropout", new Dropout(dropout, r));
        Head = RegisterModule("head", new Linear(rnn.OutputSize, outputs, rng: r));
    }

    /// <summary>The reading half.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>Dropout on every step's features.</summary>
    public Dropout Dropout { get; }

    /// <summary>The per-step output layer.</summary>
    public Linear Head { get; }

    /// <summary>Logits [B, T, C] for tokens [B, T].</summary>
    public Var Logits(Tape tape, ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths) =>
        tape.Linear(Head, tape.Dropout(Dropout, Encoder.Encode(tape, tokens, batch, steps, lengths).Output));

    /// <summary>Logits [B, T, C] for features [B, T, F].</summary>
    public Var Logits(Tape tape, Var features, int[]? lengths) =>
        tape.Linear(Head, tape.Dropout(Dropout, Encoder.Encode(tape, features, lengths).Output));
}
