using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Recur.IO.Safetensors;

/// <summary>
/// Conversions between the little-endian bytes of a safetensors data section and float32 / int64 values.
/// Byte spans may be unaligned (allowed for MemoryMarshal.Cast on the little-endian platforms .NET runs on).
/// </summary>
internal static class ElementConversions
{
    /// <summary>Throws on a big-endian platform, where the raw casts below would read the bytes backwards.</summary>
    public static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors reading and writing needs a little-endian platform");
    }

    /// <summary>Elements of a float dtype (F32, F16, BF16, F64) to float32; <paramref name="dst"/> has one slot per element.</summary>
    public static void ToFloat32(SafetensorsDType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case SafetensorsDType.F32:
                MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                break;
            case SafetensorsDType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
                break;
            case SafetensorsDType.BF16:
                BFloat16ToFloat32(MemoryMarshal.Cast<byte, ushort>(src), dst);
                break;
            case SafetensorsDType.F64:
                var doubles = MemoryMarshal.Cast<byte, double>(src);
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)doubles[i]; // round to nearest even
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a float dtype");
        }
    }

    /// <summary>Elements of an integer dtype (I64, I32) to int64.</summary>
    public static void ToInt64(SafetensorsDType dtype, ReadOnlySpan<byte> src, Span<long> dst)
    {
        if (dtype == SafetensorsDType.I64)
        {
            MemoryMarshal.Cast<byte, long>(src).CopyTo(dst);
            return;
        }
        if (dtype != SafetensorsDType.I32) throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not an integer dtype");
        var ints = MemoryMarshal.Cast<byte, int>(src);
        for (int i = 0; i < dst.Length; i++) dst[i] = ints[i];
    }

    /// <summary>float32 values to the bytes of a float dtype (F16 and BF16 rounded to nearest even).</summary>
    public static void FromFloat32(SafetensorsDType dtype, ReadOnlySpan<float> src, Span<byte> dst)
    {
        switch (dtype)
        {
            case SafetensorsDType.F32:
                MemoryMarshal.AsBytes(src).CopyTo(dst);
                break;
            case SafetensorsDType.F16:
                TensorPrimitives.ConvertToHalf(src, MemoryMarshal.Cast<byte, Half>(dst));
                break;
            case SafetensorsDType.BF16:
                var halves = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < src.Length; i++) halves[i] = ToBFloat16(src[i]);
                break;
            case SafetensorsDType.F64:
                var doubles = MemoryMarshal.Cast<byte, double>(dst);
                for (int i = 0; i < src.Length; i++) doubles[i] = src[i];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a float dtype");
        }
    }

    /// <summary>bfloat16 is the upper half of a float32: widen each 16-bit pattern and shift it up.</summary>
    private static void BFloat16ToFloat32(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        var bits = MemoryMarshal.Cast<float, uint>(dst);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= src.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(src.Slice(i)), out var low, out var high);
                (low << 16).CopyTo(bits.Slice(i));
                (high << 16).CopyTo(bits.Slice(i + Vector<uint>.Count));
            }
        }
        for (; i < src.Length; i++) bits[i] = (uint)src[i] << 16;
    }

    /// <summary>float32 to bfloat16 with round-to-nearest-even on the dropped 16 bits; NaN stays a (quiet) NaN.</summary>
    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        bits += 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }
}
