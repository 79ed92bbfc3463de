using System.Runtime.InteropServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The arguments of one layer's forward or backward for every direction, held in one reusable object so that
/// <see cref="Kernels.ParallelLoop"/> can run the directions concurrently without allocating: its context pointer is a
/// GCHandle to this object, made once.
/// </summary>
internal sealed class DirectionJob
{
    private readonly DirectionSweep[] _sweeps;
    private readonly int _directions, _stateSize;
    private bool _backward;
    private int _layer, _maxLen;
    private Tensor? _x, _y, _h0, _c0, _hn, _cn, _dy, _dhn, _dcn, _dh0, _dc0;
    private int[]? _lengths;
    private bool _keep;

    public DirectionJob(DirectionSweep[] sweeps, int directions, int stateSize)
    {
        _sweeps = sweeps;
        _directions = directions;
        _stateSize = stateSize;
        Handle = GCHandle.Alloc(this, GCHandleType.Weak); // the layer keeps this object alive; weak so it can still be collected
    }

    public GCHandle Handle { get; }

    public void SetForward(int layer, Tensor x, Tensor y, Tensor? h0, Tensor? c0, int[]? lengths, int maxLen, Tensor hn, Tensor? cn, bool keep)
    {
        _backward = false;
        _layer = layer; _x = x; _y = y; _h0 = h0; _c0 = c0; _lengths = lengths; _maxLen = maxLen; _hn = hn; _cn = cn; _keep = keep;
    }

    public void SetBackward(int layer, Tensor dy, Tensor? dhn, Tensor? dcn, Tensor dh0, Tensor? dc0)
    {
        _backward = true;
        _layer = layer; _dy = dy; _dhn = dhn; _dcn = dcn; _dh0 = dh0; _dc0 = dc0;
    }

    /// <summary>Runs direction <paramref name="dir"/> of the job.</summary>
    public void Run(int dir)
    {
        int k = _layer * _directions + dir;
        if (_backward)
            _sweeps[k].Backward(_dy!, dir * _stateSize, Slice(_dhn, k), Slice(_dcn, k), Slice(_dh0, k), Slice(_dc0, k));
        else
            _sweeps[k].Forward(_x!, _y!, dir * _stateSize, Slice(_h0, k), Slice(_c0, k), _lengths, _maxLen, Slice(_hn, k), Slice(_cn, k), _keep);
    }

    // Entry k of a [L*D, B, F] state tensor as a span (empty for a missing tensor); no view object is made.
    private static Span<float> Slice(Tensor? t, int k)
    {
        if (t is null) return Span<float>.Empty;
        int n = t.Length / t.Dim(0);
        return t.Span.Slice(k * n, n);
    }

    /// <summary>ParallelLoop body (exceptions are rethrown by the loop): context is <see cref="Handle"/>.</summary>
    public static unsafe void Body(void* context, int dir) => ((DirectionJob)GCHandle.FromIntPtr((nint)context).Target!).Run(dir);
}
