using Recur.Layers;
using Recur.Tensors;

namespace Recur.IO.Onnx;

/// <summary>
/// Kernel of an ONNX RNN, GRU or LSTM node. Inputs X, W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H], sequence_lens [B],
/// initial_h [D, B, H] (layout 1: [B, D, H]), initial_c, P [D, 3*H]; outputs Y [T, D, B, H] (layout 1: [B, T, D, H]),
/// Y_h, Y_c [D, B, H] (layout 1: [B, D, H]). When the attributes allow (see
/// <see cref="OnnxRecurrentSpec.MatchesRecurLayer"/>) and every sequence length is at least 1, the node runs on a
/// Recur <see cref="Rnn"/>/<see cref="Gru"/>/<see cref="Lstm"/> (with non-zero peepholes P: the trainable
/// <see cref="LstmVariant.Peephole"/> LSTM) with the weights converted to PyTorch gate order (converted once per weight
/// tensor); otherwise on <see cref="OnnxRecurrentEvaluator"/>.
/// </summary>
internal sealed class OnnxRecurrentOp
{
    private readonly OnnxNode _node;
    private readonly OnnxRecurrentSpec _spec;
    private readonly object _gate = new();
    private RecurrentLayer? _layer;
    private (OnnxValue W, OnnxValue R, OnnxValue? B, OnnxValue? P)? _loaded;

    public OnnxRecurrentOp(OnnxNode node, CellKind kind)
    {
        _node = node;
        _spec = OnnxRecurrentSpec.Parse(node, kind);
    }

    /// <summary>Forces the general evaluator even where a Recur layer matches (to test one against the other).</summary>
    public bool ForceGeneral { get; set; }

    /// <summary>Whether the last run used a Recur layer.</summary>
    public bool LastRunUsedLayer { get; private set; }

    public OnnxValue[] Run(OnnxValue?[] inputs)
    {
        var node = _node;
        var spec = _spec;
        var x = node.RequiredFloat(inputs, 0, "X");
        var w = node.RequiredFloat(inputs, 1, "W");
        var r = node.RequiredFloat(inputs, 2, "R");
        if (x.Rank != 3) throw node.Invalid($"X must be rank 3 ({(spec.Layout == 0 ? "[T, B, I]" : "[B, T, I]")}), got {Shape.Format(x.Shape)}");
        int t = spec.Layout == 0 ? x.Shape[0] : x.Shape[1], b = spec.Layout == 0 ? x.Shape[1] : x.Shape[0], inputSize = x.Shape[2];
        int d = spec.Directions, g = spec.Gates;
        if (r.Rank != 3) throw node.Invalid($"R must be [D, G*H, H], got {Shape.Format(r.Shape)}");
        int h = spec.HiddenSize ?? r.Shape[2];
        Check(r, "R", d, g * h, h);
        Check(w, "W", d, g * h, inputSize);
        var bias = Optional(inputs, 3);
        if (bias is not null) Check(bias, "B", d, 2 * g * h);
        int[] lengths = Lengths(inputs, b, t);
        var h0 = Optional(inputs, 5);
        var c0 = spec.Kind == CellKind.Lstm ? Optional(inputs, 6) : null;
        var peep = spec.Kind == CellKind.Lstm ? Optional(inputs, 7) : null;
        int[] stateShape = spec.Layout == 0 ? [d, b, h] : [b, d, h];
        if (h0 is not null) Check(h0, "initial_h", stateShape);
        if (c0 is not null) Check(c0, "initial_c", stateShape);
        if (peep is not null) Check(peep, "P", d, 3 * h);

        // canonical batch-first form: x [B, T, I], states [D, B, H]
        var xb = spec.Layout == 0 ? OnnxTensorOps.Permute(x, [1, 0, 2]) : x;
        var h0b = h0 is null || spec.Layout == 0 ? h0 : OnnxTensorOps.Permute(h0, [1, 0, 2]);
        var c0b = c0 is null || spec.Layout == 0 ? c0 : OnnxTensorOps.Permute(c0, [1, 0, 2]);
        float[] y, hn;
        float[]? cn;
        var nonlinearity = RnnNonlinearity.Tanh;
        bool useLayer = !ForceGeneral && spec.MatchesRecurLayer(out nonlinearity) && lengths.All(l => l >= 1);
        if (peep is not null && !peep.Floats.ContainsAnyExcept(0f)) peep = null; // all-zero peepholes: the standard cell
        LastRunUsedLayer = useLayer;
        if (useLayer)
        {
            lock (_gate)
            {
                var layer = Layer(nonlinearity, inputSize, h, w, r, bias, peep);
                var result = layer.Forward(Tensor.FromArray(xb.FloatArray, b, t, inputSize),
                    h0b is null ? null : Tensor.FromArray(h0b.FloatArray, d, b, h),
                    c0b is null ? null : Tensor.FromArray(c0b.FloatArray, d, b, h),
                    lengths.All(l => l == t) ? null : lengths);
                (y, hn, cn) = (result.Output.Buffer, result.Hn.Buffer, result.Cn?.Buffer);
            }
        }
        else
        {
            y = new float[b * t * d * h];
            hn = new float[d * b * h];
            cn = spec.Kind == CellKind.Lstm ? new float[d * b * h] : null;
            OnnxRecurrentEvaluator.Run(spec, xb.FloatArray, b, t, inputSize, h, w.FloatArray, r.FloatArray, bias?.FloatArray,
                peep?.FloatArray, h0b?.FloatArray, c0b?.FloatArray, lengths, y, hn, cn);
        }

        // back to the node's layout: Y [T, D, B, H] or [B, T, D, H]; Y_h, Y_c [D, B, H] or [B, D, H]
        var outputs = new OnnxValue[node.Outputs.Length];
        var yv = OnnxValue.Float(y, [b, t, d, h]);
        if (outputs.Length > 0) outputs[0] = spec.Layout == 0 ? OnnxTensorOps.Permute(yv, [1, 2, 0, 3]) : yv;
        if (outputs.Length > 1) outputs[1] = State(hn, d, b, h);
        if (outputs.Length > 2)
        {
            if (cn is null) throw node.Invalid($"{node.OpType} has no output 2 (Y_c is LSTM only)");
            outputs[2] = State(cn, d, b, h);
        }
        return outputs;
    }

    private OnnxValue State(float[] s, int d, int b, int h)
    {
        var v = OnnxValue.Float(s, [d, b, h]);
        return _spec.Layout == 0 ? v : OnnxTensorOps.Permute(v, [1, 0, 2]);
    }

    // The Recur layer for this node, holding W/R/B in PyTorch order; rebuilt only when a weight tensor changes.
    private RecurrentLayer Layer(RnnNonlinearity nonlinearity, int inputSize, int h, OnnxValue w, OnnxValue r, OnnxValue? bias, OnnxValue? peep)
    {
        bool bidirectional = _spec.Directions == 2;
        var variant = peep is null ? LstmVariant.Standard : LstmVariant.Peephole;
        if (_layer is null || _layer.InputSize != inputSize || _layer.HiddenSize != h || _layer.Spec.Variant != variant)
        {
            _layer = _spec.Kind switch
            {
                CellKind.Lstm => new Lstm(inputSize, h, 1, bidirectional, variant: variant),
                CellKind.Gru => new Gru(inputSize, h, 1, bidirectional, resetAfter: _spec.LinearBeforeReset),
                _ => new Rnn(inputSize, h, 1, nonlinearity, bidirectional),
            };
            _layer.Training = false;
            _loaded = null;
        }
        if (_loaded is not { } l || l.W != w || l.R != r || l.B != bias || l.P != peep)
        {
            int gh = _spec.Gates * h;
            int[] order = OnnxGateOrder.TorchFromOnnx(_spec.Kind);
            for (int dir = 0; dir < _spec.Directions; dir++)
            {
                string sfx = "_l0" + (dir == 1 ? "_reverse" : "");
                OnnxGateOrder.Reorder(w.Floats.Slice(dir * gh * inputSize, gh * inputSize), _layer.GetParameter("weight_ih" + sfx).Value.Span, order, h * inputSize);
                OnnxGateOrder.Reorder(r.Floats.Slice(dir * gh * h, gh * h), _layer.GetParameter("weight_hh" + sfx).Value.Span, order, h * h);
                if (peep is not null)
                    OnnxGateOrder.Reorder(peep.Floats.Slice(dir * 3 * h, 3 * h), _layer.GetParameter("weight_ph" + sfx).Value.Span, OnnxGateOrder.PeepholesTorchFromOnnx, h);
                var bih = _layer.GetParameter("bias_ih" + sfx).Value.Span;
                var bhh = _layer.GetParameter("bias_hh" + sfx).Value.Span;
                if (bias is null) { bih.Clear(); bhh.Clear(); continue; }
                OnnxGateOrder.Reorder(bias.Floats.Slice(dir * 2 * gh, gh), bih, order, h);
                OnnxGateOrder.Reorder(bias.Floats.Slice(dir * 2 * gh + gh, gh), bhh, order, h);
            }
            _loaded = (w, r, bias, peep);
        }
        return _layer;
    }

    private OnnxValue? Optional(OnnxValue?[] inputs, int i)
    {
        if (i >= inputs.Length || inputs[i] is not { } v) return null;
        if (!v.IsFloat) throw _node.Invalid($"input {i} must be float, got {v}");
        return v;
    }

    private int[] Lengths(OnnxValue?[] inputs, int b, int t)
    {
        var lengths = new int[b];
        if (inputs.Length <= 4 || inputs[4] is not { } v)
        {
            Array.Fill(lengths, t);
            return lengths;
        }
        if (v.IsFloat || v.Rank != 1 || v.Shape[0] != b) throw _node.Invalid($"sequence_lens must be an integer tensor [{b}], got {v}");
        for (int i = 0; i < b; i++)
        {
            long l = v.Integers[i];
            if (l < 0 || l > t) throw _node.Invalid($"sequence_lens[{i}] = {l} is outside [0, T={t}]");
            lengths[i] = (int)l;
        }
        return lengths;
    }

    private void Check(OnnxValue v, string name, params int[] shape)
    {
        if (!v.Shape.SequenceEqual(shape))
            throw _node.Invalid($"{name}: expected shape {Shape.Format(shape)}, got {Shape.Format(v.Shape)}");
    }
}
