using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Time-series forecasting (many-to-one regression): a window of past values in, the next values out.
/// <code>
///   window [B, lookback, F] -> encoder -> final states [B, D*H] -> Linear -> [B, horizon * targets]
/// </code>
/// Train with MSE/MAE/Huber against the scaled targets; invert the scaler on predictions.
/// </summary>
public sealed class SequenceRegressor : Module
{
    /// <summary>Builds the model.</summary>
    public SequenceRegressor(int features, RecurrentConfig rnn, int outputs, Rng? rng = null)
    {
        var r = rng ?? Rng.Default;
        Encoder = RegisterModule("encoder", new SequenceEncoder(features, rnn, r));
        Head = RegisterModule("head", new Linear(rnn.OutputSize, outputs, rng: r));
    }

    /// <summary>The reading half.</summary>
    public SequenceEncoder Encoder { get; }

    /// <summary>The output layer.</summary>
    public Linear Head { get; }

    /// <summary>Predictions [B, outputs] for windows [B, T, F].</summary>
    public Var Predict(Tape tape, Var windows, int[]? lengths = null) =>
        tape.Linear(Head, tape.FinalStates(Encoder.Encode(tape, windows, lengths).Hn, Encoder.Rnn.Directions));
}
