using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

/// <summary>Elementwise arithmetic bit-for-bit against scalar IEEE float arithmetic on every tail length.</summary>
public class ElementwiseTests
{
    private delegate void Binary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z);

    public static readonly TheoryData<string> Binaries = new() { "add", "subtract", "multiply" };

    private static (Binary Kernel, Func<float, float, float> Scalar) BinaryOf(string name) => name switch
    {
        "add" => (Elementwise.Add, (a, b) => a + b),
        "subtract" => (Elementwise.Subtract, (a, b) => a - b),
        _ => (Elementwise.Multiply, (a, b) => a * b),
    };

    private static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    private static float[] Values(int n, int seed)
    {
        var v = KernelAssert.Uniform(n, -1e3f, 1e3f, seed);
        float[] special = [float.NaN, float.PositiveInfinity, -0f, 1e-38f, float.MaxValue];
        for (int i = 0; i < n; i += 7) v[i] = special[(i / 7 + seed) % special.Length];
        return v;
    }

    [Theory, MemberData(nameof(Binaries))]
    public void Binary_IsExactOnEveryLength(string name)
    {
        var (kernel, scalar) = BinaryOf(name);
        foreach (int n in KernelAssert.Lengths)
        {
            var x = Values(n, 1);
            var y = Values(n, 2);
            var z = new float[n];
            kernel(x, y, z);
            for (int i = 0; i < n; i++) Assert.Equal(scalar(x[i], y[i]), z[i]);
            kernel(x, y, x); // z aliasing x
            Assert.Equal(z, x);
        }
    }

    [Fact]
    public void MultiplyAdd_AccumulatesWithOneRounding()
    {
        foreach (int n in KernelAssert.Lengths)
        {
            var x = Values(n, 3);
            var y = Values(n, 4);
            var z = Values(n, 5);
            var expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = Fma(x[i], y[i], z[i]);
            Elementwise.MultiplyAdd(x, y, z);
            Assert.Equal(expected, z);
        }
    }

    [Fact]
    public void AxpyAndScale_AreExact()
    {
        foreach (int n in KernelAssert.Lengths)
        {
            var x = Values(n, 6);
            var y = Values(n, 7);
            var expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = Fma(-0.37f, x[i], y[i]);
            Elementwise.Axpy(-0.37f, x, y);
            Assert.Equal(expected, y);
            for (int i = 0; i < n; i++) expected[i] = x[i] * 1.7f;
            Elementwise.Scale(1.7f, x);
            Assert.Equal(expected, x);
        }
    }

    [Fact]
    public void AddRowVector_AddsBiasToEveryRow()
    {
        foreach (int cols in new[] { 0, 1, 7, 8, 19, 64, 67 })
        {
            const int rows = 5;
            var m = Values(rows * cols, cols);
            var bias = Values(cols, cols + 1);
            var expected = new float[m.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) expected[r * cols + c] = m[r * cols + c] + bias[c];
            Elementwise.AddRowVector(bias, m, rows, cols);
            Assert.Equal(expected, m);
        }
    }

    [Fact]
    public void SumRows_AccumulatesColumnSums()
    {
        foreach (int cols in new[] { 0, 1, 7, 8, 19, 64, 67 })
        {
            const int rows = 9;
            var m = KernelAssert.Uniform(rows * cols, -1f, 1f, cols);
            var acc = KernelAssert.Uniform(cols, -1f, 1f, cols + 1);
            var expected = (float[])acc.Clone();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) expected[c] += m[r * cols + c];
            Elementwise.SumRows(m, rows, cols, acc);
            Assert.Equal(expected, acc);
        }
    }

    [Fact]
    public void WrongSizesNameTheArgumentAndBothLengths()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Elementwise.Add(new float[3], new float[4], new float[3]));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[4]", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => Elementwise.Axpy(1, new float[3], new float[2]));
        Assert.Equal("y", e.ParamName);
        e = Assert.Throws<ShapeMismatchException>(() => Elementwise.AddRowVector(new float[3], new float[8], 2, 4));
        Assert.Equal("bias", e.ParamName);
        e = Assert.Throws<ShapeMismatchException>(() => Elementwise.SumRows(new float[7], 2, 4, new float[4]));
        Assert.Equal("matrix", e.ParamName);
        var buf = new float[9];
        Assert.Throws<ArgumentException>(() => Elementwise.Multiply(buf.AsSpan(0, 8), buf.AsSpan(0, 8), buf.AsSpan(1, 8)));
    }

    [Fact]
    public void DoesNotAllocate()
    {
        var x = Values(4099, 1);
        var y = Values(4099, 2);
        var z = new float[4099];
        Elementwise.MultiplyAdd(x, y, z);
        Elementwise.Axpy(2, x, z);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Elementwise.Add(x, y, z);
        Elementwise.Subtract(x, y, z);
        Elementwise.Multiply(x, y, z);
        Elementwise.MultiplyAdd(x, y, z);
        Elementwise.Axpy(2, x, z);
        Elementwise.Scale(2, z);
        Elementwise.AddRowVector(y.AsSpan(0, 4096 / 64), z.AsSpan(0, 4096), 64, 64);
        Elementwise.SumRows(z.AsSpan(0, 4096), 64, 64, y.AsSpan(0, 64));
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
