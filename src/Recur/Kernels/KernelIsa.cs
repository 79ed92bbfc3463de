namespace Recur.Kernels;

/// <summary>
/// The instruction-set family a kernel is compiled for. Every path runs on every CPU (the vector APIs fall back to
/// software where the hardware lacks the instructions), so a path can be forced for tests; only a supported one is fast.
/// </summary>
public enum KernelIsa
{
    /// <summary>Pick the best path this CPU supports (<see cref="KernelConfig.Detect"/>).</summary>
    Auto,

    /// <summary>512-bit vectors, 32 registers (AVX-512F): GEMM register tile 12x32.</summary>
    Avx512,

    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA3): GEMM register tile 6x16.</summary>
    Avx2,

    /// <summary>Portable 128-bit vectors (SSE, NEON, or software): GEMM register tile 6x8.</summary>
    Vector128,
}
