using System.Diagnostics;
using Recur.IO.Onnx;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Data;

namespace Recur.Tests.IO.Onnx;

/// <summary>Recur export -> Recur import reproduces the model's own forward pass exactly.</summary>
public class OnnxExportTests
{
    public static TheoryData<string, int, bool> Layers()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (string kind in new[] { "lstm", "gru", "gru-reset-before", "rnn-tanh", "rnn-relu", "rnn-sigmoid" })
            foreach (int layers in new[] { 1, 2 })
                foreach (bool bi in new[] { false, true })
                    data.Add(kind, layers, bi);
        return data;
    }

    private static RecurrentLayer MakeLayer(string kind, int layers, bool bidirectional, int input = 3, int hidden = 4, bool bias = true)
    {
        var rng = new Rng(17);
        return kind switch
        {
            "lstm" => new Lstm(input, hidden, layers, bidirectional, bias, rng: rng),
            "gru" => new Gru(input, hidden, layers, bidirectional, bias, rng: rng),
            "gru-reset-before" => new Gru(input, hidden, layers, bidirectional, bias, resetAfter: false, rng: rng),
            "rnn-tanh" => new Rnn(input, hidden, layers, RnnNonlinearity.Tanh, bidirectional, bias, rng: rng),
            "rnn-relu" => new Rnn(input, hidden, layers, RnnNonlinearity.Relu, bidirectional, bias, rng: rng),
            _ => new Rnn(input, hidden, layers, RnnNonlinearity.Sigmoid, bidirectional, bias, rng: rng),
        };
    }

    private static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextGaussian();
        return t;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Exported_layer_reimports_to_identical_outputs(string kind, int layers, bool bidirectional)
    {
        var layer = MakeLayer(kind, layers, bidirectional);
        layer.Training = false;
        int b = 3, t = 5, h = layer.HiddenSize, ld = layers * layer.Directions;
        var rng = new Rng(3);
        var x = Random(rng, b, t, layer.InputSize);
        var h0 = Random(rng, ld, b, h);
        var c0 = layer is Lstm ? Random(rng, ld, b, h) : null;
        int[] lengths = [5, 2, 4];
        var expected = layer.Forward(x, h0, c0, lengths);

        using var dir = new TempDir();
        string path = dir.File("layer.onnx");
        OnnxExporter.Export(layer, path, new OnnxExportOptions { States = true, Lengths = true });
        var model = OnnxModel.Load(path);
        Assert.Equal(layers, model.OperatorTypes.Count(op => op is "LSTM" or "GRU" or "RNN"));
        var inputs = new Dictionary<string, OnnxValue>
        {
            ["input"] = OnnxValue.FromTensor(x),
            ["h0"] = OnnxValue.FromTensor(h0),
            ["lengths"] = OnnxValue.FromInt32(lengths, b),
        };
        if (c0 is not null) inputs["c0"] = OnnxValue.FromTensor(c0);

        var outputs = model.Run(inputs);
        OnnxAssert.Identical(OnnxValue.FromTensor(expected.Output), outputs["output"], "output");
        OnnxAssert.Identical(OnnxValue.FromTensor(expected.Hn), outputs["hn"], "hn");
        if (expected.Cn is not null) OnnxAssert.Identical(OnnxValue.FromTensor(expected.Cn), outputs["cn"], "cn");

        // the general ONNX evaluator agrees with the layers to rounding
        foreach (var op in model.RecurrentOps) op.ForceGeneral = true;
        var general = model.Run(inputs);
        OnnxAssert.Close(outputs["output"], general["output"], 1e-5f, 1e-5f, "output (general evaluator)");
        OnnxAssert.Close(outputs["hn"], general["hn"], 1e-5f, 1e-5f, "hn (general evaluator)");
    }

    [Fact]
    public void Exported_layer_without_bias_or_state_inputs_has_only_input_and_output()
    {
        var layer = MakeLayer("gru", 2, true, bias: false);
        layer.Training = false;
        var x = Random(new Rng(8), 2, 6, 3);
        using var dir = new TempDir();
        OnnxExporter.Export(layer, dir.File("gru.onnx"));
        var model = OnnxModel.Load(dir.File("gru.onnx"));
        Assert.Equal(["input"], model.Inputs.Select(i => i.Name));
        Assert.Equal(["output"], model.Outputs.Select(o => o.Name));
        Assert.Equal("input: FLOAT [batch, steps, 3]", model.Inputs[0].ToString());
        var y = model.Run(new Dictionary<string, OnnxValue> { ["input"] = OnnxValue.FromTensor(x) })["output"];
        OnnxAssert.Identical(OnnxValue.FromTensor(layer.Forward(x).Output), y, "output");
    }

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("gru", 2)]
    [InlineData("rnn", 2)]
    public void Exported_char_language_model_reimports_to_identical_logits(string cell, int layers)
    {
        var model = new CharLanguageModel(new CharLanguageModelConfig(13, 5, new RecurrentConfig(ConfigJson.Parse<CellKind>(cell)!.Value, 6, layers)), new Rng(99)) { Training = false };
        int b = 2, t = 7;
        var rng = new Rng(4);
        var tokens = Enumerable.Range(0, b * t).Select(_ => rng.NextInt(13)).ToArray();
        var h0 = Random(rng, layers, b, 6);
        var c0 = cell == "lstm" ? Random(rng, layers, b, 6) : null;
        var r = model.Rnn.Forward(model.Embedding.Forward(tokens, b, t), h0, c0);
        var logits = model.Head.Forward(r.Output);

        using var dir = new TempDir();
        OnnxExporter.Export(model, dir.File("lm.onnx"), new OnnxExportOptions { States = true, Probabilities = true });
        var onnx = OnnxModel.Load(dir.File("lm.onnx"));
        var inputs = new Dictionary<string, OnnxValue>
        {
            ["tokens"] = OnnxValue.FromInt64(tokens.Select(v => (long)v).ToArray(), b, t),
            ["h0"] = OnnxValue.FromTensor(h0),
        };
        if (c0 is not null) inputs["c0"] = OnnxValue.FromTensor(c0);
        var outputs = onnx.Run(inputs);
        OnnxAssert.Identical(OnnxValue.FromTensor(logits), outputs["logits"], "logits");
        OnnxAssert.Identical(OnnxValue.FromTensor(r.Hn), outputs["hn"], "hn");
        var probs = outputs["probs"].Floats;
        for (int row = 0; row < b * t; row++)
        {
            var l = logits.Span.Slice(row * 13, 13);
            float max = float.NegativeInfinity;
            foreach (float v in l) max = MathF.Max(max, v);
            double sum = 0;
            foreach (float v in l) sum += Math.Exp(v - max);
            for (int j = 0; j < 13; j++) Assert.Equal(Math.Exp(l[j] - max) / sum, probs[row * 13 + j], 1e-6);
        }
    }

    [Fact]
    public void A_projected_lstm_is_refused()
    {
        var layer = new Lstm(3, 4, projSize: 2);
        using var dir = new TempDir();
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(layer, dir.File("p.onnx")));
        Assert.Contains("projSize = 2", e.Message);
        Assert.False(File.Exists(dir.File("p.onnx")));
    }

    [PythonOnnxFact]
    public void The_onnx_checker_accepts_the_exports()
    {
        using var dir = new TempDir();
        var lm = new CharLanguageModel(new CharLanguageModelConfig(9, 4, new RecurrentConfig(CellKind.Lstm, 5, 2)), new Rng(1));
        OnnxExporter.Export(lm, dir.File("lm.onnx"), new OnnxExportOptions { States = true, Probabilities = true });
        OnnxExporter.Export(MakeLayer("gru", 2, true), dir.File("gru.onnx"), new OnnxExportOptions { States = true, Lengths = true });
        OnnxExporter.Export(MakeLayer("rnn-relu", 1, true), dir.File("rnn.onnx"));
        string script = "import sys, onnx\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p), full_check=True)\nprint('ok')";
        var psi = new ProcessStartInfo(PythonOnnxFactAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-c", script, dir.File("lm.onnx"), dir.File("gru.onnx"), dir.File("rnn.onnx") }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Equal("ok", stdout.Trim());
    }
}

/// <summary>Skips unless Debian's python3 can import the onnx package (optional: apt-get install python3-onnx).</summary>
public sealed class PythonOnnxFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import onnx.checker");
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    });

    public PythonOnnxFactAttribute()
    {
        if (!Available.Value) Skip = $"{Python} cannot import onnx (optional: apt-get install python3-onnx)";
    }
}
