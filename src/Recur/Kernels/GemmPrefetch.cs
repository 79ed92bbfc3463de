using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>Software prefetch hints (no-ops where the CPU has no prefetch instruction the runtime exposes).</summary>
internal static unsafe class GemmPrefetch
{
    /// <summary>Asks for the cache lines holding <paramref name="floats"/> floats from <paramref name="p"/> into L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* p, int floats)
    {
        if (!Sse.IsSupported) return;
        Sse.Prefetch0(p);
        Sse.Prefetch0(p + floats - 1);
    }
}
