using System.Globalization;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.IO.Conformance;

/// <summary>
/// One PyTorch reference case for a recurrent layer, read from a safetensors file in the <c>rnn-conformance/1</c>
/// layout (see tests/fixtures/rnn-conformance/README.md): the layer configuration from <c>__metadata__</c>, the
/// state_dict under PyTorch's names, the inputs, the upstream gradients that define the loss
/// L = sum(output * upstream) + sum(h_n * upstream.h_n) + sum(c_n * upstream.c_n), and the expected outputs and
/// gradients. Loading checks that every tensor the configuration calls for is present with its exact shape and that
/// nothing else is, so a case that loads is complete. Shapes: B batch, T steps, I input_size, H hidden_size,
/// Hout = proj_size or H, L num_layers, D = 2 if bidirectional else 1.
/// </summary>
public sealed class RnnConformanceCase
{
    /// <summary>The <c>format</c> metadata value this class reads.</summary>
    public const string FormatName = "rnn-conformance/1";

    private RnnConformanceCase(string path) => Path = path;

    /// <summary>The file the case was read from.</summary>
    public string Path { get; }

    /// <summary>The file name without directory and extension, e.g. <c>lstm_l2_bi_h0_lengths_hn</c>.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The layer type.</summary>
    public RnnConformanceMode Mode { get; private init; }

    /// <summary>I: features per input step.</summary>
    public int InputSize { get; private init; }

    /// <summary>H: hidden (and cell) state size.</summary>
    public int HiddenSize { get; private init; }

    /// <summary>L: stacked layers.</summary>
    public int NumLayers { get; private init; }

    /// <summary>True for a bidirectional layer (D = 2).</summary>
    public bool Bidirectional { get; private init; }

    /// <summary>False when the layer has no bias_ih / bias_hh.</summary>
    public bool Bias { get; private init; }

    /// <summary>LSTM projection size (PyTorch's proj_size); 0 for none.</summary>
    public int ProjSize { get; private init; }

    /// <summary>D: 2 for bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Hout: size of h and of each direction's output features (ProjSize when set, else HiddenSize).</summary>
    public int OutputSize => ProjSize > 0 ? ProjSize : HiddenSize;

    /// <summary>B, from the input.</summary>
    public int BatchSize => Input.Dim(0);

    /// <summary>T, from the input.</summary>
    public int SequenceLength => Input.Dim(1);

    /// <summary>Comparison tolerances (the format's defaults unless the metadata overrides them).</summary>
    public ConformanceTolerances Tolerances { get; private init; } = ConformanceTolerances.Default;

    /// <summary>The parameter names in PyTorch's state_dict order.</summary>
    public IReadOnlyList<string> ParameterNames { get; private init; } = [];

    /// <summary>The state_dict: PyTorch parameter name to tensor (e.g. weight_ih_l0 [G*H, I], G = 1 / 4 / 3 for RNN / LSTM / GRU).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters { get; private init; } = new Dictionary<string, Tensor>();

    /// <summary>input [B, T, I] (batch-first); for variable lengths the steps t &gt;= length hold non-zero junk.</summary>
    public Tensor Input { get; private init; } = null!;

    /// <summary>Initial hidden state h0 [L*D, B, Hout], or null for zeros.</summary>
    public Tensor? H0 { get; private init; }

    /// <summary>Initial cell state c0 [L*D, B, H] (LSTM), or null for zeros.</summary>
    public Tensor? C0 { get; private init; }

    /// <summary>Valid steps per sequence [B] (any order, each in 1..T), or null when every sequence has T steps.</summary>
    public long[]? Lengths { get; private init; }

    /// <summary>dL/d output [B, T, D*Hout].</summary>
    public Tensor Upstream { get; private init; } = null!;

    /// <summary>dL/d h_n [L*D, B, Hout], or null when the loss does not involve h_n.</summary>
    public Tensor? UpstreamHn { get; private init; }

    /// <summary>dL/d c_n [L*D, B, H] (LSTM), or null when the loss does not involve c_n.</summary>
    public Tensor? UpstreamCn { get; private init; }

    /// <summary>
    /// Expectations keyed by their name without the <c>expected.</c> prefix: <c>output</c> [B, T, D*Hout], <c>h_n</c>
    /// [L*D, B, Hout], <c>c_n</c> [L*D, B, H] (LSTM), <c>grad.input</c> [B, T, I], <c>grad.h0</c> and <c>grad.c0</c>
    /// (when h0 / c0 are given), and <c>grad.&lt;parameter name&gt;</c> for every parameter.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Expected { get; private init; } = new Dictionary<string, Tensor>();

    /// <summary>True when <paramref name="expectedName"/> (a key of <see cref="Expected"/>) is compared with the gradient tolerances.</summary>
    public static bool IsGradient(string expectedName) => expectedName.StartsWith("grad.", StringComparison.Ordinal);

    /// <summary>Reads and validates the case at <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors, or it lacks metadata or tensors the
    /// format requires, has tensors it does not define, or a tensor of the wrong shape; the message names the file,
    /// the tensor and the expected and actual values.</exception>
    public static RnnConformanceCase Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        return new Loader(file).Load();
    }

    /// <summary>
    /// The state_dict of a configuration in PyTorch's order (per layer, per direction: weight_ih, weight_hh, bias_ih,
    /// bias_hh, weight_hr) with the shapes: weight_ih_l{k} [G*H, k == 0 ? I : D*Hout], weight_hh_l{k} [G*H, Hout],
    /// biases [G*H], weight_hr_l{k} [proj_size, H]; G = 1 (RNN), 4 (LSTM), 3 (GRU); reverse directions add _reverse.
    /// </summary>
    public static IReadOnlyList<(string Name, int[] Shape)> ParameterShapes(RnnConformanceMode mode, int inputSize,
        int hiddenSize, int numLayers, bool bidirectional, bool bias, int projSize)
    {
        int gates = mode switch { RnnConformanceMode.Lstm => 4, RnnConformanceMode.Gru => 3, _ => 1 };
        int d = bidirectional ? 2 : 1, gh = gates * hiddenSize, hout = projSize > 0 ? projSize : hiddenSize;
        var result = new List<(string, int[])>();
        for (int layer = 0; layer < numLayers; layer++)
            for (int dir = 0; dir < d; dir++)
            {
                string suffix = $"_l{layer}" + (dir == 1 ? "_reverse" : "");
                result.Add(("weight_ih" + suffix, [gh, layer == 0 ? inputSize : d * hout]));
                result.Add(("weight_hh" + suffix, [gh, hout]));
                if (bias)
                {
                    result.Add(("bias_ih" + suffix, [gh]));
                    result.Add(("bias_hh" + suffix, [gh]));
                }
                if (projSize > 0) result.Add(("weight_hr" + suffix, [projSize, hiddenSize]));
            }
        return result;
    }

    /// <summary>Reads a file while tracking which tensors were consumed, so that leftovers can be reported.</summary>
    private sealed class Loader(SafetensorsFile file)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public RnnConformanceCase Load()
        {
            string format = Meta("format");
            if (format != FormatName) throw Fail(null, $"metadata format is '{format}', expected '{FormatName}'");
            var mode = Meta("mode") switch
            {
                "RNN_TANH" => RnnConformanceMode.RnnTanh,
                "RNN_RELU" => RnnConformanceMode.RnnRelu,
                "LSTM" => RnnConformanceMode.Lstm,
                "GRU" => RnnConformanceMode.Gru,
                var other => throw Fail(null, $"metadata mode is '{other}', expected RNN_TANH, RNN_RELU, LSTM or GRU"),
            };
            int inputSize = IntMeta("input_size", 1), hiddenSize = IntMeta("hidden_size", 1), numLayers = IntMeta("num_layers", 1);
            bool bidirectional = BoolMeta("bidirectional"), bias = BoolMeta("bias");
            int projSize = IntMeta("proj_size", 0);
            if (!BoolMeta("batch_first")) throw Fail(null, "metadata batch_first is 'false'; the format stores batch-first tensors only");
            if (projSize > 0 && mode != RnnConformanceMode.Lstm) throw Fail(null, $"metadata proj_size is {projSize} but only LSTM has projections");
            if (projSize >= hiddenSize && projSize > 0) throw Fail(null, $"metadata proj_size {projSize} must be smaller than hidden_size {hiddenSize}");
            var tolerances = ConformanceTolerances.FromMetadata(file.Metadata, problem => Fail(null, problem));

            bool lstm = mode == RnnConformanceMode.Lstm;
            int d = bidirectional ? 2 : 1, hout = projSize > 0 ? projSize : hiddenSize, ld = numLayers * d;

            var parameterShapes = ParameterShapes(mode, inputSize, hiddenSize, numLayers, bidirectional, bias, projSize);
            var names = parameterShapes.Select(p => p.Name).ToArray();
            var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, shape) in parameterShapes) parameters[name] = Required(name, shape);

            var input = Required("input", "[B, T, I]", shape => shape.Length == 3 && shape[2] == inputSize && shape[0] > 0 && shape[1] > 0,
                $"[B, T, {inputSize}] with B, T >= 1");
            int b = input.Dim(0), t = input.Dim(1);
            var h0 = Optional("h0", ld, b, hout);
            var c0 = lstm ? Optional("c0", ld, b, hiddenSize) : null;
            if (lstm && (h0 is null) != (c0 is null)) throw Fail(h0 is null ? "c0" : "h0", "an LSTM case gives h0 and c0 together or neither");
            long[]? lengths = ReadLengths(b, t);

            var expected = new Dictionary<string, Tensor>(StringComparer.Ordinal)
            {
                ["output"] = Required("expected.output", b, t, d * hout),
                ["h_n"] = Required("expected.h_n", ld, b, hout),
            };
            if (lstm) expected["c_n"] = Required("expected.c_n", ld, b, hiddenSize);
            expected["grad.input"] = Required("expected.grad.input", b, t, inputSize);
            if (h0 is not null) expected["grad.h0"] = Required("expected.grad.h0", ld, b, hout);
            if (c0 is not null) expected["grad.c0"] = Required("expected.grad.c0", ld, b, hiddenSize);
            foreach (string name in names) expected["grad." + name] = Required("expected.grad." + name, parameters[name].Shape.ToArray());

            var result = new RnnConformanceCase(file.Source)
            {
                Mode = mode,
                InputSize = inputSize,
                HiddenSize = hiddenSize,
                NumLayers = numLayers,
                Bidirectional = bidirectional,
                Bias = bias,
                ProjSize = projSize,
                Tolerances = tolerances,
                ParameterNames = names,
                Parameters = parameters,
                Input = input,
                H0 = h0,
                C0 = c0,
                Lengths = lengths,
                Upstream = Required("upstream", b, t, d * hout),
                UpstreamHn = Optional("upstream.h_n", ld, b, hout),
                UpstreamCn = lstm ? Optional("upstream.c_n", ld, b, hiddenSize) : null,
                Expected = expected,
            };
            var extra = file.Tensors.Select(x => x.Name).Where(n => !_used.Contains(n)).ToList();
            if (extra.Count > 0)
                throw Fail(extra[0], $"the format does not define this tensor for a {Meta("mode")} case with num_layers={numLayers}, " +
                    $"bidirectional={bidirectional.ToString().ToLowerInvariant()}, bias={bias.ToString().ToLowerInvariant()}, proj_size={projSize}" +
                    (extra.Count > 1 ? $" (nor {string.Join(", ", extra.Skip(1).Select(n => $"'{n}'"))})" : ""));
            return result;
        }

        private long[]? ReadLengths(int b, int t)
        {
            if (!file.Contains("lengths")) return null;
            var info = Use("lengths");
            if (info.DType is not (SafetensorsDType.I64 or SafetensorsDType.I32))
                throw Fail("lengths", $"expected dtype I64, got {info.DType}");
            if (!Shape.Equal(info.Shape, [b])) throw Fail("lengths", $"expected shape [{b}] (B), got {Shape.Format(info.Shape)}");
            long[] lengths = file.ReadInt64("lengths");
            for (int i = 0; i < lengths.Length; i++)
                if (lengths[i] < 1 || lengths[i] > t) throw Fail("lengths", $"lengths[{i}] is {lengths[i]}, outside 1..{t} (T)");
            return lengths;
        }

        private string Meta(string key) =>
            file.Metadata.TryGetValue(key, out var v) ? v : throw Fail(null, $"metadata lacks '{key}' (the {FormatName} format requires it)");

        private int IntMeta(string key, int min)
        {
            string text = Meta(key);
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min)
                throw Fail(null, $"metadata {key} must be an integer >= {min}, got '{text}'");
            return v;
        }

        private bool BoolMeta(string key) => Meta(key) switch
        {
            "true" => true,
            "false" => false,
            var other => throw Fail(null, $"metadata {key} must be 'true' or 'false', got '{other}'"),
        };

        private SafetensorsTensorInfo Use(string name)
        {
            _used.Add(name);
            return file.GetInfo(name);
        }

        private Tensor Required(string name, params int[] shape) =>
            Required(name, Shape.Format(shape), s => Shape.Equal(s, shape), Shape.Format(shape));

        private Tensor Required(string name, string symbolic, Func<int[], bool> fits, string expectedText)
        {
            if (!file.Contains(name)) throw Fail(name, $"missing (the case needs it, shape {symbolic})");
            var info = Use(name);
            if (!info.DType.IsFloat()) throw Fail(name, $"expected a float tensor (F32), got {info.DType}");
            int[] shape = info.Shape.ToArray();
            if (!fits(shape)) throw Fail(name, $"expected shape {expectedText}, got {Shape.Format(shape)}");
            return file.ReadTensor(name);
        }

        private Tensor? Optional(string name, params int[] shape) => file.Contains(name) ? Required(name, shape) : null;

        private SafetensorsFormatException Fail(string? tensor, string problem) => new(file.Source, tensor, problem);
    }
}
