using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>How a many-to-one model summarises a sequence.</summary>
public enum SequencePooling
{
    /// <summary>The final states of the last layer (each direction's, at each sequence's own last valid step).</summary>
    Last,

    /// <summary>Mean of the outputs over valid steps.</summary>
    Mean,

    /// <summary>Max of the outputs over valid steps, per feature.</summary>
    Max,
}

/// <summary>
/// Many-to-one paradigm (e.g. sentiment): a sequence in, one vector of class logits out.
/// <code>
///   tokens [B, T] (or features [B, T, F]) -> encoder -> pool over valid steps -> [B, D*H] -> dropout -> Linear -> logits [B, C]
/// </code>
/// </summary>
public sealed class SequenceClassifier : Module
{
    /// <summary>Token classifier.</summary>
    public SequenceClassifier(int vocabSize, int embeddingDim, RecurrentConfig rnn, int classes, SequencePooling pooling = SequencePooling.Last, float dropout = 0f, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(vocabSize, embeddingDim, rnn, r));
        (Dropout, Head) = (RegisterModule("dropout", new Dropout(dropout, r)), RegisterModule("head", new Linear(rnn.OutputSize, classes, rng: r)));
        Pooling = pooling;
    }

    /// <summary>Feature-sequence classifier (e.g. spectral frames, sensor readings).</summary>
    public SequenceClassifier(int features, RecurrentConfig rnn, int classes, SequencePooling pooling = SequencePooling.Last, float dropout = 0f, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(features, rnn, r));
        (Dropout, Head) = (RegisterModule("dropout", new Dropout(dropout, r)), RegisterModule("head", new Linear(rnn.OutputSize, classes, rng: r)));
        Pooling = pooling;
    }

    /// <summary>The reading half.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>Dropout on the pooled summary.</summary>
    public Dropout Dropout { get; }

    /// <summary>The classifier.</summary>
    public Linear Head { get; }

    /// <summary>How the sequence is summarised.</summary>
    public SequencePooling Pooling { get; }

    /// <summary>Logits [B, C] for tokens [B, T].</summary>
    public Var Logits(Tape tape, ReadOnlySpan<int> tokens, int batch, int steps, int[]? lengths) =>
        Classify(tape, Encoder.Encode(tape, tokens, batch, steps, lengths), lengths);

    /// <summary>Logits [B, C] for features [B, T, F].</summary>
    public Var Logits(Tape tape, Var features, int[]? lengths) => Classify(tape, Encoder.Encode(tape, features, lengths), lengths);

    private Var Classify(Tape tape, RecurrentVars r, int[]? lengths)
    {
        var summary = Pooling switch
        {
            SequencePooling.Mean => tape.MeanOverTime(r.Output, lengths),
            SequencePooling.Max => tape.MaxOverTime(r.Output, lengths),
            _ => tape.FinalStates(r.Hn, Encoder.Rnn.Directions),
        };
        return tape.Linear(Head, tape.Dropout(Dropout, summary));
    }
}
