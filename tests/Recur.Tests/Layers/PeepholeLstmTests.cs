using Recur.IO.Onnx;
using Recur.Layers;
using Recur.Ops;
using Recur.Tensors;
using Recur.Tests.Data;
using Recur.Tests.IO.Onnx;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Layers;

/// <summary>
/// The peephole LSTM (<see cref="LstmVariant.Peephole"/>, ONNX LSTM's P): gradients by finite differences, the standard
/// cell when the peepholes are zero, and ONNX export / import through the trainable layer, agreeing with the general
/// ONNX evaluator (which transcribes the ONNX definition).
/// </summary>
public class PeepholeLstmTests
{
    private static Lstm Make(int layers, bool bi, Rng rng, bool bias = true) =>
        new(3, 4, layers, bi, bias, rng: rng, variant: LstmVariant.Peephole);

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, true, true)]
    public void Gradients_match_finite_differences(int layers, bool bi, bool withLengths)
    {
        var rng = new Rng(5);
        var layer = Make(layers, bi, rng);
        int ld = layers * layer.Directions;
        int[]? lengths = withLengths ? [4, 1, 3] : null;
        Check((t, v) =>
        {
            var r = t.Recurrent(layer, v[0], v[1], v[2], lengths);
            return t.Add(t.Sum(t.Multiply(r.Output, r.Output)), t.Add(t.Sum(t.Tanh(r.Hn)), t.Sum(t.Tanh(r.Cn!))));
        }, [Random(rng, 3, 4, 3), Random(rng, ld, 3, 4), Random(rng, ld, 3, 4)], layer.Parameters, scalar: true);
    }

    [Fact]
    public void Names_its_peepholes_like_the_other_parameters()
    {
        var layer = Make(2, true, new Rng(1));
        Assert.Equal([12], layer.GetParameter("weight_ph_l1_reverse").Value.Shape.ToArray());
        Assert.Contains("peephole", layer.Describe());
        Assert.Throws<ArgumentException>(() => new Lstm(3, 4, projSize: 2, variant: LstmVariant.Peephole));
    }

    [Fact]
    public void Zero_peepholes_give_the_standard_lstm()
    {
        var peephole = Make(1, true, new Rng(2));
        var standard = new Lstm(3, 4, 1, true, rng: new Rng(2));
        foreach (var p in standard.Parameters) p.Value.Span.CopyTo(peephole.GetParameter(p.Name).Value.Span);
        foreach (var p in peephole.Parameters.Where(p => p.Name.StartsWith("weight_ph", StringComparison.Ordinal))) p.Value.Clear();
        var x = Random(new Rng(3), 2, 5, 3);
        var a = peephole.Forward(x);
        var b = standard.Forward(x);
        foreach (var (e, v) in new[] { (b.Output, a.Output), (b.Hn, a.Hn), (b.Cn!, a.Cn!) })
            for (int i = 0; i < e.Length; i++) Assert.True(MathF.Abs(e[i] - v[i]) <= 1e-6f, $"[{i}] {v[i]} vs {e[i]}");
    }

    [Fact]
    public void Onnx_export_writes_P_and_import_runs_it_on_the_peephole_layer()
    {
        var rng = new Rng(9);
        var layer = Make(2, true, rng);
        layer.Training = false;
        int b = 3, ld = 4;
        var x = Random(rng, b, 5, 3);
        var h0 = Random(rng, ld, b, 4);
        var c0 = Random(rng, ld, b, 4);
        int[] lengths = [5, 2, 4];
        var expected = layer.Forward(x, h0, c0, lengths);

        using var dir = new TempDir();
        string path = dir.File("peephole.onnx");
        OnnxExporter.Export(layer, path, new OnnxExportOptions { States = true, Lengths = true });
        var model = OnnxModel.Load(path);
        Assert.Contains(model.Initializers.Keys, k => k.EndsWith("/P", StringComparison.Ordinal));
        var inputs = new Dictionary<string, OnnxValue>
        {
            ["input"] = OnnxValue.FromTensor(x), ["h0"] = OnnxValue.FromTensor(h0), ["c0"] = OnnxValue.FromTensor(c0),
            ["lengths"] = OnnxValue.FromInt32(lengths, b),
        };
        var outputs = model.Run(inputs);
        Assert.All(model.RecurrentOps, op => Assert.True(op.LastRunUsedLayer));
        OnnxAssert.Identical(OnnxValue.FromTensor(expected.Output), outputs["output"], "output");
        OnnxAssert.Identical(OnnxValue.FromTensor(expected.Cn!), outputs["cn"], "cn");

        // the general evaluator (ONNX's own equations and P order) agrees to rounding
        foreach (var op in model.RecurrentOps) op.ForceGeneral = true;
        var general = model.Run(inputs);
        OnnxAssert.Close(outputs["output"], general["output"], 1e-5f, 1e-5f, "output (general evaluator)");
        OnnxAssert.Close(outputs["cn"], general["cn"], 1e-5f, 1e-5f, "cn (general evaluator)");
    }
}
