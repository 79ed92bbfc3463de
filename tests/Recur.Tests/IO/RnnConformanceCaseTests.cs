using Recur.IO.Conformance;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

/// <summary>The loader rejects incomplete or inconsistent cases with the file, the tensor and the problem.</summary>
public class RnnConformanceCaseTests
{
    private static string FixturePath(string name) => Path.Combine(Fixtures.Dir("rnn-conformance"), name + ".safetensors");

    /// <summary>Rewrites a fixture with one change and loads the result from a temporary file.</summary>
    private static SafetensorsFormatException LoadEdited(string fixture, Action<SafetensorsWriter> edit, Func<string, bool>? keep = null)
    {
        using var file = SafetensorsFile.Open(FixturePath(fixture));
        var writer = Fixtures.Rewrite(file, keep);
        edit(writer);
        string path = Path.Combine(Path.GetTempPath(), $"recur-case-{Guid.NewGuid():N}.safetensors");
        try
        {
            writer.Save(path);
            var e = Assert.Throws<SafetensorsFormatException>(() => RnnConformanceCase.Load(path));
            Assert.StartsWith(path + ": ", e.Message);
            return e;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Loads_a_bidirectional_lstm_with_projections_and_lengths()
    {
        var c = RnnConformanceCase.Load(FixturePath("lstm_l2_bi_proj_h0_lengths_hn"));
        Assert.Equal((RnnConformanceMode.Lstm, 4, 6, 2, true, true, 4), (c.Mode, c.InputSize, c.HiddenSize, c.NumLayers, c.Bidirectional, c.Bias, c.ProjSize));
        Assert.Equal((4, 7, 2, 4), (c.BatchSize, c.SequenceLength, c.Directions, c.OutputSize));
        Assert.Equal([3L, 5, 1, 2], c.Lengths!);
        Assert.Equal([4, 4, 4], c.H0!.Shape.ToArray());
        Assert.Equal([4, 4, 6], c.C0!.Shape.ToArray());
        Assert.Equal([4, 4, 6], c.UpstreamCn!.Shape.ToArray());
        Assert.Equal([24, 8], c.Parameters["weight_ih_l1_reverse"].Shape.ToArray()); // [4H, D*proj]
        Assert.Equal([4, 6], c.Parameters["weight_hr_l0"].Shape.ToArray());
        Assert.Equal(20, c.ParameterNames.Count);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0", "weight_ih_l0_reverse"], c.ParameterNames.Take(6));
        Assert.Equal(ConformanceTolerances.Default, c.Tolerances);
        Assert.Equal(6 + 20, c.Expected.Count); // output, h_n, c_n, grad.input, grad.h0, grad.c0, grads of the parameters
        Assert.True(RnnConformanceCase.IsGradient("grad.h0"));
        Assert.False(RnnConformanceCase.IsGradient("h_n"));
    }

    [Fact]
    public void Tolerances_come_from_the_metadata()
    {
        using var file = SafetensorsFile.Open(FixturePath("gru_l1_uni"));
        string path = Path.Combine(Path.GetTempPath(), $"recur-case-{Guid.NewGuid():N}.safetensors");
        try
        {
            Fixtures.Rewrite(file).AddMetadata("atol_grad", "2e-4").AddMetadata("rtol_fwd", "0.001").Save(path);
            var c = RnnConformanceCase.Load(path);
            Assert.Equal(new ConformanceTolerances(1e-3, 1e-6, 1e-4, 2e-4), c.Tolerances);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_or_wrong_metadata_is_named()
    {
        Assert.Contains("metadata lacks 'mode' (the rnn-conformance/1 format requires it)", LoadEditedMetadata("mode", null).Message);
        Assert.Contains("metadata format is 'rnn-conformance/2', expected 'rnn-conformance/1'", LoadEditedMetadata("format", "rnn-conformance/2").Message);
        Assert.Contains("metadata mode is 'RNN_SIGMOID', expected RNN_TANH, RNN_RELU, LSTM or GRU", LoadEditedMetadata("mode", "RNN_SIGMOID").Message);
        Assert.Contains("metadata hidden_size must be an integer >= 1, got '0'", LoadEditedMetadata("hidden_size", "0").Message);
        Assert.Contains("metadata num_layers must be an integer >= 1, got '-1'", LoadEditedMetadata("num_layers", "-1").Message);
        Assert.Contains("metadata bias must be 'true' or 'false', got 'True'", LoadEditedMetadata("bias", "True").Message);
        Assert.Contains("metadata batch_first is 'false'", LoadEditedMetadata("batch_first", "false").Message);
        Assert.Contains("metadata proj_size is 2 but only LSTM has projections", LoadEditedMetadata("proj_size", "2").Message);
        Assert.Contains("metadata atol_grad must be a non-negative number, got 'abc'", LoadEditedMetadata("atol_grad", "abc").Message);
    }

    /// <summary>gru_l1_uni with metadata <paramref name="key"/> set to <paramref name="value"/> (removed when null).</summary>
    private static SafetensorsFormatException LoadEditedMetadata(string key, string? value)
    {
        using var file = SafetensorsFile.Open(FixturePath("gru_l1_uni"));
        var writer = new SafetensorsWriter();
        foreach (var (k, v) in file.Metadata) if (k != key) writer.AddMetadata(k, v);
        if (value is not null) writer.AddMetadata(key, value);
        foreach (var info in file.Tensors) writer.Add(info.Name, file.ReadTensor(info.Name));
        string path = Path.Combine(Path.GetTempPath(), $"recur-case-{Guid.NewGuid():N}.safetensors");
        try
        {
            writer.Save(path);
            return Assert.Throws<SafetensorsFormatException>(() => RnnConformanceCase.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_extra_and_misshapen_tensors_are_named()
    {
        var e = LoadEdited("gru_l1_uni", w => { }, keep: n => n != "expected.grad.bias_hh_l0");
        Assert.Equal("expected.grad.bias_hh_l0", e.Tensor);
        Assert.Contains("missing (the case needs it, shape [18])", e.Message);

        e = LoadEdited("gru_l1_uni", w => { }, keep: n => n != "weight_hh_l0");
        Assert.Equal("weight_hh_l0", e.Tensor);

        e = LoadEdited("gru_l1_uni", w => w.Add("weight_hr_l0", new Tensor(2, 6)));
        Assert.Equal("weight_hr_l0", e.Tensor);
        Assert.Contains("the format does not define this tensor for a GRU case with num_layers=1, bidirectional=false, bias=true, proj_size=0", e.Message);

        e = LoadEdited("gru_l1_uni", w => w.Add("weight_ih_l0", new Tensor(18, 5)), keep: n => n != "weight_ih_l0");
        Assert.Equal("weight_ih_l0", e.Tensor);
        Assert.Contains("expected shape [18, 4], got [18, 5]", e.Message);

        e = LoadEdited("gru_l1_uni", w => w.Add("input", new Tensor(3, 5, 5)), keep: n => n != "input");
        Assert.Contains("expected shape [B, T, 4] with B, T >= 1, got [3, 5, 5]", e.Message);

        e = LoadEdited("gru_l1_uni", w => w.Add("h0", new Tensor(1, 2, 6)));
        Assert.Equal("h0", e.Tensor);
        Assert.Contains("expected shape [1, 3, 6], got [1, 2, 6]", e.Message);

        e = LoadEdited("gru_l1_uni", w => w.Add("h0", new Tensor(1, 3, 6)));
        Assert.Equal("expected.grad.h0", e.Tensor); // h0 without its gradient expectation

        e = LoadEdited("lstm_l1_uni_h0_hn", w => { }, keep: n => n != "c0");
        Assert.Equal("h0", e.Tensor);
        Assert.Contains("an LSTM case gives h0 and c0 together or neither", e.Message);

        e = LoadEdited("gru_l1_uni_lengths_hn", w => w.AddInt64("lengths", [4, 7, 1, 3], 4), keep: n => n != "lengths");
        Assert.Contains("lengths[1] is 7, outside 1..6 (T)", e.Message);

        e = LoadEdited("gru_l1_uni_lengths_hn", w => w.AddInt64("lengths", [4, 0, 1, 3], 4), keep: n => n != "lengths");
        Assert.Contains("lengths[1] is 0, outside 1..6 (T)", e.Message);

        e = LoadEdited("gru_l1_uni_lengths_hn", w => w.Add("lengths", new Tensor(4)), keep: n => n != "lengths");
        Assert.Contains("expected dtype I64, got F32", e.Message);

        e = LoadEdited("gru_l1_uni", w => w.AddInt64("upstream", new long[3 * 5 * 6], 3, 5, 6), keep: n => n != "upstream");
        Assert.Contains("expected a float tensor (F32), got I64", e.Message);
    }

    [Fact]
    public void Error_ratio_applies_the_format_rule()
    {
        // |a - e| <= atol * max(1, max|e|) + rtol * |e|; here max|e| = 100, so the allowance is 1e-6*100 + 1e-5*|e|.
        float[] expected = [100f, 1f, 0f];
        Assert.Equal(0, ConformanceTolerances.ErrorRatio(expected, expected, 1e-5, 1e-6));
        Assert.Equal(0.5, ConformanceTolerances.ErrorRatio([100f, 1f, 5e-5f], expected, 1e-5, 1e-6), 3);
        Assert.Equal(2, ConformanceTolerances.ErrorRatio([100f, 1f + 2.2e-4f, 0f], expected, 1e-5, 1e-6), 2);
        Assert.Equal(double.PositiveInfinity, ConformanceTolerances.ErrorRatio([float.NaN, 1f, 0f], expected, 1e-5, 1e-6));
        Assert.Equal(double.PositiveInfinity, ConformanceTolerances.ErrorRatio([1e-9f], [0f], 0, 0));
        Assert.Equal(double.PositiveInfinity, ConformanceTolerances.ErrorRatio([float.NegativeInfinity, 1f], [float.PositiveInfinity, 1f], 1e-5, 1e-6));
        Assert.Equal(0, ConformanceTolerances.ErrorRatio([float.PositiveInfinity, 1f], [float.PositiveInfinity, 1f], 1e-5, 1e-6));
        Assert.Throws<ArgumentException>(() => ConformanceTolerances.ErrorRatio([1f], [1f, 2f], 0, 0));
    }
}
