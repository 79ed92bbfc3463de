using System.Buffers.Binary;

namespace Recur.Data.Files;

/// <summary>
/// The CRC-32 of gzip and zip (ISO 3309 / ITU-T V.42: reflected polynomial 0xEDB88320, register preset to all ones and
/// inverted at the end; the CRC of "123456789" is 0xCBF43926), computed eight bytes a step with eight tables
/// ("slicing by 8"): T_0 is the byte-at-a-time table and T_k[b] = (T_{k-1}[b] &gt;&gt; 8) ^ T_0[T_{k-1}[b] &amp; 0xFF], the
/// CRC contribution of byte b followed by k zero bytes.
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    // T_0..T_7, 256 entries each.
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of the bytes already seen (whose CRC-32 is <paramref name="crc"/>, 0 for none) followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table.AsSpan();
        uint c = ~crc;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (int)(low & 0xFF)] ^ t[6 * 256 + (int)((low >> 8) & 0xFF)]
              ^ t[5 * 256 + (int)((low >> 16) & 0xFF)] ^ t[4 * 256 + (int)(low >> 24)]
              ^ t[3 * 256 + (int)(high & 0xFF)] ^ t[2 * 256 + (int)((high >> 8) & 0xFF)]
              ^ t[256 + (int)((high >> 16) & 0xFF)] ^ t[(int)(high >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) c = t[(int)((c ^ b) & 0xFF)] ^ (c >> 8);
        return ~c;
    }

    /// <summary>The CRC-32 of the bytes already seen followed by the single byte <paramref name="value"/>.</summary>
    public static uint Append(uint crc, byte value) => Append(crc, [value]);

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint b = 0; b < 256; b++)
        {
            uint c = b;
            for (int bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[b] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int b = 0; b < 256; b++)
            {
                uint previous = table[(k - 1) * 256 + b];
                table[k * 256 + b] = (previous >> 8) ^ table[(int)(previous & 0xFF)];
            }
        return table;
    }
}
