using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recur.Kernels;

/// <summary>
/// A parallel for-loop over persistent worker threads, built for kernels that are called thousands of times per
/// second (one GEMM per RNN time step): a call allocates nothing (the body is a function pointer plus a pointer to
/// the caller's context, usually a struct on the caller's stack) and costs a few microseconds. Idle workers spin
/// briefly before they block, so back-to-back calls do not pay a kernel wake-up. Indices are handed out one at a
/// time and the call returns as soon as every index has run, so a worker that the OS has not scheduled yet (a busy
/// machine) delays nothing: the threads that do run take its share.
/// </summary>
public static unsafe class ParallelLoop
{
    // How long an idle worker spins for the next job before it blocks (a GEMM issues its calls back to back,
    // an RNN step a few microseconds apart).
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private const int MaxHelpers = 0xFFFF;

    // How long the caller spins for the last indices to finish before it blocks (on a busy machine the thread
    // running them may have been preempted; blocking frees the core, so the OS can run that thread here).
    private static readonly long FinishSpinTicks = Stopwatch.Frequency / 20000; // 50 µs

    private static readonly object Gate = new();
    private static readonly ManualResetEventSlim Finished = new(false);
    private static Thread[] _workers = [];

    // The job being run. The caller closes _next, writes the fields, opens _next for the new generation and then
    // publishes _job. A worker reads the fields after it sees _job and only uses them for an index it claimed from
    // _next with a compare-exchange that also checks the generation, so it never runs one job's body on another
    // job's context, however late it wakes.
    private static delegate* managed<void*, int, void> _body;
    private static void* _context;
    private static int _count;
    private static long _next;           // (generation << 32) | next index; Closed (negative) while the fields change
    private static int _completed;       // indices finished in this job
    private static int _callerBlocked;   // 1 when the caller may be blocked on Finished
    private static long _job;            // (generation << 16) | helpers: workers 0..helpers-1 join the job
    private static int _sleepers;        // workers blocked on Gate
    private static int _busy;            // 1 while a job runs: nested and concurrent calls run inline
    private static Exception? _failure;

    private const long Closed = -1;

    // When a call last waited on a stalled helper (Stopwatch ticks; 0 = never), and how long that is remembered.
    private static long _lastStall;
    private static readonly long StallMemoryTicks = Stopwatch.Frequency / 10; // 100 ms

    /// <summary>
    /// True when, within the last 100 ms, a call waited on a helper thread much longer than the caller's own share took:
    /// the sign of a machine where other processes take the cores. Small jobs (a batch-1 RNN step, ~10 µs per thread)
    /// then do better on one thread than waiting a time slice for a preempted helper.
    /// </summary>
    internal static bool HelpersRecentlyStalled
    {
        get
        {
            long last = Volatile.Read(ref _lastStall);
            return last != 0 && Stopwatch.GetTimestamp() - last < StallMemoryTicks;
        }
    }

    /// <summary>
    /// Runs <c>body(context, i)</c> for every <c>i</c> in [0, <paramref name="count"/>) on up to
    /// <see cref="KernelConfig.Threads"/> threads (the caller is one of them) and returns when all calls are done.
    /// The thread that runs an index is unspecified. A call made while another is running (from a body, or from a
    /// second thread) runs entirely on its own calling thread. If bodies throw, the remaining indices still run and
    /// the first exception is rethrown at the end.
    /// </summary>
    /// <param name="count">Number of indices; nothing runs when it is 0 or negative.</param>
    /// <param name="body">Static method called as <c>body(context, i)</c>.</param>
    /// <param name="context">Opaque pointer passed to every call, e.g. the address of a struct on the caller's stack.</param>
    public static void For(int count, delegate* managed<void*, int, void> body, void* context) =>
        For(count, body, context, KernelConfig.Threads);

    /// <summary>The public <c>For</c> on at most <paramref name="maxThreads"/> threads.</summary>
    internal static void For(int count, delegate* managed<void*, int, void> body, void* context, int maxThreads)
    {
        if (body == null) throw new ArgumentNullException(nameof(body));
        if (count <= 0) return;
        int threads = Math.Min(Math.Min(maxThreads, count), MaxHelpers + 1);
        if (threads == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(context, i);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            long generation = ((Volatile.Read(ref _job) >> 16) + 1) & int.MaxValue; // also fits _next's upper half
            Interlocked.Exchange(ref _next, Closed);
            _body = body;
            _context = context;
            _count = count;
            _completed = 0;
            _callerBlocked = 0;
            _failure = null;
            Interlocked.Exchange(ref _next, generation << 32);
            Interlocked.Exchange(ref _job, generation << 16 | (long)(threads - 1)); // full fence before reading _sleepers
            if (Volatile.Read(ref _sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);

            long start = Stopwatch.GetTimestamp();
            RunShare(generation);
            long shareDone = Stopwatch.GetTimestamp();
            WaitUntilFinished(count);
            // A helper that took an index and then lost its core (another process wanted it) leaves the caller waiting
            // far longer than its own share took: remember when, so that small jobs can stay on one thread for a while.
            long waited = Stopwatch.GetTimestamp() - shareDone;
            if (waited > FinishSpinTicks && waited > 2 * (shareDone - start)) Volatile.Write(ref _lastStall, shareDone + waited);

            Exception? failure = _failure;
            _failure = null;
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    // Claims and runs indices of job `generation` until none are left.
    private static void RunShare(long generation)
    {
        var body = _body;
        void* context = _context;
        int count = _count;
        while (true)
        {
            long next = Volatile.Read(ref _next);
            if (next >> 32 != generation || (int)next >= count) return;
            if (Interlocked.CompareExchange(ref _next, next + 1, next) != next) continue;
            try
            {
                body(context, (int)next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            if (Interlocked.Increment(ref _completed) == count && Volatile.Read(ref _callerBlocked) != 0) Finished.Set();
        }
    }

    // Spins briefly, then blocks on Finished, until all `count` indices have run. The last index's thread sets
    // Finished only if it sees _callerBlocked, which the caller sets (full fence) before its final check; a stale
    // Set from an earlier job only causes one more round of checks.
    private static void WaitUntilFinished(int count)
    {
        long deadline = Stopwatch.GetTimestamp() + FinishSpinTicks;
        while (Volatile.Read(ref _completed) != count)
        {
            if (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
                continue;
            }
            Interlocked.Exchange(ref _callerBlocked, 1);
            if (Volatile.Read(ref _completed) == count) break;
            Finished.Wait();
            Finished.Reset();
        }
    }

    private static void EnsureWorkers(int needed)
    {
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
            if (index < (int)(job & 0xFFFF)) RunShare(seen);
        }
    }

    // Spins for SpinTicks, then blocks on Gate until the generation moves past `seen`; returns the new _job word.
    private static long WaitForJob(long seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        long job;
        while (((job = Volatile.Read(ref _job)) >> 16) == seen)
        {
            if (Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (Gate)
            {
                Interlocked.Increment(ref _sleepers); // full fence: pairs with the caller's exchange of _job
                while (((job = Volatile.Read(ref _job)) >> 16) == seen) Monitor.Wait(Gate);
                Interlocked.Decrement(ref _sleepers);
            }
            break;
        }
        return job;
    }
}
