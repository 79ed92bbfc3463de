using Recur.Kernels;
using Recur.Kernels.Reference;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

/// <summary>The span activation kernels against the double references, on every tail length and at the extremes.</summary>
public class ActivationTests
{
    private delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
    private delegate void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    public static readonly TheoryData<string> Names = new() { "sigmoid", "tanh", "relu" };

    private static (Forward Kernel, Func<double, double> Reference, double MaxUlps) ForwardOf(string name) => name switch
    {
        "sigmoid" => (Activations.Sigmoid, ActivationsReference.Sigmoid, 3),
        "tanh" => (Activations.Tanh, ActivationsReference.Tanh, 3),
        _ => (Activations.Relu, ActivationsReference.Relu, 0),
    };

    private static (Backward Kernel, Func<double, double, double> Reference) BackwardOf(string name) => name switch
    {
        "sigmoid" => (Activations.SigmoidBackward, ActivationsReference.SigmoidBackward),
        "tanh" => (Activations.TanhBackward, ActivationsReference.TanhBackward),
        _ => (Activations.ReluBackward, ActivationsReference.ReluBackward),
    };

    /// <summary>Inputs with the extremes scattered through the body and the tail.</summary>
    private static float[] Inputs(int n, int seed)
    {
        var x = KernelAssert.Uniform(n, -12f, 12f, seed);
        float[] special = [100f, -100f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f, 0f, 1e-30f, -88f, 30f];
        for (int i = 0; i < n; i += 3) x[i] = special[(i / 3 + seed) % special.Length];
        return x;
    }

    [Theory, MemberData(nameof(Names))]
    public void Forward_MatchesReferenceOnEveryLength(string name)
    {
        var (kernel, reference, maxUlps) = ForwardOf(name);
        foreach (int n in KernelAssert.Lengths)
        {
            var x = Inputs(n, n);
            var y = new float[n];
            kernel(x, y);
            for (int i = 0; i < n; i++)
            {
                double r = reference(x[i]);
                if (name == "sigmoid" && x[i] < VectorMath.ExpUnderflow) Assert.Equal(0f, y[i]); // flushed, documented
                else KernelAssert.WithinUlps(y[i], r, maxUlps, $"{name}({x[i]:R}) n={n} i={i}");
            }
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Forward_TailElementsGetTheSameBitsAsBodyElements(string name)
    {
        var kernel = ForwardOf(name).Kernel;
        var x = Inputs(67, 1);
        var full = new float[67];
        kernel(x, full);
        for (int n = 0; n <= 67; n++)
        {
            var part = new float[n];
            kernel(x.AsSpan(0, n), part);
            Assert.Equal(full.AsSpan(0, n).ToArray(), part);
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Forward_GivesTheSameBitsAtEveryAlignment(string name)
    {
        // The wide loop starts at the first vector-aligned output; what comes before goes the narrow way.
        var kernel = ForwardOf(name).Kernel;
        var x = Inputs(300, 2);
        var full = new float[300];
        kernel(x, full);
        for (int offset = 0; offset < 16; offset++)
        {
            var y = new float[300];
            kernel(x.AsSpan(offset), y.AsSpan(offset));
            Assert.Equal(full.AsSpan(offset).ToArray(), y.AsSpan(offset).ToArray());
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Forward_InPlaceEqualsOutOfPlace(string name)
    {
        var kernel = ForwardOf(name).Kernel;
        var x = Inputs(1029, 3);
        var y = new float[x.Length];
        kernel(x, y);
        kernel(x, x);
        Assert.Equal(y, x);
    }

    [Fact]
    public void Relu_KeepsNegativeZeroAndNaNAsPyTorch()
    {
        float[] x = [-0f, float.NaN, -1f, 2f, float.NegativeInfinity];
        var y = new float[x.Length];
        Activations.Relu(x, y);
        Assert.True(float.IsNegative(y[0]) && y[0] == 0);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal([0f, 2f, 0f], new[] { y[2], y[3], y[4] });
    }

    [Theory, MemberData(nameof(Names))]
    public void Backward_MatchesReferenceFormulaOnEveryLength(string name)
    {
        var (forward, _, _) = ForwardOf(name);
        var (kernel, reference) = BackwardOf(name);
        foreach (int n in KernelAssert.Lengths)
        {
            var y = new float[n];
            forward(Inputs(n, n + 1), y);
            var dy = KernelAssert.Uniform(n, -3f, 3f, n);
            var dx = new float[n];
            kernel(y, dy, dx);
            for (int i = 0; i < n; i++)
                KernelAssert.WithinUlps(dx[i], reference(y[i], dy[i]), 3, $"{name}' y={y[i]:R} dy={dy[i]:R} n={n}");
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Backward_IsTheDerivativeByFiniteDifferences(string name)
    {
        var f = ForwardOf(name).Reference;
        var (kernel, _) = BackwardOf(name);
        var x = KernelAssert.Uniform(203, -6f, 6f, 11);
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) < 1e-3) x[i] = 0.5f; // relu's kink
        var y = new float[x.Length];
        ForwardOf(name).Kernel(x, y);
        var dy = KernelAssert.Uniform(x.Length, -2f, 2f, 12);
        var dx = new float[x.Length];
        kernel(y, dy, dx);
        const double h = 1e-4;
        for (int i = 0; i < x.Length; i++)
        {
            double fd = dy[i] * (f(x[i] + h) - f(x[i] - h)) / (2 * h);
            KernelAssert.Close(dx[i], fd, 2e-6, $"{name}' at x={x[i]:R}");
        }
    }

    [Theory, MemberData(nameof(Names))]
    public void Backward_InPlaceOverGradientEqualsOutOfPlace(string name)
    {
        var (kernel, _) = BackwardOf(name);
        var y = new float[517];
        ForwardOf(name).Kernel(Inputs(517, 5), y);
        var dy = KernelAssert.Uniform(517, -1f, 1f, 6);
        var dx = new float[517];
        kernel(y, dy, dx);
        kernel(y, dy, dy);
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void MismatchedLengthsNameTheArgumentAndBothLengths()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Activations.Tanh(new float[5], new float[4]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("[5]", e.Message);
        Assert.Contains("[4]", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => Activations.SigmoidBackward(new float[5], new float[5], new float[6]));
        Assert.Equal("dx", e.ParamName);
        e = Assert.Throws<ShapeMismatchException>(() => Activations.ReluBackward(new float[5], new float[3], new float[5]));
        Assert.Equal("dy", e.ParamName);
    }

    [Fact]
    public void PartiallyOverlappingOutputIsRejected()
    {
        var buf = new float[10];
        var e = Assert.Throws<ArgumentException>(() => Activations.Sigmoid(buf.AsSpan(0, 8), buf.AsSpan(1, 8)));
        Assert.Equal("y", e.ParamName);
    }

    [Fact]
    public void KernelsDoNotAllocate()
    {
        var x = KernelAssert.Uniform(4099, -5f, 5f, 1);
        var y = new float[x.Length];
        Activations.Tanh(x, y);
        Activations.TanhBackward(y, x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Activations.Sigmoid(x, y);
        Activations.Tanh(x, y);
        Activations.Relu(x, y);
        Activations.SigmoidBackward(x, y, y);
        Activations.TanhBackward(x, y, y);
        Activations.ReluBackward(x, y, y);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
