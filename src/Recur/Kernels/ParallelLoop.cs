using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recur.Kernels;

/// <summary>
/// A parallel for-loop over persistent worker threads, built for kernels that are called thousands of times per
/// second (one GEMM per RNN time step): a call allocates nothing (the body is a function pointer plus a pointer to
/// the caller's context, usually a struct on the caller's stack) and costs a few microseconds. Idle workers spin
/// briefly before they block, so back-to-back calls do not pay a kernel wake-up.
/// </summary>
public static unsafe class ParallelLoop
{
    // How long an idle worker spins for the next job before it blocks (a GEMM issues its calls back to back,
    // an RNN step a few microseconds apart).
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object Gate = new();
    private static readonly ManualResetEventSlim Done = new(false, spinCount: 2000);
    private static Thread[] _workers = [];

    // The job being run. Written by the caller before _job is published, read by workers after they see it.
    private static delegate* managed<void*, int, void> _body;
    private static void* _context;
    private static int _count;
    private static int _next;            // next index to hand out
    private static int _pending;         // helpers still running
    // (generation << 16) | helpers, written in one store so a worker that wakes late never pairs one job's
    // generation with another's helper count. Workers 0..helpers-1 join the job.
    private static long _job;
    private static int _sleepers;        // workers blocked on Gate
    private static int _busy;            // 1 while a job runs: nested and concurrent calls run inline
    private static Exception? _failure;

    /// <summary>
    /// Runs <c>body(context, i)</c> for every <c>i</c> in [0, <paramref name="count"/>) on up to
    /// <see cref="KernelConfig.Threads"/> threads (the caller is one of them) and returns when all calls are done.
    /// Indices are handed out dynamically, one at a time, so the thread that runs an index is unspecified.
    /// A call made while another is running (from a body, or from a second thread) runs on its own calling thread.
    /// If bodies throw, the first exception is rethrown after all indices have been handed out and finished.
    /// </summary>
    /// <param name="count">Number of indices; nothing runs when it is 0 or negative.</param>
    /// <param name="body">Static method called as <c>body(context, i)</c>.</param>
    /// <param name="context">Opaque pointer passed to every call, e.g. the address of a struct on the caller's stack.</param>
    public static void For(int count, delegate* managed<void*, int, void> body, void* context)
    {
        if (body == null) throw new ArgumentNullException(nameof(body));
        if (count <= 0) return;
        int threads = Math.Min(KernelConfig.Threads, count);
        if (threads == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(context, i);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            _body = body;
            _context = context;
            _count = count;
            _next = 0;
            _failure = null;
            _pending = threads - 1;
            Done.Reset();
            long generation = (Volatile.Read(ref _job) >> 16) + 1;
            Interlocked.Exchange(ref _job, generation << 16 | (long)(threads - 1)); // full fence: publishes the job before we read _sleepers
            if (Volatile.Read(ref _sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            RunShare();
            if (Volatile.Read(ref _pending) != 0) Done.Wait();
            Exception? failure = _failure;
            _failure = null;
            _body = null;
            _context = null;
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void RunShare()
    {
        var body = _body;
        void* context = _context;
        int count = _count;
        try
        {
            for (int i = Interlocked.Increment(ref _next) - 1; i < count; i = Interlocked.Increment(ref _next) - 1)
                body(context, i);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Write(ref _next, count); // stop handing out indices
        }
    }

    private static void EnsureWorkers(int needed)
    {
        if (needed > 0xFFFF) throw new NotSupportedException($"at most {0xFFFF + 1} threads are supported, got {needed + 1}");
        if (_workers.Length >= needed) return;
        lock (Gate)
        {
            if (_workers.Length >= needed) return;
            var grown = new Thread[needed];
            Array.Copy(_workers, grown, _workers.Length);
            for (int w = _workers.Length; w < needed; w++)
            {
                int index = w;
                long start = Volatile.Read(ref _job) >> 16;
                grown[w] = new Thread(() => WorkerLoop(index, start)) { IsBackground = true, Name = $"Recur kernel worker {w + 1}" };
                grown[w].Start();
            }
            _workers = grown;
        }
    }

    private static void WorkerLoop(int index, long seen)
    {
        while (true)
        {
            long job = WaitForJob(seen);
            seen = job >> 16;
            if (index >= (int)(job & 0xFFFF)) continue;
            RunShare();
            if (Interlocked.Decrement(ref _pending) == 0) Done.Set();
        }
    }

    // Spins for SpinTicks, then blocks on Gate until the generation moves past `seen`; returns the new _job word.
    private static long WaitForJob(long seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        long g;
        while (((g = Volatile.Read(ref _job)) >> 16) == seen)
        {
            if (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (Gate)
            {
                Interlocked.Increment(ref _sleepers); // full fence: pairs with the caller's exchange of _job
                while (((g = Volatile.Read(ref _job)) >> 16) == seen) Monitor.Wait(Gate);
                Interlocked.Decrement(ref _sleepers);
            }
            break;
        }
        return g;
    }
}
