using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Recur.Kernels;

namespace Recur.Bench.Kernels;

/// <summary>Reductions: Recur vs TensorPrimitives vs a scalar loop.</summary>
public class ReductionBenchmarks
{
    private float[] _x = [];

    /// <summary>Elements per call.</summary>
    [Params(256, 4096, 65536)]
    public int N { get; set; }

    /// <summary>Values in [−1, 1].</summary>
    [GlobalSetup]
    public void Setup() => _x = KernelBenchmarkData.Uniform(N, -1, 1, 1);

    [Benchmark] public float Sum_Recur() => Reductions.Sum(_x);
    [Benchmark] public float Sum_TensorPrimitives() => TensorPrimitives.Sum(_x);
    [Benchmark] public float Sum_Scalar() { float s = 0; foreach (float v in _x) s += v; return s; }

    [Benchmark] public float SumOfSquares_Recur() => Reductions.SumOfSquares(_x);
    [Benchmark] public float SumOfSquares_TensorPrimitives() => TensorPrimitives.SumOfSquares(_x);
    [Benchmark] public float SumOfSquares_Scalar() { double s = 0; foreach (float v in _x) s += (double)v * v; return (float)s; }

    [Benchmark] public float Max_Recur() => Reductions.Max(_x);
    [Benchmark] public float Max_TensorPrimitives() => TensorPrimitives.Max(_x);
    [Benchmark] public float Max_Scalar() { float m = float.NegativeInfinity; foreach (float v in _x) m = Math.Max(m, v); return m; }

    [Benchmark] public int ArgMax_Recur() => Reductions.ArgMax(_x);
    [Benchmark] public int ArgMax_TensorPrimitives() => TensorPrimitives.IndexOfMax(_x);

    [Benchmark]
    public int ArgMax_Scalar()
    {
        int best = 0;
        for (int i = 1; i < _x.Length; i++) if (_x[i] > _x[best]) best = i;
        return best;
    }
}
