using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Recur.Kernels;

namespace Recur.Bench.Kernels;

/// <summary>Row softmax / log-softmax over [16, N/16] (a batch of 16 rows): Recur vs TensorPrimitives vs a scalar loop.</summary>
public class SoftmaxBenchmarks
{
    private const int Rows = 16;
    private float[] _x = [], _y = [], _ly = [], _dy = [], _out = [];

    /// <summary>Elements per call (rows × cols).</summary>
    [Params(256, 4096, 65536)]
    public int N { get; set; }

    private int Cols => N / Rows;

    /// <summary>Logits and matching outputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _x = KernelBenchmarkData.Uniform(N, -10, 10, 1);
        _dy = KernelBenchmarkData.Uniform(N, -1, 1, 2);
        _y = new float[N];
        _ly = new float[N];
        _out = new float[N];
        Softmax.Forward(_x, _y, Rows, Cols);
        Softmax.LogForward(_x, _ly, Rows, Cols);
    }

    [Benchmark] public void Softmax_Recur() => Softmax.Forward(_x, _out, Rows, Cols);

    [Benchmark]
    public void Softmax_TensorPrimitives()
    {
        for (int r = 0; r < Rows; r++) TensorPrimitives.SoftMax(_x.AsSpan(r * Cols, Cols), _out.AsSpan(r * Cols, Cols));
    }

    [Benchmark]
    public void Softmax_Scalar()
    {
        for (int r = 0; r < Rows; r++)
        {
            int o = r * Cols;
            float max = float.NegativeInfinity, sum = 0;
            for (int j = 0; j < Cols; j++) max = Math.Max(max, _x[o + j]);
            for (int j = 0; j < Cols; j++) sum += _out[o + j] = MathF.Exp(_x[o + j] - max);
            float inv = 1 / sum;
            for (int j = 0; j < Cols; j++) _out[o + j] *= inv;
        }
    }

    [Benchmark] public void LogSoftmax_Recur() => Softmax.LogForward(_x, _out, Rows, Cols);

    [Benchmark]
    public void LogSoftmax_Scalar()
    {
        for (int r = 0; r < Rows; r++)
        {
            int o = r * Cols;
            float max = float.NegativeInfinity, sum = 0;
            for (int j = 0; j < Cols; j++) max = Math.Max(max, _x[o + j]);
            for (int j = 0; j < Cols; j++) sum += MathF.Exp(_x[o + j] - max);
            float logSum = MathF.Log(sum);
            for (int j = 0; j < Cols; j++) _out[o + j] = _x[o + j] - max - logSum;
        }
    }

    [Benchmark] public void SoftmaxBackward_Recur() => Softmax.Backward(_y, _dy, _out, Rows, Cols);

    [Benchmark]
    public void SoftmaxBackward_Scalar()
    {
        for (int r = 0; r < Rows; r++)
        {
            int o = r * Cols;
            float dot = 0;
            for (int j = 0; j < Cols; j++) dot += _dy[o + j] * _y[o + j];
            for (int j = 0; j < Cols; j++) _out[o + j] = _y[o + j] * (_dy[o + j] - dot);
        }
    }

    [Benchmark] public void LogSoftmaxBackward_Recur() => Softmax.LogBackward(_ly, _dy, _out, Rows, Cols);

    [Benchmark]
    public void LogSoftmaxBackward_Scalar()
    {
        for (int r = 0; r < Rows; r++)
        {
            int o = r * Cols;
            float sum = 0;
            for (int j = 0; j < Cols; j++) sum += _dy[o + j];
            for (int j = 0; j < Cols; j++) _out[o + j] = _dy[o + j] - MathF.Exp(_ly[o + j]) * sum;
        }
    }
}
