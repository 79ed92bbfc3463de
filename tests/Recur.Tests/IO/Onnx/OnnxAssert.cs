using Recur.IO.Onnx;
using Recur.Tensors;

namespace Recur.Tests.IO.Onnx;

internal static class OnnxAssert
{
    /// <summary>Same type and shape, and |expected - actual| &lt;= atol + rtol |expected| elementwise (integers exactly).</summary>
    public static void Close(OnnxValue expected, OnnxValue actual, float atol, float rtol, string what)
    {
        Assert.True(expected.ElementType == actual.ElementType, $"{what}: type {actual.ElementType}, expected {expected.ElementType}");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {Shape.Format(actual.Shape)}, expected {Shape.Format(expected.Shape)}");
        if (!expected.IsFloat)
        {
            Assert.Equal(expected.Integers.ToArray(), actual.Integers.ToArray());
            return;
        }
        var e = expected.Floats;
        var a = actual.Floats;
        for (int i = 0; i < e.Length; i++)
            Assert.True(MathF.Abs(e[i] - a[i]) <= atol + rtol * MathF.Abs(e[i]), $"{what}[{i}]: {a[i]}, expected {e[i]} (diff {MathF.Abs(e[i] - a[i]):E2})");
    }

    /// <summary>Exactly equal elements, type and shape.</summary>
    public static void Identical(OnnxValue expected, OnnxValue actual, string what) => Close(expected, actual, 0f, 0f, what);
}
