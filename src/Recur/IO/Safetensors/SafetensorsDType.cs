namespace Recur.IO.Safetensors;

/// <summary>The element types Recur reads and writes; the names are the safetensors <c>dtype</c> strings.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 binary32.</summary>
    F32,
    /// <summary>IEEE 754 binary16 (read as float32; written with round-to-nearest-even).</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a binary32 (read as float32; written with round-to-nearest-even).</summary>
    BF16,
    /// <summary>IEEE 754 binary64 (read as float32 with rounding).</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
}

/// <summary>Sizes and names of <see cref="SafetensorsDType"/> values.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>True for the floating-point types, which read as float32.</summary>
    public static bool IsFloat(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F64;

    /// <summary>Parses a header <c>dtype</c> string (exact, case-sensitive, as the format defines it).</summary>
    public static bool TryParse(string? text, out SafetensorsDType dtype)
    {
        switch (text)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            case "I32": dtype = SafetensorsDType.I32; return true;
            default: dtype = default; return false;
        }
    }
}
