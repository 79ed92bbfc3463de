using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Recur.Kernels;

namespace Recur.Bench.Kernels;

/// <summary>Elementwise arithmetic: Recur vs TensorPrimitives vs a scalar loop.</summary>
public class ElementwiseBenchmarks
{
    private float[] _x = [], _y = [], _z = [];

    /// <summary>Elements per call.</summary>
    [Params(256, 4096, 65536)]
    public int N { get; set; }

    /// <summary>Operands in [−1, 1].</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = KernelBenchmarkData.Uniform(N, -1, 1, 1);
        _y = KernelBenchmarkData.Uniform(N, -1, 1, 2);
        _z = KernelBenchmarkData.Uniform(N, -1, 1, 3);
    }

    [Benchmark] public void Add_Recur() => Elementwise.Add(_x, _y, _z);
    [Benchmark] public void Add_TensorPrimitives() => TensorPrimitives.Add(_x, _y, _z);
    [Benchmark] public void Add_Scalar() { for (int i = 0; i < _x.Length; i++) _z[i] = _x[i] + _y[i]; }

    [Benchmark] public void Multiply_Recur() => Elementwise.Multiply(_x, _y, _z);
    [Benchmark] public void Multiply_TensorPrimitives() => TensorPrimitives.Multiply(_x, _y, _z);
    [Benchmark] public void Multiply_Scalar() { for (int i = 0; i < _x.Length; i++) _z[i] = _x[i] * _y[i]; }

    // z += x·y; the scale keeps values bounded over many invocations.
    [Benchmark] public void MultiplyAdd_Recur() => Elementwise.MultiplyAdd(_x, _y, _z);
    [Benchmark] public void MultiplyAdd_TensorPrimitives() => TensorPrimitives.FusedMultiplyAdd(_x, _y, _z, _z);
    [Benchmark] public void MultiplyAdd_Scalar() { for (int i = 0; i < _x.Length; i++) _z[i] = MathF.FusedMultiplyAdd(_x[i], _y[i], _z[i]); }

    [Benchmark] public void Axpy_Recur() => Elementwise.Axpy(1e-3f, _x, _z);
    [Benchmark] public void Axpy_TensorPrimitives() => TensorPrimitives.FusedMultiplyAdd(_x, 1e-3f, _z, _z);
    [Benchmark] public void Axpy_Scalar() { for (int i = 0; i < _x.Length; i++) _z[i] = MathF.FusedMultiplyAdd(1e-3f, _x[i], _z[i]); }

    // Scaling by 1 keeps the data unchanged across invocations at the same cost.
    [Benchmark] public void Scale_Recur() => Elementwise.Scale(1f, _z);
    [Benchmark] public void Scale_TensorPrimitives() => TensorPrimitives.Multiply(_z, 1f, _z);
    [Benchmark] public void Scale_Scalar() { for (int i = 0; i < _z.Length; i++) _z[i] *= 1f; }
}
