using System.Text.Json.Serialization;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>The recurrent part of a model: which cell, how wide, how deep, which directions (saved with the model).</summary>
/// <param name="Cell">The cell family: LSTM, GRU or a vanilla RNN.</param>
/// <param name="HiddenSize">H.</param>
/// <param name="NumLayers">Stacked layers.</param>
/// <param name="Bidirectional">Whether each layer also reads the sequence backwards.</param>
/// <param name="Dropout">Dropout between stacked layers (training only).</param>
/// <param name="Nonlinearity">For a vanilla RNN: tanh, relu or sigmoid.</param>
public sealed record RecurrentConfig(CellKind Cell = CellKind.Lstm, int HiddenSize = 128, int NumLayers = 1, bool Bidirectional = false,
    float Dropout = 0f, RnnNonlinearity Nonlinearity = RnnNonlinearity.Tanh)
{
    /// <summary>D * H: features per step of the layer's output.</summary>
    [JsonIgnore]
    public int OutputSize => (Bidirectional ? 2 : 1) * HiddenSize;

    /// <summary>Builds the layer for inputs of <paramref name="inputSize"/> features.</summary>
    public RecurrentLayer Build(int inputSize, Rng rng) => Cell switch
    {
        CellKind.Lstm => new Lstm(inputSize, HiddenSize, NumLayers, Bidirectional, dropout: Dropout, rng: rng),
        CellKind.Gru => new Gru(inputSize, HiddenSize, NumLayers, Bidirectional, dropout: Dropout, rng: rng),
        CellKind.Rnn => new Rnn(inputSize, HiddenSize, NumLayers, Nonlinearity, Bidirectional, dropout: Dropout, rng: rng),
        _ => throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "not a cell kind"),
    };

    /// <summary>Builds a single-step cell of this kind (for decoders).</summary>
    public RecurrentCell BuildCell(int inputSize, Rng rng) => Cell switch
    {
        CellKind.Lstm => new LstmCell(inputSize, HiddenSize, rng: rng),
        CellKind.Gru => new GruCell(inputSize, HiddenSize, rng: rng),
        CellKind.Rnn => new RnnCell(inputSize, HiddenSize, nonlinearity: Nonlinearity, rng: rng),
        _ => throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "not a cell kind"),
    };

    /// <summary>"LSTM(128) x2, bidirectional" — for people.</summary>
    public string Describe() =>
        $"{(Cell == CellKind.Rnn ? $"RNN-{Nonlinearity.ToString().ToLowerInvariant()}" : Cell.ToString().ToUpperInvariant())}({HiddenSize})"
        + (NumLayers > 1 ? $" x{NumLayers}" : "") + (Bidirectional ? ", bidirectional" : "");
}
