using Recur.Layers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>The recurrent part of a model: which cell, how wide, how deep, which directions (saved in checkpoints).</summary>
/// <param name="Cell">"lstm", "gru" or "rnn".</param>
/// <param name="HiddenSize">H.</param>
/// <param name="NumLayers">Stacked layers.</param>
/// <param name="Bidirectional">Whether each layer also reads the sequence backwards.</param>
/// <param name="Dropout">Dropout between stacked layers (training only).</param>
/// <param name="Nonlinearity">For "rnn": "tanh", "relu" or "sigmoid".</param>
public sealed record RecurrentConfig(string Cell = "lstm", int HiddenSize = 128, int NumLayers = 1, bool Bidirectional = false, float Dropout = 0f, string Nonlinearity = "tanh")
{
    /// <summary>D * H: features per step of the layer's output.</summary>
    public int OutputSize => (Bidirectional ? 2 : 1) * HiddenSize;

    /// <summary>Builds the layer for inputs of <paramref name="inputSize"/> features.</summary>
    public RecurrentLayer Build(int inputSize, Rng rng) => Cell switch
    {
        "lstm" => new Lstm(inputSize, HiddenSize, NumLayers, Bidirectional, dropout: Dropout, rng: rng),
        "gru" => new Gru(inputSize, HiddenSize, NumLayers, Bidirectional, dropout: Dropout, rng: rng),
        "rnn" => new Rnn(inputSize, HiddenSize, NumLayers, ParseNonlinearity(Nonlinearity), Bidirectional, dropout: Dropout, rng: rng),
        _ => throw new ArgumentException($"Cell must be lstm, gru or rnn, got '{Cell}'"),
    };

    /// <summary>Builds a single-step cell of this kind (for decoders).</summary>
    public RecurrentCell BuildCell(int inputSize, Rng rng) => Cell switch
    {
        "lstm" => new LstmCell(inputSize, HiddenSize, rng: rng),
        "gru" => new GruCell(inputSize, HiddenSize, rng: rng),
        "rnn" => new RnnCell(inputSize, HiddenSize, nonlinearity: ParseNonlinearity(Nonlinearity), rng: rng),
        _ => throw new ArgumentException($"Cell must be lstm, gru or rnn, got '{Cell}'"),
    };

    private static RnnNonlinearity ParseNonlinearity(string s) => s switch
    {
        "tanh" => RnnNonlinearity.Tanh,
        "relu" => RnnNonlinearity.Relu,
        "sigmoid" => RnnNonlinearity.Sigmoid,
        _ => throw new ArgumentException($"Nonlinearity must be tanh, relu or sigmoid, got '{s}'"),
    };
}
