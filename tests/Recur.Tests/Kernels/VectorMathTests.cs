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
            if (float.IsSubnormal(v)) Assert.Fail($"subnormal exp result {v}");
    }

    [Theory, MemberData(nameof(Widths))]
    public void Sigmoid_SaturatesAndPropagatesNaN(int width)
    {
        float[] x = [-100f, -1e30f, float.NegativeInfinity, 100f, 1e30f, float.PositiveInfinity, float.NaN, -0f, 0f, 17f];
        float[] expected = [0, 0, 0, 1, 1, 1, float.NaN, 0.5f, 0.5f, 1];
        Assert.Equal(expected, Apply(Fn.Sigmoid, width, x));
        foreach (var v in Apply(Fn.Sigmoid, width, Samples(-200f, 200f)))
            if (!(v >= 0 && v <= 1) || float.IsSubnormal(v)) Assert.Fail($"sigmoid result {v}");
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

    [Fact]
    public void MultiplyNoStall_IsBitIdenticalToMultiplyAtEveryWidth()
    {
        float[] special = [0f, -0f, 1e-30f, -1e-30f, 1e-10f, 1e-39f, -1e-45f, 3e38f, -2f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1f];
        var rng = new Random(3);
        var a = new List<float>();
        var b = new List<float>();
        foreach (float p in special)
            foreach (float q in special) { a.Add(p); b.Add(q); }
        for (int i = 0; i < 4000; i++)
        {
            a.Add(BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue)));
            b.Add(MathF.ScaleB(rng.NextSingle() - 0.5f, rng.Next(-140, 20)));
        }
        while (a.Count % 16 != 0) { a.Add(1); b.Add(1); }
        for (int i = 0; i < a.Count; i += 16)
        {
            var x = a.GetRange(i, 16).ToArray();
            var y = b.GetRange(i, 16).ToArray();
            var r128 = new float[16];
            var r256 = new float[16];
            var r512 = new float[16];
            for (int k = 0; k < 16; k += 4) VectorMath.MultiplyNoStall(Vector128.Create<float>(x.AsSpan(k)), Vector128.Create<float>(y.AsSpan(k))).CopyTo(r128, k);
            for (int k = 0; k < 16; k += 8) VectorMath.MultiplyNoStall(Vector256.Create<float>(x.AsSpan(k)), Vector256.Create<float>(y.AsSpan(k))).CopyTo(r256, k);
            VectorMath.MultiplyNoStall(Vector512.Create<float>(x), Vector512.Create<float>(y)).CopyTo(r512);
            for (int k = 0; k < 16; k++)
            {
                int expected = BitConverter.SingleToInt32Bits(x[k] * y[k]);
                if (float.IsNaN(x[k] * y[k])) { Assert.True(float.IsNaN(r128[k]) && float.IsNaN(r256[k]) && float.IsNaN(r512[k])); continue; }
                if (BitConverter.SingleToInt32Bits(r128[k]) != expected || BitConverter.SingleToInt32Bits(r256[k]) != expected || BitConverter.SingleToInt32Bits(r512[k]) != expected)
                    Assert.Fail($"{x[k]:R} * {y[k]:R} = {x[k] * y[k]:R}, got {r128[k]:R} / {r256[k]:R} / {r512[k]:R}");
            }
        }
    }
}
