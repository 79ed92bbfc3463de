using Recur.Kernels;
using Recur.Kernels.Reference;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

/// <summary>Row softmax / log-softmax and their backward passes against the double references and finite differences.</summary>
public class SoftmaxTests
{
    private const int Rows = 3;

    private static float[] Logits(int rows, int cols, float scale, int seed) => KernelAssert.Uniform(rows * cols, -scale, scale, seed);

    [Fact]
    public void Forward_MatchesReferenceAndRowsSumToOne()
    {
        foreach (int cols in KernelAssert.Lengths.Where(c => c <= 4099))
        {
            var x = Logits(Rows, cols, 20f, cols);
            var y = new float[x.Length];
            Softmax.Forward(x, y, Rows, cols);
            var r = new double[cols];
            for (int row = 0; row < Rows; row++)
            {
                SoftmaxReference.Forward(x.AsSpan(row * cols, cols), r);
                float max = cols == 0 ? 0 : x.AsSpan(row * cols, cols).ToArray().Max();
                double sum = 0;
                for (int j = 0; j < cols; j++)
                {
                    float v = y[row * cols + j];
                    sum += v;
                    // x − max rounds in float (as in every float softmax); e^t amplifies that by |t| in ulps.
                    double conditioning = Math.Abs(x[row * cols + j] - max);
                    if (r[j] >= 1.2e-38) KernelAssert.WithinUlps(v, r[j], 4 + conditioning, $"softmax cols={cols} [{row},{j}]");
                    else Assert.True(v >= 0 && v < 1.2e-38);
                }
                if (cols > 0) KernelAssert.Close(sum, 1, 1e-6, $"row sum cols={cols}");
            }
        }
    }

    [Fact]
    public void RowExp_gives_the_max_the_shifted_exponentials_and_their_sum()
    {
        foreach (int cols in KernelAssert.Lengths.Where(c => c is > 0 and <= 4099))
        {
            var x = Logits(1, cols, 30f, cols + 7);
            var exp = new float[cols];
            var (max, sum) = Softmax.RowExp(x, exp);
            Assert.Equal(x.Max(), max);
            double expected = 0;
            for (int j = 0; j < cols; j++)
            {
                double e = Math.Exp((double)x[j] - max);
                expected += e;
                if (e >= 1.2e-38) KernelAssert.WithinUlps(exp[j], e, 4 + Math.Abs(x[j] - max), $"cols={cols} [{j}]");
            }
            KernelAssert.Close(sum, expected, 1e-6, $"sum cols={cols}");
            var (max2, sum2) = Softmax.RowExp(x, Span<float>.Empty); // the sum alone
            Assert.Equal(max, max2);
            KernelAssert.Close(sum2, expected, 1e-6, $"sum without exp, cols={cols}");
        }
    }

    [Fact]
    public void LogForward_MatchesReference()
    {
        foreach (int cols in KernelAssert.Lengths.Where(c => c <= 4099))
        {
            var x = Logits(Rows, cols, 30f, cols + 100);
            var y = new float[x.Length];
            Softmax.LogForward(x, y, Rows, cols);
            var r = new double[cols];
            for (int row = 0; row < Rows; row++)
            {
                SoftmaxReference.LogForward(x.AsSpan(row * cols, cols), r);
                // Absolute error relative to the row's log-sum scale (x − m is exact; log-sum rounds once).
                for (int j = 0; j < cols; j++)
                    KernelAssert.Close(y[row * cols + j], r[j], 4e-7, $"log_softmax cols={cols} [{row},{j}]");
            }
        }
    }

    [Theory]
    [InlineData(1e30f)]
    [InlineData(3e38f)]
    [InlineData(1e-30f)]
    public void HugeAndTinyLogitsGiveFiniteRowsThatSumToOne(float scale)
    {
        const int cols = 37;
        var x = Logits(4, cols, 1f, 9);
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
        x[3] = float.MaxValue;
        x[cols + 5] = float.MinValue;
        x[2 * cols + 1] = float.NegativeInfinity; // a masked position
        var y = new float[x.Length];
        var ly = new float[x.Length];
        Softmax.Forward(x, y, 4, cols);
        Softmax.LogForward(x, ly, 4, cols);
        for (int row = 0; row < 4; row++)
        {
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                float v = y[row * cols + j];
                Assert.True(float.IsFinite(v) && v >= 0, $"softmax value {v}");
                Assert.False(float.IsNaN(ly[row * cols + j]));
                sum += v;
            }
            KernelAssert.Close(sum, 1, 1e-6, $"row {row} at scale {scale}");
        }
        Assert.Equal(0f, y[2 * cols + 1]);
        Assert.Equal(float.NegativeInfinity, ly[2 * cols + 1]);
    }

    [Fact]
    public void RowsWithNaNOrOnlyMinusInfinityGiveNaNAsPyTorch()
    {
        float[] x = [1f, float.NaN, 2f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 0f, 1f, 2f];
        var y = new float[x.Length];
        Softmax.Forward(x, y, 3, 3);
        Assert.All(y[..6], v => Assert.True(float.IsNaN(v)));
        Assert.All(y[6..], v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Backward_MatchesReferenceFormula()
    {
        foreach (int cols in KernelAssert.Lengths.Where(c => c <= 4099))
        {
            var y = new float[Rows * cols];
            var ly = new float[Rows * cols];
            var x = Logits(Rows, cols, 5f, cols);
            Softmax.Forward(x, y, Rows, cols);
            Softmax.LogForward(x, ly, Rows, cols);
            var dy = KernelAssert.Uniform(Rows * cols, -1f, 1f, cols + 1);
            var dx = new float[y.Length];
            var ldx = new float[y.Length];
            Softmax.Backward(y, dy, dx, Rows, cols);
            Softmax.LogBackward(ly, dy, ldx, Rows, cols);
            var r = new double[cols];
            var lr = new double[cols];
            for (int row = 0; row < Rows; row++)
            {
                SoftmaxReference.Backward(y.AsSpan(row * cols, cols), dy.AsSpan(row * cols, cols), r);
                SoftmaxReference.LogBackward(ly.AsSpan(row * cols, cols), dy.AsSpan(row * cols, cols), lr);
                for (int j = 0; j < cols; j++)
                {
                    KernelAssert.Close(dx[row * cols + j], r[j], 1e-6, $"softmax backward cols={cols}");
                    KernelAssert.Close(ldx[row * cols + j], lr[j], 1e-6, $"log_softmax backward cols={cols}");
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_IsTheGradientByFiniteDifferences(bool log)
    {
        const int cols = 13;
        var x = Logits(1, cols, 3f, 21);
        var dy = KernelAssert.Uniform(cols, -1f, 1f, 22);
        var y = new float[cols];
        var dx = new float[cols];
        if (log) { Softmax.LogForward(x, y, 1, cols); Softmax.LogBackward(y, dy, dx, 1, cols); }
        else { Softmax.Forward(x, y, 1, cols); Softmax.Backward(y, dy, dx, 1, cols); }

        // L(x) = Σ dy·f(x) in double; dL/dx_j by central differences.
        double Loss(float[] xs)
        {
            var r = new double[cols];
            if (log) SoftmaxReference.LogForward(xs, r); else SoftmaxReference.Forward(xs, r);
            double l = 0;
            for (int j = 0; j < cols; j++) l += dy[j] * r[j];
            return l;
        }
        const float h = 1e-2f; // exactly representable steps keep the float inputs exact
        for (int j = 0; j < cols; j++)
        {
            var xp = (float[])x.Clone(); xp[j] += h;
            var xm = (float[])x.Clone(); xm[j] -= h;
            double fd = (Loss(xp) - Loss(xm)) / ((double)xp[j] - xm[j]);
            KernelAssert.Close(dx[j], fd, 2e-4, $"d/dx[{j}]");
        }
    }

    [Fact]
    public void InPlaceEqualsOutOfPlace()
    {
        var x = Logits(5, 41, 8f, 3);
        var y = new float[x.Length];
        Softmax.Forward(x, y, 5, 41);
        var z = (float[])x.Clone();
        Softmax.Forward(z, z, 5, 41);
        Assert.Equal(y, z);
        Softmax.LogForward(x, y, 5, 41);
        z = (float[])x.Clone();
        Softmax.LogForward(z, z, 5, 41);
        Assert.Equal(y, z);
        var dy = Logits(5, 41, 1f, 4);
        var dx = new float[x.Length];
        Softmax.Backward(y, dy, dx, 5, 41);
        Softmax.Backward(y, dy, dy, 5, 41);
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void WrongSizesNameTheArgument()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Softmax.Forward(new float[12], new float[11], 3, 4));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("[3, 4]", e.Message);
        Assert.Contains("11", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => Softmax.LogBackward(new float[12], new float[13], new float[12], 3, 4));
        Assert.Equal("dy", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Softmax.Forward([], [], -1, 0));
    }

    [Fact]
    public void DoesNotAllocate()
    {
        var x = Logits(8, 1000, 5f, 1);
        var y = new float[x.Length];
        Softmax.Forward(x, y, 8, 1000);
        Softmax.LogForward(x, y, 8, 1000);
        Softmax.Backward(y, x, y, 8, 1000);
        Softmax.LogBackward(y, x, y, 8, 1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Softmax.Forward(x, y, 8, 1000);
        Softmax.LogForward(x, y, 8, 1000);
        Softmax.Backward(x, x, y, 8, 1000);
        Softmax.LogBackward(x, x, y, 8, 1000);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
