using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// Process-wide kernel settings: which instruction-set path the kernels use and how many threads they may run on.
/// Changing a setting while kernels run on other threads is not supported.
/// </summary>
public static class KernelConfig
{
    private static KernelIsa _isa = Detect();
    private static int _threads = DefaultThreads();

    /// <summary>
    /// The instruction-set path in use. The getter returns the resolved path (never <see cref="KernelIsa.Auto"/>);
    /// setting <see cref="KernelIsa.Auto"/> re-detects. Any path may be forced, also one the CPU lacks (it then
    /// runs correctly but slowly in software), which is how the tests cover every path on one machine.
    /// </summary>
    public static KernelIsa Isa
    {
        get => _isa;
        set
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), $"unknown KernelIsa value {(int)value}");
            _isa = value == KernelIsa.Auto ? Detect() : value;
        }
    }

    /// <summary>The best path this CPU supports in hardware.</summary>
    public static KernelIsa Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return KernelIsa.Avx512;
        if (Avx2.IsSupported && Fma.IsSupported) return KernelIsa.Avx2;
        return KernelIsa.Vector128;
    }

    /// <summary>
    /// Maximum number of threads a kernel call uses (the calling thread included); at least 1. Defaults to the
    /// environment variable <c>RECUR_NUM_THREADS</c> when it holds a positive integer, else
    /// <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"Threads must be at least 1, got {value}");
            _threads = value;
        }
    }

    private static int DefaultThreads()
    {
        string? env = Environment.GetEnvironmentVariable("RECUR_NUM_THREADS");
        return int.TryParse(env, out int t) && t >= 1 ? t : Math.Max(1, Environment.ProcessorCount);
    }
}
