using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>An elementwise function of one vector, at every width (the same arithmetic in each lane).</summary>
internal interface IUnaryVectorOp
{
    Vector128<float> Apply(Vector128<float> a);
    Vector256<float> Apply(Vector256<float> a);
    Vector512<float> Apply(Vector512<float> a);
}

/// <summary>An elementwise function of two vectors, at every width.</summary>
internal interface IBinaryVectorOp
{
    Vector128<float> Apply(Vector128<float> a, Vector128<float> b);
    Vector256<float> Apply(Vector256<float> a, Vector256<float> b);
    Vector512<float> Apply(Vector512<float> a, Vector512<float> b);
}


/// <summary>
/// Applies an elementwise op over spans with the widest hardware vector, from the first destination element on a
/// vector-size boundary. The head before it and the tail go through the same op on 128-bit vectors (and a zero-padded
/// copy for the last few elements), so every element gets bit-identical arithmetic whatever its position. Lengths are checked by the callers; the output may alias an input exactly (each index is read before it
/// is written). The op is a struct so the JIT specialises and inlines it. The loops are deliberately not unrolled:
/// four inlined copies of tanh or sigmoid ran out of vector registers and took 2.2x as long (measured), while the
/// memory-bound ops gained nothing measurable. The loops are compiled fully optimised on first call: tier-0 vector
/// code is tens of times slower, which short runs (and the first training steps) would see.
/// </summary>
internal static class VectorLoop
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> a, Span<float> dst) where TOp : struct, IUnaryVectorOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        nuint n = (nuint)dst.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector512<float>.Count;
            if (n >= 2 * w) MapNarrow(op, a, dst, 0, i = ElementsToAlignment(ref rd, 64));
            for (; i + w <= n; i += w)
                op.Apply(Vector512.LoadUnsafe(ref ra, i)).StoreUnsafe(ref rd, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector256<float>.Count;
            if (n >= 2 * w) MapNarrow(op, a, dst, 0, i = ElementsToAlignment(ref rd, 32));
            for (; i + w <= n; i += w)
                op.Apply(Vector256.LoadUnsafe(ref ra, i)).StoreUnsafe(ref rd, i);
        }
        MapNarrow(op, a, dst, i, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) where TOp : struct, IBinaryVectorOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        nuint n = (nuint)dst.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector512<float>.Count;
            if (n >= 2 * w) MapNarrow(op, a, b, dst, 0, i = ElementsToAlignment(ref rd, 64));
            for (; i + w <= n; i += w)
                op.Apply(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector256<float>.Count;
            if (n >= 2 * w) MapNarrow(op, a, b, dst, 0, i = ElementsToAlignment(ref rd, 32));
            for (; i + w <= n; i += w)
                op.Apply(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
        }
        MapNarrow(op, a, b, dst, i, n);
    }

    /// <summary>
    /// Elements before <paramref name="r"/> reaches a <paramref name="bytes"/> boundary. Wide stores that straddle
    /// cache lines cost twice (in-place Scale ran 2x slower than aligned at n = 65536), so the wide loops start
    /// there. If the GC moves the buffer meanwhile only the speed changes: loads and stores are unaligned-tolerant.
    /// </summary>
    private static unsafe nuint ElementsToAlignment(ref float r, nuint bytes)
    {
        nuint misalignment = (nuint)Unsafe.AsPointer(ref r) & (bytes - 1);
        return misalignment % sizeof(float) != 0 ? 0 : ((bytes - misalignment) & (bytes - 1)) / sizeof(float);
    }

    /// <summary>Elements [i, end) with 128-bit vectors and a zero-padded partial vector (the head and the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MapNarrow<TOp>(TOp op, ReadOnlySpan<float> a, Span<float> dst, nuint i, nuint end) where TOp : struct, IUnaryVectorOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        for (; i + (nuint)Vector128<float>.Count <= end; i += (nuint)Vector128<float>.Count)
            op.Apply(Vector128.LoadUnsafe(ref ra, i)).StoreUnsafe(ref rd, i);
        if (i < end)
        {
            int k = (int)i, m = (int)(end - i);
            StorePartial(op.Apply(LoadPartial128(a.Slice(k, m))), dst.Slice(k, m));
        }
    }

    /// <inheritdoc cref="MapNarrow{TOp}(TOp, ReadOnlySpan{float}, Span{float}, nuint, nuint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MapNarrow<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst, nuint i, nuint end) where TOp : struct, IBinaryVectorOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        for (; i + (nuint)Vector128<float>.Count <= end; i += (nuint)Vector128<float>.Count)
            op.Apply(Vector128.LoadUnsafe(ref ra, i), Vector128.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
        if (i < end)
        {
            int k = (int)i, m = (int)(end - i);
            StorePartial(op.Apply(LoadPartial128(a.Slice(k, m)), LoadPartial128(b.Slice(k, m))), dst.Slice(k, m));
        }
    }

    /// <summary>The first <c>src.Length</c> (fewer than a vector) lanes from <paramref name="src"/>, the rest 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadPartial128(ReadOnlySpan<float> src)
    {
        Vector128<float> v = default;
        src.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Vector128<float>, float>(ref v), Vector128<float>.Count));
        return v;
    }

    /// <inheritdoc cref="LoadPartial128(ReadOnlySpan{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadPartial256(ReadOnlySpan<float> src)
    {
        Vector256<float> v = default;
        src.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Vector256<float>, float>(ref v), Vector256<float>.Count));
        return v;
    }

    /// <inheritdoc cref="LoadPartial128(ReadOnlySpan{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadPartial512(ReadOnlySpan<float> src)
    {
        Vector512<float> v = default;
        src.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<float>, float>(ref v), Vector512<float>.Count));
        return v;
    }

    /// <summary>Writes the first <c>dst.Length</c> (fewer than 4) lanes of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector128<float> v, Span<float> dst) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<Vector128<float>, float>(ref v), dst.Length).CopyTo(dst);
}
