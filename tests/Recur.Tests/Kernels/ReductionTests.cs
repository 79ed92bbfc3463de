using Recur.Kernels;
using Recur.Kernels.Reference;

namespace Recur.Tests.Kernels;

/// <summary>Reductions against double references, on every tail length, with NaN/∞ and long-sum accuracy.</summary>
public class ReductionTests
{
    [Fact]
    public void SumAndSumOfSquares_MatchDoubleOnEveryLength()
    {
        foreach (int n in KernelAssert.Lengths)
        {
            var x = KernelAssert.Uniform(n, -2f, 3f, n);
            KernelAssert.Close(Reductions.Sum(x), ReductionsReference.Sum(x), 1e-6, $"sum n={n}");
            KernelAssert.Close(Reductions.SumOfSquares(x), ReductionsReference.SumOfSquares(x), 1e-6, $"sumsq n={n}");
        }
        Assert.Equal(0f, Reductions.Sum([]));
        Assert.Equal(0f, Reductions.SumOfSquares([]));
    }

    [Fact]
    public void MillionElementNormIsAccurateToOneMillionth()
    {
        var x = KernelAssert.Uniform(1_000_003, 0.5f, 1.5f, 42);
        double exact = ReductionsReference.SumOfSquares(x);
        double relative = Math.Abs(Reductions.SumOfSquares(x) - exact) / exact;
        Assert.True(relative < 1e-6, $"relative error {relative:E2}");
        exact = ReductionsReference.Sum(x);
        relative = Math.Abs(Reductions.Sum(x) - exact) / exact;
        Assert.True(relative < 1e-6, $"relative error {relative:E2}");
    }

    [Fact]
    public void MaxAndArgMax_MatchReferenceOnEveryLength()
    {
        foreach (int n in KernelAssert.Lengths.Where(n => n > 0))
        {
            var x = KernelAssert.Uniform(n, -5f, 5f, n);
            int expected = ReductionsReference.ArgMax(x);
            Assert.Equal(expected, Reductions.ArgMax(x));
            Assert.Equal(x[expected], Reductions.Max(x));
            x[n - 1] = 100f; // maximum in the tail
            Assert.Equal(n - 1, Reductions.ArgMax(x));
            Assert.Equal(100f, Reductions.Max(x));
        }
    }

    [Fact]
    public void ArgMax_ReturnsTheFirstOfTies()
    {
        var x = new float[50];
        x[17] = x[33] = x[48] = 2f;
        Assert.Equal(17, Reductions.ArgMax(x));
        Assert.Equal(0, Reductions.ArgMax(new float[20]));
    }

    [Fact]
    public void NaNPropagatesInMaxAndArgMaxFindsTheFirstNaN()
    {
        foreach (int n in new[] { 1, 3, 9, 40, 1000 })
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 7))
            {
                var x = KernelAssert.Uniform(n, -1f, 1f, at);
                x[at] = float.NaN;
                if (at + 2 < n) x[at + 2] = float.NaN;
                Assert.True(float.IsNaN(Reductions.Max(x)), $"n={n} NaN at {at}");
                Assert.Equal(at, Reductions.ArgMax(x));
            }
        }
    }

    [Fact]
    public void InfinitiesAreOrdinaryValues()
    {
        var x = Enumerable.Repeat(float.NegativeInfinity, 21).ToArray();
        Assert.Equal(float.NegativeInfinity, Reductions.Max(x));
        Assert.Equal(0, Reductions.ArgMax(x));
        x[12] = float.PositiveInfinity;
        Assert.Equal(float.PositiveInfinity, Reductions.Max(x));
        Assert.Equal(12, Reductions.ArgMax(x));
        Assert.Equal(float.PositiveInfinity, Reductions.Sum(x.AsSpan(12, 1)));
    }

    [Fact]
    public void EmptyMaxAndArgMaxThrowNamingTheArgument()
    {
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Reductions.Max([])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Reductions.ArgMax([])).ParamName);
    }

    [Fact]
    public void DoesNotAllocate()
    {
        var x = KernelAssert.Uniform(5000, -1f, 1f, 1);
        Reductions.Sum(x); Reductions.SumOfSquares(x); Reductions.Max(x); Reductions.ArgMax(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Reductions.Sum(x); Reductions.SumOfSquares(x); Reductions.Max(x); Reductions.ArgMax(x);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
