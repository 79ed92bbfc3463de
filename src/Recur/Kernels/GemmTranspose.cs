using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// 8 x 8 float transposes with AVX shuffles, for packing operands whose stored rows run across the packed layout
/// (op(B) stored transposed, op(A) stored untransposed). Callers check <see cref="IsSupported"/> and fall back to
/// scalar copies.
/// </summary>
internal static unsafe class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>
    /// Reads 8 floats from each of <paramref name="rows"/> (&lt;= 8) rows src + i*ld (the rest read as zero) and
    /// writes column q (the rows' q-th floats) to dst + q*dstStride, its first <paramref name="count"/> floats only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(float* src, nint ld, int rows, float* dst, nint dstStride, int count)
    {
        Vector256<float> r0 = rows > 0 ? Avx.LoadVector256(src) : default;
        Vector256<float> r1 = rows > 1 ? Avx.LoadVector256(src + ld) : default;
        Vector256<float> r2 = rows > 2 ? Avx.LoadVector256(src + 2 * ld) : default;
        Vector256<float> r3 = rows > 3 ? Avx.LoadVector256(src + 3 * ld) : default;
        Vector256<float> r4 = rows > 4 ? Avx.LoadVector256(src + 4 * ld) : default;
        Vector256<float> r5 = rows > 5 ? Avx.LoadVector256(src + 5 * ld) : default;
        Vector256<float> r6 = rows > 6 ? Avx.LoadVector256(src + 6 * ld) : default;
        Vector256<float> r7 = rows > 7 ? Avx.LoadVector256(src + 7 * ld) : default;

        // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped into place.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        StoreFirst(Avx.Permute2x128(s0, s4, 0x20), dst, count);
        StoreFirst(Avx.Permute2x128(s1, s5, 0x20), dst + dstStride, count);
        StoreFirst(Avx.Permute2x128(s2, s6, 0x20), dst + 2 * dstStride, count);
        StoreFirst(Avx.Permute2x128(s3, s7, 0x20), dst + 3 * dstStride, count);
        StoreFirst(Avx.Permute2x128(s0, s4, 0x31), dst + 4 * dstStride, count);
        StoreFirst(Avx.Permute2x128(s1, s5, 0x31), dst + 5 * dstStride, count);
        StoreFirst(Avx.Permute2x128(s2, s6, 0x31), dst + 6 * dstStride, count);
        StoreFirst(Avx.Permute2x128(s3, s7, 0x31), dst + 7 * dstStride, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(Vector256<float> v, float* dst, int count)
    {
        if (count == 8)
        {
            Avx.Store(dst, v);
            return;
        }
        Vector128<float> low = v.GetLower();
        if (count >= 4)
        {
            Sse.Store(dst, low);
            dst += 4;
            count -= 4;
            low = v.GetUpper();
        }
        if (count >= 2)
        {
            Sse.StoreLow(dst, low);
            dst += 2;
            count -= 2;
            low = Sse.MoveHighToLow(low, low);
        }
        if (count == 1) Sse.StoreScalar(dst, low);
    }
}
