using Recur.Layers;

namespace Recur.IO.Onnx;

/// <summary>
/// The attributes of an ONNX RNN, GRU or LSTM node, parsed and checked: cell family, directions, hidden size,
/// activations (D groups of 1, 2 or 3: f; f, g; f, g, h), clip, LSTM input_forget, GRU linear_before_reset and
/// layout (0: X [T, B, I], Y [T, D, B, H]; 1: X [B, T, I], Y [B, T, D, H]).
/// </summary>
internal sealed record OnnxRecurrentSpec(CellKind Kind, bool Forward, bool Reverse, int? HiddenSize,
    OnnxActivation[] Activations, float? Clip, bool InputForget, bool LinearBeforeReset, int Layout)
{
    public static readonly string[] RnnAttributes = ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout"];
    public static readonly string[] GruAttributes = [.. RnnAttributes, "linear_before_reset"];
    public static readonly string[] LstmAttributes = [.. RnnAttributes, "input_forget"];

    /// <summary>G, gate blocks per direction.</summary>
    public int Gates => Kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>D, 2 when bidirectional.</summary>
    public int Directions => Forward && Reverse ? 2 : 1;

    /// <summary>Activations per direction: f (RNN); f, g (GRU); f, g, h (LSTM).</summary>
    public int ActivationsPerDirection => Kind switch { CellKind.Lstm => 3, CellKind.Gru => 2, _ => 1 };

    /// <summary>Whether direction index <paramref name="d"/> runs from the last step to the first.</summary>
    public bool IsReverse(int d) => Reverse && (d == 1 || !Forward);

    /// <summary>Activation <paramref name="k"/> (0 = f, 1 = g, 2 = h) of direction <paramref name="d"/>.</summary>
    public OnnxActivation Activation(int d, int k) => Activations[d * ActivationsPerDirection + k];

    public static OnnxRecurrentSpec Parse(OnnxNode node, CellKind kind)
    {
        string direction = node.String("direction") ?? "forward";
        (bool fwd, bool rev) = direction switch
        {
            "forward" => (true, false),
            "reverse" => (false, true),
            "bidirectional" => (true, true),
            _ => throw node.Unsupported("direction", $"'{direction}' is not forward, reverse or bidirectional"),
        };
        int d = fwd && rev ? 2 : 1;
        int? hidden = node.Has("hidden_size") ? node.IntIn("hidden_size", 0, 1, int.MaxValue) : null;
        int per = kind switch { CellKind.Lstm => 3, CellKind.Gru => 2, _ => 1 };
        string[] defaults = kind switch
        {
            CellKind.Lstm => ["Sigmoid", "Tanh", "Tanh"],
            CellKind.Gru => ["Sigmoid", "Tanh"],
            _ => ["Tanh"],
        };
        string[] names = node.Strings("activations") ?? [.. Enumerable.Repeat(defaults, d).SelectMany(a => a)];
        if (names.Length != d * per)
            throw node.Invalid($"attribute 'activations' has {names.Length} entries; {node.OpType} with direction {direction} needs {d * per} ({per} per direction)");
        var activations = OnnxActivation.Parse(node, names, node.Floats("activation_alpha"), node.Floats("activation_beta"));
        float? clip = node.Has("clip") ? node.Float("clip", 0) : null;
        if (clip is { } c && !(c > 0)) throw node.Unsupported("clip", $"the threshold must be positive, got {c}");
        bool inputForget = kind == CellKind.Lstm && node.IntIn("input_forget", 0, 0, 1) == 1;
        bool lbr = kind == CellKind.Gru && node.IntIn("linear_before_reset", 0, 0, 1) == 1;
        int layout = node.IntIn("layout", 0, 0, 1);
        return new OnnxRecurrentSpec(kind, fwd, rev, hidden, activations, clip, inputForget, lbr, layout);
    }

    /// <summary>
    /// True when a Recur layer computes exactly this node: forward or bidirectional, the default activations (or for
    /// RNN the same Tanh, Relu or Sigmoid in every direction), no clip and no input_forget.
    /// </summary>
    public bool MatchesRecurLayer(out RnnNonlinearity nonlinearity)
    {
        nonlinearity = RnnNonlinearity.Tanh;
        if (!Forward || Clip is not null || InputForget) return false;
        if (Kind == CellKind.Rnn && Activations.Any(a => a.Kind != Activations[0].Kind)) return false;
        for (int d = 0; d < Directions; d++)
        {
            bool standard = Kind switch
            {
                CellKind.Lstm => Activation(d, 0).Kind == OnnxActivation.Function.Sigmoid && Activation(d, 1).Kind == OnnxActivation.Function.Tanh
                    && Activation(d, 2).Kind == OnnxActivation.Function.Tanh,
                CellKind.Gru => Activation(d, 0).Kind == OnnxActivation.Function.Sigmoid && Activation(d, 1).Kind == OnnxActivation.Function.Tanh,
                _ => Activation(d, 0).Kind is OnnxActivation.Function.Tanh or OnnxActivation.Function.Relu or OnnxActivation.Function.Sigmoid,
            };
            if (!standard) return false;
        }
        if (Kind == CellKind.Rnn)
            nonlinearity = Activations[0].Kind switch
            {
                OnnxActivation.Function.Relu => RnnNonlinearity.Relu,
                OnnxActivation.Function.Sigmoid => RnnNonlinearity.Sigmoid,
                _ => RnnNonlinearity.Tanh,
            };
        return true;
    }
}
