using BenchmarkDotNet.Attributes;
using Recur.Layers;

namespace Recur.Bench.Kernels;

/// <summary>
/// The fused gate math of one LSTM time step (forward and backward) over a batch of rows, as the recurrent sweep
/// runs it between two GEMMs: B32 x H256 (N = 8192 cells), the char-LM training step's shape; the scalar peer is the
/// same forward with MathF.
/// </summary>
public class CellMathBenchmarks
{
    private const int Batch = 32, Hidden = 256;

    /// <summary>Cells per call, B*H.</summary>
    [Params(Batch * Hidden)]
    public int N { get; set; }

    private float[] _gates = [], _pre = [], _c = [], _cNew = [], _r = [], _dr = [], _dc = [];

    /// <summary>Pre-activations in the range gates see in training.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pre = KernelBenchmarkData.Uniform(Batch * 4 * Hidden, -4, 4, 1);
        _gates = new float[_pre.Length];
        _c = KernelBenchmarkData.Uniform(Batch * Hidden, -2, 2, 2);
        _cNew = new float[_c.Length];
        _r = new float[_c.Length];
        _dr = KernelBenchmarkData.Uniform(Batch * Hidden, -1, 1, 3);
        _dc = new float[_c.Length];
    }

    [Benchmark]
    public void LstmForward_Recur()
    {
        _pre.CopyTo(_gates, 0);
        for (int i = 0; i < Batch; i++)
            LstmMath.ForwardRow(_gates.AsSpan(i * 4 * Hidden, 4 * Hidden), _c.AsSpan(i * Hidden, Hidden), _cNew.AsSpan(i * Hidden, Hidden), _r.AsSpan(i * Hidden, Hidden));
    }

    [Benchmark]
    public void LstmBackward_Recur()
    {
        _pre.CopyTo(_gates, 0); // activations in (0, 1) matter little to the cost
        for (int i = 0; i < Batch; i++)
            LstmMath.BackwardRow(_gates.AsSpan(i * 4 * Hidden, 4 * Hidden), _c.AsSpan(i * Hidden, Hidden), _c.AsSpan(i * Hidden, Hidden), _dr.AsSpan(i * Hidden, Hidden), _dc.AsSpan(i * Hidden, Hidden));
    }

    [Benchmark]
    public void LstmForward_Scalar()
    {
        _pre.CopyTo(_gates, 0);
        for (int b = 0; b < Batch; b++)
        {
            var g = _gates.AsSpan(b * 4 * Hidden, 4 * Hidden);
            for (int j = 0; j < Hidden; j++)
            {
                float i = Sigmoid(g[j]), f = Sigmoid(g[Hidden + j]), c = MathF.Tanh(g[2 * Hidden + j]), o = Sigmoid(g[3 * Hidden + j]);
                float cn = f * _c[b * Hidden + j] + i * c;
                g[j] = i; g[Hidden + j] = f; g[2 * Hidden + j] = c; g[3 * Hidden + j] = o;
                _cNew[b * Hidden + j] = cn;
                _r[b * Hidden + j] = o * MathF.Tanh(cn);
            }
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
