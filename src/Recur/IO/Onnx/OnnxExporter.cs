using Google.Protobuf;
using Recur.IO.Onnx.Protos;
using Recur.IO.Safetensors;
using Recur.Layers;
using Recur.Models;

namespace Recur.IO.Onnx;

/// <summary>
/// Writes Recur models as ONNX (opset <see cref="Opset"/>, IR version 7) that ONNX runtimes and Recur's own
/// <see cref="OnnxModel"/> run. Graph inputs and outputs are batch-first like Recur; inside, each layer (and
/// direction pair) of a recurrent stack is one RNN/GRU/LSTM node in layout 0 (time-major X [T, B, I],
/// Y [T, D, B, H]), the layout every runtime implements, with Transposes at the edges and a Transpose+Reshape
/// (Squeeze when unidirectional) turning Y into the next layer's [T, B, D*H] input. Weights are converted to ONNX
/// gate order (LSTM i, o, f, c; GRU z, r, h) with B = [b_ih, b_hh]; a reset-after GRU sets linear_before_reset = 1.
/// Dropout is an identity at inference and is not exported. LSTM projections (projSize) have no ONNX equivalent and
/// are refused.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The default-domain operator set the exported graphs use.</summary>
    public const int Opset = 14;

    /// <summary>
    /// Exports a recurrent stack: input <c>input</c> float [batch, steps, I] -> output <c>output</c>
    /// [batch, steps, D*H] (plus <c>h0</c>/<c>c0</c>, <c>hn</c>/<c>cn</c> and <c>lengths</c> per <paramref name="options"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">The layer is an LSTM with a projection.</exception>
    public static void Export(RecurrentLayer layer, string path, OnnxExportOptions? options = null)
    {
        var model = Build(layer, options ?? new OnnxExportOptions());
        Write(model, path);
    }

    /// <summary>
    /// Exports a character language model: input <c>tokens</c> int64 [batch, steps] -> output <c>logits</c> float
    /// [batch, steps, V] (plus <c>probs</c>, states and lengths per <paramref name="options"/>). Embedding becomes
    /// Gather, the head MatMul + Add.
    /// </summary>
    /// <exception cref="NotSupportedException">The recurrent stack is an LSTM with a projection.</exception>
    public static void Export(CharLanguageModel model, string path, OnnxExportOptions? options = null)
    {
        var proto = Build(model, options ?? new OnnxExportOptions());
        Write(proto, path);
    }

    internal static ModelProto Build(RecurrentLayer layer, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        CheckExportable(layer);
        var g = new OnnxGraphBuilder("recur_" + layer.GetType().Name.ToLowerInvariant());
        g.Input("input", OnnxElementType.Float, "batch", "steps", layer.InputSize);
        string x = g.Node("Transpose", "", ["input"], 1, OnnxGraphBuilder.Ints("perm", 1, 0, 2))[0];
        string y = Stack(g, layer, "rnn/", x, options);
        g.NodeTo("Transpose", "", [y], "output", OnnxGraphBuilder.Ints("perm", 1, 0, 2));
        g.Output("output", OnnxElementType.Float, "batch", "steps", layer.Directions * layer.HiddenSize);
        return g.Model(Opset, $"Recur {layer.GetType().Name}: {layer.NumLayers} layer(s), {(layer.Bidirectional ? "bidirectional" : "unidirectional")}, hidden size {layer.HiddenSize}");
    }

    internal static ModelProto Build(CharLanguageModel model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckExportable(model.Rnn);
        var c = model.Config;
        var g = new OnnxGraphBuilder("recur_char_language_model");
        g.Input("tokens", OnnxElementType.Int64, "batch", "steps");
        // time-major from the start: the tokens are cheaper to transpose than their embeddings
        string tokensT = g.Node("Transpose", "", ["tokens"], 1, OnnxGraphBuilder.Ints("perm", 1, 0))[0];
        string embedding = g.Initializer("embedding.weight", OnnxValue.FromTensor(model.Embedding.Weight.Value));
        string x = g.Node("Gather", "embedding/", [embedding, tokensT], 1, OnnxGraphBuilder.Int("axis", 0))[0]; // [T, B, E]
        string y = Stack(g, model.Rnn, "rnn/", x, options);                                                     // [T, B, H]
        string yb = g.Node("Transpose", "", [y], 1, OnnxGraphBuilder.Ints("perm", 1, 0, 2))[0];                  // [B, T, H]
        // Linear: logits = y W^T + b as MatMul with W^T [H, V] stored, then Add
        var w = model.Head.Weight.Value;
        var wt = new float[w.Length];
        for (int i = 0; i < c.VocabSize; i++)
            for (int j = 0; j < c.Rnn.HiddenSize; j++) wt[j * c.VocabSize + i] = w[i, j];
        string head = g.Initializer("head.weight_t", OnnxValue.FromFloats(wt, c.Rnn.HiddenSize, c.VocabSize));
        string product = g.Node("MatMul", "head/", [yb, head])[0];
        if (model.Head.Bias is { } bias)
            g.NodeTo("Add", "head/", [product, g.Initializer("head.bias", OnnxValue.FromTensor(bias.Value))], "logits");
        else
            g.NodeTo("Identity", "head/", [product], "logits");
        g.Output("logits", OnnxElementType.Float, "batch", "steps", c.VocabSize);
        if (options.Probabilities)
        {
            g.NodeTo("Softmax", "", ["logits"], "probs", OnnxGraphBuilder.Int("axis", -1));
            g.Output("probs", OnnxElementType.Float, "batch", "steps", c.VocabSize);
        }
        return g.Model(Opset, $"Recur CharLanguageModel: vocabulary {c.VocabSize}, embedding {c.EmbeddingDim}, {c.Rnn.Describe()}");
    }

    // The recurrent nodes over time-major x [T, B, I]; returns the name of the last layer's output [T, B, D*H] and
    // adds the optional state/length inputs and outputs.
    private static string Stack(OnnxGraphBuilder g, RecurrentLayer layer, string prefix, string x, OnnxExportOptions options)
    {
        int d = layer.Directions, h = layer.HiddenSize, gates = layer.Spec.Gates, ld = layer.NumLayers * d;
        var kind = layer.Spec.Kind;
        string opType = kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        bool lstm = kind == CellKind.Lstm;
        if (options.States)
        {
            g.Input("h0", OnnxElementType.Float, ld, "batch", h);
            if (lstm) g.Input("c0", OnnxElementType.Float, ld, "batch", h);
        }
        if (options.Lengths) g.Input("lengths", OnnxElementType.Int32, "batch");
        var hn = new List<string>();
        var cn = new List<string>();
        int[] order = OnnxGateOrder.OnnxFromTorch(kind);
        for (int l = 0; l < layer.NumLayers; l++)
        {
            string p = $"{prefix}l{l}/";
            int inSize = l == 0 ? layer.InputSize : d * h;
            var w = new float[d * gates * h * inSize];
            var r = new float[d * gates * h * h];
            var b = layer.Spec.Bias ? new float[d * 2 * gates * h] : null;
            var peep = layer.Spec.Variant == LstmVariant.Peephole ? new float[d * 3 * h] : null;
            for (int dir = 0; dir < d; dir++)
            {
                string sfx = $"_l{l}" + (dir == 1 ? "_reverse" : "");
                OnnxGateOrder.Reorder(layer.GetParameter("weight_ih" + sfx).Value.Span, w.AsSpan(dir * gates * h * inSize, gates * h * inSize), order, h * inSize);
                OnnxGateOrder.Reorder(layer.GetParameter("weight_hh" + sfx).Value.Span, r.AsSpan(dir * gates * h * h, gates * h * h), order, h * h);
                if (peep is not null)
                    OnnxGateOrder.Reorder(layer.GetParameter("weight_ph" + sfx).Value.Span, peep.AsSpan(dir * 3 * h, 3 * h), OnnxGateOrder.PeepholesOnnxFromTorch, h);
                if (b is null) continue;
                OnnxGateOrder.Reorder(layer.GetParameter("bias_ih" + sfx).Value.Span, b.AsSpan(dir * 2 * gates * h, gates * h), order, h);
                OnnxGateOrder.Reorder(layer.GetParameter("bias_hh" + sfx).Value.Span, b.AsSpan((dir * 2 + 1) * gates * h, gates * h), order, h);
            }
            string wName = g.Initializer($"{p}W", OnnxValue.FromFloats(w, d, gates * h, inSize));
            string rName = g.Initializer($"{p}R", OnnxValue.FromFloats(r, d, gates * h, h));
            string bName = b is null ? "" : g.Initializer($"{p}B", OnnxValue.FromFloats(b, d, 2 * gates * h));
            string pName = peep is null ? "" : g.Initializer($"{p}P", OnnxValue.FromFloats(peep, d, 3 * h));
            string h0 = "", c0 = "";
            if (options.States)
            {
                // this layer's rows [l*D, (l+1)*D) of h0 [L*D, B, H]
                string[] bounds = [g.Int64s($"{p}state_start", l * d), g.Int64s($"{p}state_end", (l + 1) * d), g.Int64s($"{p}state_axis", 0)];
                h0 = g.Node("Slice", p, ["h0", .. bounds])[0];
                if (lstm) c0 = g.Node("Slice", p, ["c0", .. bounds])[0];
            }
            string[] inputs = [x, wName, rName, bName, options.Lengths ? "lengths" : "", h0];
            if (lstm) inputs = [.. inputs, c0, pName];
            while (inputs[^1].Length == 0) inputs = inputs[..^1];
            var attributes = new List<AttributeProto>
            {
                OnnxGraphBuilder.String("direction", d == 2 ? "bidirectional" : "forward"),
                OnnxGraphBuilder.Int("hidden_size", h),
            };
            if (kind == CellKind.Gru) attributes.Add(OnnxGraphBuilder.Int("linear_before_reset", layer.Spec.ResetAfter ? 1 : 0));
            if (kind == CellKind.Rnn && layer.Spec.Nonlinearity != RnnNonlinearity.Tanh)
                attributes.Add(OnnxGraphBuilder.Strings("activations", [.. Enumerable.Repeat(layer.Spec.Nonlinearity.ToString(), d)]));
            var outs = g.Node(opType, p, inputs, lstm ? 3 : 2, [.. attributes]);
            hn.Add(outs[1]);
            if (lstm) cn.Add(outs[2]);
            // Y [T, D, B, H] -> [T, B, D*H]
            x = d == 1
                ? g.Node("Squeeze", p, [outs[0], g.Int64s($"{p}squeeze_axes", 1)])[0]
                : g.Node("Reshape", p, [g.Node("Transpose", p, [outs[0]], 1, OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3))[0], g.Int64s($"{p}merge_shape", 0, 0, -1)])[0];
        }
        if (options.States)
        {
            g.NodeTo("Concat", prefix, [.. hn], "hn", OnnxGraphBuilder.Int("axis", 0));
            g.Output("hn", OnnxElementType.Float, ld, "batch", h);
            if (lstm)
            {
                g.NodeTo("Concat", prefix, [.. cn], "cn", OnnxGraphBuilder.Int("axis", 0));
                g.Output("cn", OnnxElementType.Float, ld, "batch", h);
            }
        }
        return x;
    }

    private static void CheckExportable(RecurrentLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.ProjSize > 0)
            throw new NotSupportedException($"an LSTM with a projection (projSize = {layer.ProjSize}, weight_hr_l*) cannot be exported: ONNX's LSTM operator has no projection");
    }

    private static void Write(ModelProto model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }
}
