using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recur.Kernels;

/// <summary>
/// Per-thread packing buffers of the GEMM, kept for the life of the thread so that calls after the first allocate
/// nothing. Buffers are pinned arrays (stable addresses, freed with the thread) and 64-byte aligned, one cache line.
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? _current;

    private float[]? _packedA, _slabA, _packedB, _panelB, _tile, _rowsA, _accumulators;

    /// <summary>This thread's buffers.</summary>
    public static GemmScratch Current => _current ??= new GemmScratch();

    /// <summary>Packed block of op(A), at least MC x KC floats.</summary>
    public float* PackedA(int floats) => Get(ref _packedA, floats);

    /// <summary>Packed op(A) for all rows and one KC block of a call (shared by the call's threads, read only).</summary>
    public float* SlabA(long floats) => Get(ref _slabA, checked((int)floats));

    /// <summary>Packed op(B) of a whole call (used on the calling thread only).</summary>
    public float* PackedB(long floats) => Get(ref _packedB, checked((int)floats));

    /// <summary>One packed B panel, KC x NR floats.</summary>
    public float* PanelB(int floats) => Get(ref _panelB, floats);

    /// <summary>An MR x NR tile for the edges of C.</summary>
    public float* Tile(int floats) => Get(ref _tile, floats);

    /// <summary>The few rows of op(A) of a small-m product, made contiguous.</summary>
    public float* RowsA(int floats) => Get(ref _rowsA, floats);

    /// <summary>Accumulators of a small-m product, a few rows by a chunk of columns.</summary>
    public float* Accumulators(int floats) => Get(ref _accumulators, floats);

    private static float* Get(ref float[]? buffer, int floats)
    {
        const int align = 64 / sizeof(float);
        if (buffer is null || buffer.Length < floats + align)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, 1) + align, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }
}
