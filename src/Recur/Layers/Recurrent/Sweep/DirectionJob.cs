using System.Runtime.InteropServices;
using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Runs one layer's forward or backward for every direction. The work before and after the time loop (the input
/// projection, the weight gradients: large GEMMs) runs one direction at a time on all threads; the time loops run as
/// D x R independent jobs, one per direction and range of batch rows, on as many threads as there are jobs. Each job's
/// per-step GEMM then runs on its own thread, so no thread waits for another at every step (one step's GEMM is too
/// small to split well: the gate math between two GEMMs would run on one thread while the other waits).
/// The arguments live in this reusable object so that <see cref="ParallelLoop"/> runs the jobs without allocating: its
/// context pointer is a GCHandle to this object, made once.
/// </summary>
internal sealed class DirectionJob
{
    // A row range has at least this many rows: below it, splitting the per-step GEMM costs more than the threads gain.
    internal const int MinRowsPerRange = 4;

    private readonly DirectionSweep[] _sweeps;
    private readonly int _directions;
    private bool _backward;
    private int _layer, _ranges, _rows;

    public DirectionJob(DirectionSweep[] sweeps, int directions)
    {
        _sweeps = sweeps;
        _directions = directions;
        Handle = GCHandle.Alloc(this, GCHandleType.Weak); // its RecurrentActivations keep this object alive; weak so it can still be collected
    }

    public GCHandle Handle { get; }

    /// <summary>Row ranges per direction for a batch of <paramref name="rows"/>: enough to give every thread a job.</summary>
    private int RangesFor(int rows) => Math.Clamp(KernelConfig.Threads / _directions, 1, Math.Max(1, rows / MinRowsPerRange));

    /// <summary>Forward of layer <paramref name="layer"/>; states are [L*D, B, F] tensors (null = zeros / not wanted).</summary>
    public void Forward(int layer, SweepInput x, Tensor y, Tensor? h0, Tensor? c0, int[]? lengths, int maxLen, Tensor hn, Tensor? cn, bool keep)
    {
        int s = y.Dim(2) / _directions;
        for (int dir = 0; dir < _directions; dir++)
        {
            int k = layer * _directions + dir;
            _sweeps[k].BeginForward(x, y, dir * s, Slice(h0, k), Slice(c0, k), lengths, maxLen, keep);
        }
        RunSweeps(layer, backward: false, x.Batch, RangesFor(x.Batch));
        for (int dir = 0; dir < _directions; dir++)
        {
            int k = layer * _directions + dir;
            _sweeps[k].EndForward(Slice(hn, k), Slice(cn, k));
        }
    }

    /// <summary>Backward of layer <paramref name="layer"/> (BPTT and parameter gradients; not ∂L/∂x).</summary>
    public void Backward(int layer, Tensor dy, Tensor? dhn, Tensor? dcn, Tensor dh0, Tensor? dc0)
    {
        int b = dy.Dim(0), s = dy.Dim(2) / _directions, ranges = RangesFor(b);
        for (int dir = 0; dir < _directions; dir++)
        {
            int k = layer * _directions + dir;
            _sweeps[k].BeginBackward(dy, dir * s, Slice(dhn, k), Slice(dcn, k), ranges);
        }
        RunSweeps(layer, backward: true, b, ranges);
        for (int dir = 0; dir < _directions; dir++)
        {
            int k = layer * _directions + dir;
            _sweeps[k].EndBackward(Slice(dh0, k), Slice(dc0, k));
        }
    }

    private unsafe void RunSweeps(int layer, bool backward, int rows, int ranges)
    {
        _layer = layer; _backward = backward; _rows = rows; _ranges = ranges;
        int jobs = _directions * _ranges;
        // A single job runs on the calling thread, so its GEMMs may still use every thread.
        if (jobs == 1) Run(0);
        else ParallelLoop.For(jobs, &Body, (void*)GCHandle.ToIntPtr(Handle));
    }

    private void Run(int job)
    {
        int dir = job % _directions, range = job / _directions;
        var sweep = _sweeps[_layer * _directions + dir];
        var rows = RowRange.Split(_rows, _ranges, range);
        if (_backward) sweep.SweepBackward(rows, range);
        else sweep.SweepForward(rows);
    }

    // Entry k of a [L*D, B, F] state tensor as a span (empty for a missing tensor); no view object is made.
    private static Span<float> Slice(Tensor? t, int k)
    {
        if (t is null) return Span<float>.Empty;
        int n = t.Length / t.Dim(0);
        return t.Span.Slice(k * n, n);
    }

    /// <summary>ParallelLoop body (exceptions are rethrown by the loop): context is <see cref="Handle"/>.</summary>
    private static unsafe void Body(void* context, int job) => ((DirectionJob)GCHandle.FromIntPtr((nint)context).Target!).Run(job);
}
