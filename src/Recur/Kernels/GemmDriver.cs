using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// The cache-blocked, multithreaded GEMM loop nest (GotoBLAS / BLIS): C is cut into tasks of up to MC rows by a
/// chunk of columns; a task walks K in blocks of KC, packs its op(A) block (MC x KC, stays in L2), and for each
/// NR-column panel of packed op(B) (KC x NR, stays in L1) runs the micro-kernel down the MR-row panels of A.
/// <para>
/// Reproducibility: every element of C is summed over K in the same order (KC blocks in ascending order, each by
/// the same micro-kernel), whatever the task split or thread count, because tiles sit on a fixed MR x NR grid and
/// K is never split across threads. So results are bit-identical for any <see cref="KernelConfig.Threads"/>.
/// </para>
/// </summary>
internal static unsafe class GemmDriver
{
    // Most floats of op(B) packed at once when B is not pre-packed (16 MB); wider products are done in column passes.
    // Settable only so that tests can cover several passes with small matrices.
    internal static long PackedBLimit = 4L << 20;

    // Tasks per thread: a few, so that a thread the OS preempts holds up only a small part, but each task re-packs
    // its A block (1, 2, 4 and 8 measured within noise of each other on a busy 2-core Zen 3).
    internal const int TasksPerThread = 2;

    // Products of at most this many multiply-adds (m*n*k; ~0.26 MFLOP, 3-5 µs on one core) run on one thread: a
    // second thread saves little and, on a busy machine, a preempted helper stalls the call for a whole time
    // slice. Above it, 1x256x1024 (the batch-1 LSTM step, 2^18, B of 1 MB streamed from L3) runs 1.6x faster on
    // two threads of a 2-core Zen 3 unpacked (GemmSmallM) and 2x faster pre-packed.
    internal const long SingleThreadWork = 1 << 17;

    // Products of at most this many multiply-adds (~20 µs on one core) also run on one thread while helper threads
    // have recently been stalled by other processes (ParallelLoop.HelpersRecentlyStalled): under such load the
    // batch-1 step measured 11-20 GFLOP/s on two threads against 25 on one.
    internal const long StallSensitiveWork = 1 << 20;

    /// <summary>Threads for a product of m*n*k multiply-adds.</summary>
    internal static int ThreadsFor(int m, int n, int k) => ThreadsFor(m, n, k, ParallelLoop.HelpersRecentlyStalled);

    internal static int ThreadsFor(int m, int n, int k, bool helpersStalled)
    {
        long work = (long)m * n * k;
        return work <= SingleThreadWork || (work <= StallSensitiveWork && helpersStalled) ? 1 : KernelConfig.Threads;
    }

    // A chunk of columns is at least this wide, so re-packing the A block per chunk stays negligible.
    private const int MinChunkCols = 128;

    // B panels handled together: packed at once by a task that packs its own, and a pair for the paired kernel
    // (packing 1, 2, 4 and 8 at once were within noise of each other on Zen 3).
    private const int PanelsPerGroup = 2;

    /// <summary>The state of one GEMM call, on the caller's stack; tasks read it through a pointer.</summary>
    private struct Job
    {
        public GemmKernel Kernel;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public bool TransA, TransB;
        public int M, K;
        public float Alpha, Beta;

        // Packed op(B) for columns [J0, J1): the KC-row block starting at row p0 is at Bp + p0 * BpWidth, and in it
        // the panel of column j at (j - J0) * kc. Null when each task packs its own B panels (PackBInTask).
        public float* Bp;
        public int BpWidth, J0, J1;
        public bool PackBInTask;

        // K range of the tasks, and (slab mode) op(A) packed for all rows of that range: row block i0 at ASlab + i0 * kc.
        public int P0, P1;
        public float* ASlab;

        public int Threads;
        public int McBlocks, BlockRows;   // op(A) in McBlocks row blocks of BlockRows (<= MC, a multiple of MR) rows
        public int ChunkCols;             // task t covers row block t % McBlocks and column chunk t / McBlocks
        public int PanelsPerPackTask;
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C with B packed here (m, n, k &gt; 0; arguments validated).</summary>
    public static void Multiply(in GemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        var job = NewJob(kernel, transA, m, k, alpha, a, lda, beta, c, ldc, ThreadsFor(m, n, k));
        job.B = b;
        job.Ldb = ldb;
        job.TransB = transB;
        if (job.McBlocks == 1)
        {
            // One row block: each B panel is used by exactly one task, so tasks pack their panels as they go.
            job.PackBInTask = true;
            job.J1 = n;
            RunTasks(ref job);
            return;
        }
        int nr = kernel.NR;
        int passCols = (int)Math.Max(nr, PackedBLimit / k / nr * nr);
        float* packed = GemmScratch.Current.PackedB((long)k * Math.Min(RoundUp(n, nr), passCols));
        // A stored transposed (a weight gradient dGᵀ x: A = dG [K, M], wide) is packed a KC block at a time for all
        // rows at once, by streaming whole rows of A; each task packing its own block would read A's rows in
        // MC-wide pieces, M/MC times over, touching a new page with every row (4H floats apart).
        float* slab = transA ? GemmScratch.Current.SlabA((long)RoundUp(m, kernel.MR) * kernel.KC) : null;
        for (int j0 = 0; j0 < n; j0 += passCols)
        {
            int j1 = Math.Min(n, j0 + passCols);
            job.Bp = packed;
            job.BpWidth = RoundUp(j1 - j0, nr);
            job.J0 = j0;
            job.J1 = j1;
            PackB(ref job);
            if (slab == null)
            {
                RunTasks(ref job);
                continue;
            }
            for (int p0 = 0; p0 < k; p0 += kernel.KC)
            {
                job.P0 = p0;
                job.P1 = Math.Min(k, p0 + kernel.KC);
                job.ASlab = slab;
                ParallelLoop.For(Math.Min(job.Threads, job.McBlocks), &PackSlabTask, &job, job.Threads);
                RunTasks(ref job);
            }
        }
    }

    // Packs part `index` of Threads parts (whole row blocks) of op(A)'s K range [P0, P1) into the slab: the rows of
    // A are read as wide as they come (PackA deals eight of them at a time to all panels).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackSlabTask(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        int parts = Math.Min(job.Threads, job.McBlocks), kc = job.P1 - job.P0;
        int i0 = job.McBlocks * index / parts * job.BlockRows, i1 = Math.Min(job.M, job.McBlocks * (index + 1) / parts * job.BlockRows);
        GemmPacking.PackA(job.ASlab + (long)i0 * kc, job.A, job.Lda, job.TransA, i0, i1 - i0, job.P0, kc, job.Kernel.MR);
    }

    /// <summary>C = alpha * op(A) * B + beta * C with B pre-packed by <see cref="PackedMatrix"/> (m, n, k &gt; 0).</summary>
    public static void MultiplyPacked(in GemmKernel kernel, bool transA, int m, int n, int k, float alpha,
        float* a, nint lda, float* packed, int packedWidth, float beta, float* c, nint ldc)
    {
        var job = NewJob(kernel, transA, m, k, alpha, a, lda, beta, c, ldc, ThreadsFor(m, n, k));
        job.Bp = packed;
        job.BpWidth = packedWidth;
        job.J1 = n;
        RunTasks(ref job);
    }

    /// <summary>Packs op(B)[0..k, 0..n] (b, ldb, transB) into dst with rows of width RoundUp(n, MaxNR), in parallel.</summary>
    public static void Pack(in GemmKernel kernel, bool transB, int k, int n, float* b, nint ldb, float* dst, int width)
    {
        var job = new Job { Kernel = kernel, K = k, B = b, Ldb = ldb, TransB = transB, Bp = dst, BpWidth = width, J1 = n, Threads = KernelConfig.Threads };
        PackB(ref job);
    }

    private static Job NewJob(in GemmKernel kernel, bool transA, int m, int k, float alpha, float* a, nint lda,
        float beta, float* c, nint ldc, int threads)
    {
        // Row blocks of equal size, and as many as a multiple of the thread count when there are several, so that
        // threads get equal work (144 + 144 + 144 + 80 rows on 2 threads left one idle 11% of the time). Block
        // boundaries stay on the MR grid, so the arithmetic per element does not change.
        int blocks = (m + kernel.MC - 1) / kernel.MC;
        if (blocks > 1 && threads > 1) blocks = RoundUp(blocks, threads);
        int blockRows = Math.Min(kernel.MC, RoundUp((m + blocks - 1) / blocks, kernel.MR));
        return new Job
        {
            Kernel = kernel,
            A = a,
            Lda = lda,
            TransA = transA,
            C = c,
            Ldc = ldc,
            M = m,
            K = k,
            P1 = k,
            Alpha = alpha,
            Beta = beta,
            Threads = threads,
            BlockRows = blockRows,
            McBlocks = (m + blockRows - 1) / blockRows,
        };
    }

    private static void PackB(ref Job job)
    {
        int panels = (job.J1 - job.J0 + job.Kernel.NR - 1) / job.Kernel.NR;
        int tasks = Math.Min(panels, 4 * job.Threads);
        job.PanelsPerPackTask = (panels + tasks - 1) / tasks;
        fixed (Job* p = &job)
            ParallelLoop.For((panels + job.PanelsPerPackTask - 1) / job.PanelsPerPackTask, &PackTask, p, job.Threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTask(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        int nr = job.Kernel.NR, kcMax = job.Kernel.KC;
        int j0 = job.J0 + index * job.PanelsPerPackTask * nr;
        int cols = Math.Min(job.J1 - j0, job.PanelsPerPackTask * nr);
        for (int p0 = 0; p0 < job.K; p0 += kcMax)
        {
            int kc = Math.Min(kcMax, job.K - p0);
            GemmPacking.PackB(job.Bp + (long)p0 * job.BpWidth + (long)(j0 - job.J0) * kc, job.B, job.Ldb, job.TransB, p0, kc, j0, cols, nr, false);
        }
    }

    // Splits columns [J0, J1) into chunks so that there are TasksPerThread tasks per thread, then runs the tasks.
    private static void RunTasks(ref Job job)
    {
        int nr = job.Kernel.NR;
        int panels = (job.J1 - job.J0 + nr - 1) / nr;
        int threads = job.Threads;
        int chunks = threads == 1 ? 1 : (TasksPerThread * threads + job.McBlocks - 1) / job.McBlocks;
        chunks = Math.Clamp(chunks, 1, Math.Max(1, panels * nr / MinChunkCols));
        int panelsPerChunk = (panels + chunks - 1) / chunks;
        job.ChunkCols = panelsPerChunk * nr;
        chunks = (panels + panelsPerChunk - 1) / panelsPerChunk;
        fixed (Job* p = &job)
            ParallelLoop.For(job.McBlocks * chunks, &RunTask, p, threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTask(void* context, int index)
    {
        ref Job job = ref *(Job*)context;
        ref readonly GemmKernel kernel = ref job.Kernel;
        int mr = kernel.MR, nr = kernel.NR, kcMax = kernel.KC;
        int i0 = index % job.McBlocks * job.BlockRows;
        int mc = Math.Min(job.BlockRows, job.M - i0);
        int jStart = job.J0 + index / job.McBlocks * job.ChunkCols;
        int jEnd = Math.Min(job.J1, jStart + job.ChunkCols);

        var scratch = GemmScratch.Current;
        float* ownA = job.ASlab == null ? scratch.PackedA(kernel.MC * kcMax) : null;
        float* bpanels = job.PackBInTask ? scratch.PanelB(PanelsPerGroup * kcMax * nr) : null;
        float* tile = scratch.Tile(mr * nr);
        var tileKernel = kernel.Tile;

        for (int p0 = job.P0; p0 < job.P1; p0 += kcMax)
        {
            int kc = Math.Min(kcMax, job.P1 - p0);
            float beta = p0 == 0 ? job.Beta : 1f; // later K blocks accumulate onto the first
            float* ap = ownA;
            if (ap == null) ap = job.ASlab + (long)i0 * kc;
            else GemmPacking.PackA(ap, job.A, job.Lda, job.TransA, i0, mc, p0, kc, mr);
            int fullRows = mc / mr * mr, lastRows = mc - fullRows;
            for (int jg = jStart; jg < jEnd; jg += PanelsPerGroup * nr)
            {
                int groupEnd = Math.Min(jEnd, jg + PanelsPerGroup * nr);
                float* group;
                if (job.PackBInTask)
                {
                    GemmPacking.PackB(bpanels, job.B, job.Ldb, job.TransB, p0, kc, jg, groupEnd - jg, nr, groupEnd < jEnd);
                    group = bpanels;
                }
                else group = job.Bp + (long)p0 * job.BpWidth + (long)(jg - job.J0) * kc;

                // Full row panels, B panel by B panel (the panel stays in L1 down the rows).
                for (int jr = jg; jr < groupEnd; jr += nr)
                {
                    float* bp = group + (jr - jg) * kc;
                    int cols = Math.Min(nr, groupEnd - jr);
                    for (int ir = 0; ir < fullRows; ir += mr)
                    {
                        float* c = job.C + (i0 + ir) * job.Ldc + jr;
                        if (cols == nr) tileKernel(mr, kc, ap + ir * kc, bp, c, job.Ldc, job.Alpha, beta);
                        else EdgeTile(tileKernel, mr, kc, ap + ir * kc, bp, c, job.Ldc, cols, job.Alpha, beta, tile, nr);
                    }
                }
                if (lastRows == 0) continue;

                // The last, partial row panel: with few rows (a small-batch RNN step) one tile alone is bound by FMA
                // latency, so two B panels go through the paired kernel when they can.
                float* aLast = ap + fullRows * kc;
                float* cLast = job.C + (i0 + fullRows) * job.Ldc;
                int jp = jg;
                if (lastRows <= kernel.PairRows && groupEnd - jg == 2 * nr)
                {
                    kernel.TilePair(lastRows, kc, aLast, group, cLast + jg, job.Ldc, job.Alpha, beta);
                    jp = groupEnd;
                }
                for (; jp < groupEnd; jp += nr)
                {
                    float* bp = group + (jp - jg) * kc;
                    int cols = Math.Min(nr, groupEnd - jp);
                    if (cols == nr) tileKernel(lastRows, kc, aLast, bp, cLast + jp, job.Ldc, job.Alpha, beta);
                    else EdgeTile(tileKernel, lastRows, kc, aLast, bp, cLast + jp, job.Ldc, cols, job.Alpha, beta, tile, nr);
                }
            }
        }
    }

    // A tile cut by the right edge of C: the kernel on a copy, so the arithmetic per element is the interior's.
    private static void EdgeTile(delegate* managed<int, int, float*, float*, float*, nint, float, float, void> tileKernel,
        int rows, int kc, float* ap, float* bp, float* c, nint ldc, int cols, float alpha, float beta, float* tile, int nr)
    {
        if (beta != 0)
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) tile[r * nr + j] = c[r * ldc + j];
        tileKernel(rows, kc, ap, bp, tile, nr, alpha, beta);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) c[r * ldc + j] = tile[r * nr + j];
    }

    internal static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
