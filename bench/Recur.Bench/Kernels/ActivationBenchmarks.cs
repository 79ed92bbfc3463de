using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Recur.Kernels;

namespace Recur.Bench.Kernels;

/// <summary>Activations and their backward passes (and the raw vector exp): Recur vs TensorPrimitives vs a scalar loop.</summary>
public class ActivationBenchmarks
{
    private float[] _x = [], _y = [], _dy = [], _out = [];

    /// <summary>Elements per call.</summary>
    [Params(256, 4096, 65536)]
    public int N { get; set; }

    /// <summary>Inputs in the range an RNN gate sees.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = KernelBenchmarkData.Uniform(N, -8, 8, 1);
        _y = KernelBenchmarkData.Uniform(N, -0.99f, 0.99f, 2);
        _dy = KernelBenchmarkData.Uniform(N, -1, 1, 3);
        _out = new float[N];
    }

    [Benchmark] public void Exp_Recur() => VectorLoop.Map(default(ExpOp), _x, _out);
    [Benchmark] public void Exp_TensorPrimitives() => TensorPrimitives.Exp(_x, _out);
    [Benchmark] public void Exp_Scalar() { for (int i = 0; i < _x.Length; i++) _out[i] = MathF.Exp(_x[i]); }

    [Benchmark] public void Sigmoid_Recur() => Activations.Sigmoid(_x, _out);
    [Benchmark] public void Sigmoid_TensorPrimitives() => TensorPrimitives.Sigmoid(_x, _out);
    [Benchmark] public void Sigmoid_Scalar() { for (int i = 0; i < _x.Length; i++) _out[i] = 1f / (1f + MathF.Exp(-_x[i])); }

    [Benchmark] public void Tanh_Recur() => Activations.Tanh(_x, _out);
    [Benchmark] public void Tanh_TensorPrimitives() => TensorPrimitives.Tanh(_x, _out);
    [Benchmark] public void Tanh_Scalar() { for (int i = 0; i < _x.Length; i++) _out[i] = MathF.Tanh(_x[i]); }

    [Benchmark] public void Relu_Recur() => Activations.Relu(_x, _out);
    [Benchmark] public void Relu_TensorPrimitives() => TensorPrimitives.Max(_x, 0f, _out);
    [Benchmark] public void Relu_Scalar() { for (int i = 0; i < _x.Length; i++) _out[i] = _x[i] < 0 ? 0 : _x[i]; }

    [Benchmark] public void SigmoidBackward_Recur() => Activations.SigmoidBackward(_y, _dy, _out);
    [Benchmark] public void SigmoidBackward_Scalar() { for (int i = 0; i < _y.Length; i++) _out[i] = _dy[i] * (1 - _y[i]) * _y[i]; }

    [Benchmark] public void TanhBackward_Recur() => Activations.TanhBackward(_y, _dy, _out);
    [Benchmark] public void TanhBackward_Scalar() { for (int i = 0; i < _y.Length; i++) _out[i] = _dy[i] * (1 - _y[i] * _y[i]); }

    [Benchmark] public void ReluBackward_Recur() => Activations.ReluBackward(_y, _dy, _out);
    [Benchmark] public void ReluBackward_Scalar() { for (int i = 0; i < _y.Length; i++) _out[i] = _y[i] <= 0 ? 0 : _dy[i]; }

    private readonly struct ExpOp : IUnaryVectorOp
    {
        public Vector128<float> Apply(Vector128<float> x) => VectorMath.Exp(x);
        public Vector256<float> Apply(Vector256<float> x) => VectorMath.Exp(x);
        public Vector512<float> Apply(Vector512<float> x) => VectorMath.Exp(x);
    }
}
