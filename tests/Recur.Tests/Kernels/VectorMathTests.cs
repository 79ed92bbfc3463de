using System.Runtime.Intrinsics;
using Recur.Kernels;
using Recur.Kernels.Reference;
using Xunit.Abstractions;

namespace Recur.Tests.Kernels;

/// <summary>
/// VectorMath's exp, sigmoid and tanh at every vector width against double-precision Math (Vector512 runs in software
/// where the CPU lacks AVX-512, which is still the same lane arithmetic).
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    public static readonly TheoryData<int> Widths = new() { 128, 256, 512 };

    private enum Fn { Exp, Sigmoid, Tanh }

    private static float[] Apply(Fn fn, int width, float[] x)
    {
        var y = new float[x.Length];
        int w = width / 32;
        var buf = new float[w];
        for (int i = 0; i < x.Length; i += w)
        {
            int k = Math.Min(w, x.Length - i);
            Array.Clear(buf);
            Array.Copy(x, i, buf, 0, k);
            switch (width)
            {
                case 128:
                    var v1 = Vector128.Create<float>(buf);
                    (fn switch { Fn.Exp => VectorMath.Exp(v1), Fn.Sigmoid => VectorMath.Sigmoid(v1), _ => VectorMath.Tanh(v1) }).CopyTo(buf);
                    break;
                case 256:
                    var v2 = Vector256.Create<float>(buf);
                    (fn switch { Fn.Exp => VectorMath.Exp(v2), Fn.Sigmoid => VectorMath.Sigmoid(v2), _ => VectorMath.Tanh(v2) }).CopyTo(buf);
                    break;
                default:
                    var v3 = Vector512.Create<float>(buf);
                    (fn switch { Fn.Exp => VectorMath.Exp(v3), Fn.Sigmoid => VectorMath.Sigmoid(v3), _ => VectorMath.Tanh(v3) }).CopyTo(buf);
                    break;
            }
            Array.Copy(buf, 0, y, i, k);
        }
        return y;
    }

    private static double Reference(Fn fn, double x) => fn switch
    {
        Fn.Exp => ActivationsReference.Exp(x),
        Fn.Sigmoid => ActivationsReference.Sigmoid(x),
        _ => ActivationsReference.Tanh(x),
    };

    /// <summary>Dense uniform samples on [lo, hi] plus log-spaced magnitudes of both signs within it.</summary>
    private static float[] Samples(float lo, float hi)
    {
        var xs = new List<float>(KernelAssert.Uniform(60000, lo, hi, 7));
        for (double m = 1e-30; m <= 100; m *= 1.0005)
        {
            if (m <= hi) xs.Add((float)m);
            if (-m >= lo) xs.Add((float)-m);
        }
        return [.. xs];
    }

    private double MaxUlps(Fn fn, int width, float lo, float hi)
    {
        var x = Samples(lo, hi);
        var y = Apply(fn, width, x);
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double err = KernelAssert.UlpError(y[i], Reference(fn, x[i]));
            if (err > worst) (worst, worstX) = (err, x[i]);
        }
        output.WriteLine($"{fn} V{width}: max {worst:F2} ulps at x = {worstX:R} over [{lo}, {hi}] ({x.Length} points)");
        return worst;
    }

    [Theory, MemberData(nameof(Widths))]
    public void Exp_IsWithinTwoUlpsWhereTheResultIsNormal(int width) =>
        Assert.InRange(MaxUlps(Fn.Exp, width, VectorMath.ExpUnderflow, 88.72f), 0, 2);

    [Theory, MemberData(nameof(Widths))]
    public void Sigmoid_IsWithinThreeUlps(int width) =>
        Assert.InRange(MaxUlps(Fn.Sigmoid, width, VectorMath.ExpUnderflow, 100f), 0, 3);

    [Theory, MemberData(nameof(Widths))]
    public void Tanh_IsWithinThreeUlpsIncludingTinyArguments(int width) =>
        Assert.InRange(MaxUlps(Fn.Tanh, width, -100f, 100f), 0, 3);

    [Theory, MemberData(nameof(Widths))]
    public void Exp_SaturatesWithoutSubnormalsAndPropagatesNaN(int width)
    {
        float[] x = [-87.4f, -100f, -1e30f, float.NegativeInfinity, 88.73f, 100f, 1e30f, float.PositiveInfinity, float.NaN, -0f, 0f, float.MaxValue, float.MinValue];
        double[] expected = [0, 0, 0, 0, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.NaN, 1, 1, double.PositiveInfinity, 0];
        var y = Apply(Fn.Exp, width, x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(y[i].Equals((float)expected[i]), $"exp({x[i]}) = {y[i]}, expected {expected[i]}");
        foreach (var v in Apply(Fn.Exp, width, Samples(-200f, 88.7f)))
            Assert.False(float.IsSubnormal(v), $"subnormal exp result {v}");
    }

    [Theory, MemberData(nameof(Widths))]
    public void Sigmoid_SaturatesAndPropagatesNaN(int width)
    {
        float[] x = [-100f, -1e30f, float.NegativeInfinity, 100f, 1e30f, float.PositiveInfinity, float.NaN, -0f, 0f, 17f];
        float[] expected = [0, 0, 0, 1, 1, 1, float.NaN, 0.5f, 0.5f, 1];
        Assert.Equal(expected, Apply(Fn.Sigmoid, width, x));
        foreach (var v in Apply(Fn.Sigmoid, width, Samples(-200f, 200f)))
            Assert.True(v >= 0 && v <= 1 && !float.IsSubnormal(v), $"sigmoid result {v}");
    }

    [Theory, MemberData(nameof(Widths))]
    public void Tanh_SaturatesExactlyAndKeepsSignOfZero(int width)
    {
        float[] x = [-100f, -1e30f, float.NegativeInfinity, 100f, 1e30f, float.PositiveInfinity, float.NaN, 10f, -10f, 1e-40f, -1e-40f];
        float[] expected = [-1, -1, -1, 1, 1, 1, float.NaN, 1, -1, 1e-40f, -1e-40f];
        Assert.Equal(expected, Apply(Fn.Tanh, width, x));
        var zeros = Apply(Fn.Tanh, width, [0f, -0f]);
        Assert.True(float.IsPositive(zeros[0]) && zeros[0] == 0);
        Assert.True(float.IsNegative(zeros[1]) && zeros[1] == 0);
    }

    [Fact]
    public void AllWidthsAgreeBitForBit()
    {
        var x = Samples(-100f, 100f);
        foreach (var fn in new[] { Fn.Exp, Fn.Sigmoid, Fn.Tanh })
        {
            var y128 = Apply(fn, 128, x);
            Assert.Equal(y128, Apply(fn, 256, x));
            Assert.Equal(y128, Apply(fn, 512, x));
        }
    }
}
