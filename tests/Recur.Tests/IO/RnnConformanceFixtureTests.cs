using Recur.IO.Conformance;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

/// <summary>
/// The committed PyTorch reference cases parse, hold every tensor their configuration needs with consistent shapes,
/// respect the variable-length semantics, and together cover every option for every mode.
/// (Whether Recur's layers reproduce them is tested with the layers.)
/// </summary>
public class RnnConformanceFixtureTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Fixtures.RnnConformanceFiles()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Case_loads_with_consistent_shapes(string fileName)
    {
        var c = RnnConformanceCase.Load(Path.Combine(Fixtures.Dir("rnn-conformance"), fileName));
        Assert.Equal(Path.GetFileNameWithoutExtension(fileName), c.Name);
        int b = c.BatchSize, t = c.SequenceLength, ld = c.NumLayers * c.Directions;
        Assert.Equal([b, t, c.InputSize], c.Input.Shape.ToArray());
        Assert.Equal([b, t, c.Directions * c.OutputSize], c.Upstream.Shape.ToArray());
        Assert.Equal([ld, b, c.OutputSize], c.Expected["h_n"].Shape.ToArray());
        Assert.Equal(c.Mode == RnnConformanceMode.Lstm, c.Expected.ContainsKey("c_n"));
        Assert.Equal(c.H0 is not null, c.Expected.ContainsKey("grad.h0"));
        Assert.Equal(c.ParameterNames.Count, c.Parameters.Count);
        foreach (var name in c.ParameterNames)
            Assert.Equal(c.Parameters[name].Shape.ToArray(), c.Expected["grad." + name].Shape.ToArray());
        // The file name lists the options (see make_cases.py): l<layers>, uni|bi, h0, lengths, nobias, proj, hn.
        var tokens = c.Name.Split('_');
        Assert.Contains($"l{c.NumLayers}", tokens);
        Assert.Contains(c.Bidirectional ? "bi" : "uni", tokens);
        Assert.Equal(c.H0 is not null, tokens.Contains("h0"));
        Assert.Equal(c.Lengths is not null, tokens.Contains("lengths"));
        Assert.Equal(!c.Bias, tokens.Contains("nobias"));
        Assert.Equal(c.ProjSize > 0, tokens.Contains("proj"));
        Assert.Equal(c.UpstreamHn is not null, tokens.Contains("hn"));
        foreach (var (name, tensor) in c.Expected)
            foreach (float v in tensor.Span) Assert.True(float.IsFinite(v), $"{fileName}: expected.{name} holds {v}");

        if (c.Lengths is null) return;
        // pack_padded_sequence semantics: nothing flows from or to the padded steps, whose input is non-zero junk.
        var output = c.Expected["output"];
        var gradInput = c.Expected["grad.input"];
        for (int i = 0; i < b; i++)
            for (int s = (int)c.Lengths[i]; s < t; s++)
            {
                Assert.All(output.Row(i).Row(s).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(gradInput.Row(i).Row(s).ToArray(), v => Assert.Equal(0f, v));
                Assert.All(c.Input.Row(i).Row(s).ToArray(), v => Assert.NotEqual(0f, v));
            }
    }

    [Fact]
    public void Cases_cover_every_option_for_every_mode()
    {
        var cases = Fixtures.RnnConformanceFiles().Select(RnnConformanceCase.Load).ToList();
        foreach (var mode in Enum.GetValues<RnnConformanceMode>())
        {
            var m = cases.Where(c => c.Mode == mode).ToList();
            var has = new Dictionary<string, bool>
            {
                ["1 layer"] = m.Any(c => c.NumLayers == 1),
                ["2 layers"] = m.Any(c => c.NumLayers == 2),
                ["unidirectional"] = m.Any(c => !c.Bidirectional),
                ["bidirectional"] = m.Any(c => c.Bidirectional),
                ["bidirectional 2 layers with h0"] = m.Any(c => c.Bidirectional && c.NumLayers == 2 && c.H0 is not null),
                ["no h0"] = m.Any(c => c.H0 is null),
                ["h0"] = m.Any(c => c.H0 is not null),
                ["no bias"] = m.Any(c => !c.Bias),
                ["loss through h_n"] = m.Any(c => c.UpstreamHn is not null),
                ["unsorted lengths"] = m.Any(c => c.Lengths is { } l && !l.SequenceEqual(l.OrderDescending())),
                ["max length < T"] = m.Any(c => c.Lengths is { } l && l.Max() < c.SequenceLength),
                ["lengths, bidirectional, 2 layers"] = m.Any(c => c.Lengths is not null && c.Bidirectional && c.NumLayers == 2),
                ["large (B8 T50 I16 H32)"] = m.Any(c => c.BatchSize == 8 && c.SequenceLength == 50 && c.InputSize == 16 && c.HiddenSize == 32),
            };
            if (mode == RnnConformanceMode.Lstm)
            {
                has["c0"] = m.Any(c => c.C0 is not null);
                has["loss through c_n"] = m.Any(c => c.UpstreamCn is not null);
                has["proj_size unidirectional 2 layers"] = m.Any(c => c.ProjSize > 0 && !c.Bidirectional && c.NumLayers == 2);
                has["proj_size bidirectional 2 layers with lengths"] = m.Any(c => c.ProjSize > 0 && c.Bidirectional && c.NumLayers == 2 && c.Lengths is not null);
            }
            Assert.All(has, kv => Assert.True(kv.Value, $"{mode}: no case with {kv.Key}"));
        }
        long bytes = Fixtures.RnnConformanceFiles().Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < 3_000_000, $"fixtures total {bytes} bytes");
    }

    [Fact]
    public void Rewriting_a_python_written_case_reproduces_it_byte_for_byte()
    {
        foreach (var path in Fixtures.RnnConformanceFiles().Take(10))
        {
            byte[] original = File.ReadAllBytes(path);
            using var file = SafetensorsFile.FromBytes(original, path);
            Assert.Equal(original, Fixtures.Rewrite(file).ToBytes());
        }
    }
}
