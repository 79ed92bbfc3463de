using Recur.IO.Conformance;
using Recur.Tests.IO;

namespace Recur.Tests.Layers;

/// <summary>
/// Every PyTorch reference case in tests/fixtures/rnn-conformance (made by make_cases.py with torch 1.13 in float64)
/// must be reproduced: outputs, final states and all gradients within the case's tolerances.
/// </summary>
public class PyTorchConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Dir("rnn-conformance"), "*.safetensors").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_reproduces_pytorch(string file)
    {
        var result = ConformanceRunner.Run(RnnConformanceCase.Load(Path.Combine(Fixtures.Dir("rnn-conformance"), file)));
        var failures = result.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.ErrorRatio:G3} x tolerance (max abs {c.MaxAbsError:G3})");
        Assert.True(result.Passed, $"{file}: " + string.Join("; ", failures));
    }
}
