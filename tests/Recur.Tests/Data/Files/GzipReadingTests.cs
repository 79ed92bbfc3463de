using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Recur.Data.Files;

namespace Recur.Tests.Data.Files;

public class GzipReadingTests
{
    [Fact]
    public void Crc32_gives_the_check_value_and_the_crc_gzip_writes()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));
        Assert.Equal(0u, Crc32.Append(0, []));

        var data = Text(100_003, seed: 1);
        byte[] gz = Gzip(data);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(gz.AsSpan(gz.Length - 8)), Crc32.Append(0, data));
        // Appending piece by piece (lengths not multiples of 8) gives the same CRC as all at once.
        uint crc = 0;
        for (int start = 0, step = 1; start < data.Length; start += step, step = step * 3 % 1001 + 1)
            crc = Crc32.Append(crc, data.AsSpan(start, Math.Min(step, data.Length - start)));
        Assert.Equal(Crc32.Append(0, data), crc);
    }

    [Fact]
    public void Single_and_multi_member_files_decompress_in_full()
    {
        using var dir = new TempDir();
        var big = Text(400_000, seed: 2);   // many 8 KB chunks of compressed data
        var small = Text(1_000, seed: 3);
        Assert.Equal(big, ReadAll(dir.WriteBytes("one.gz", Gzip(big))));
        // Members are read one after another, an empty one too (gzip a b > ab.gz, or bgzip's blocks).
        Assert.Equal([.. big, .. small], ReadAll(dir.WriteBytes("three.gz", [.. Gzip(big), .. EmptyMember, .. Gzip(small)])));
        Assert.Empty(Decompressed([EmptyMember]));
        Assert.Empty(ReadAll(dir.WriteBytes("empty.gz", EmptyMember)));
    }

    [Fact]
    public void Optional_header_fields_are_skipped_and_the_header_crc_is_checked()
    {
        using var dir = new TempDir();
        var data = Text(20_000, seed: 4);
        byte[] file = GzipWithAllHeaderFields(data);
        Assert.Equal(data, Decompressed([file])); // the hand-made file is valid gzip for zlib too
        Assert.Equal(data, ReadAll(dir.WriteBytes("fields.gz", file)));

        int headerCrcAt = Array.IndexOf(file, (byte)0, Array.IndexOf(file, (byte)'#')) + 1;
        file[headerCrcAt] ^= 1;
        var e = Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("badheader.gz", file)));
        Assert.StartsWith("badheader.gz: corrupt gzip file: member 1's header CRC is", e.Message);
    }

    [Fact]
    public void A_file_cut_short_anywhere_is_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        // Members with data and empty ones (an empty member's trailer is all zeros, as are its last compressed bits).
        byte[][] members = [Gzip(Text(300, seed: 5)), EmptyMember, Gzip(Text(200, seed: 6)), EmptyMember];
        byte[] file = [.. members.SelectMany(m => m)];
        var wholeMembers = new Dictionary<int, byte[]>();
        for (int k = 1, end = 0; k <= members.Length; k++) wholeMembers[end += members[k - 1].Length] = Decompressed(members[..k]);
        for (int cut = 2; cut < file.Length; cut++)
        {
            string path = dir.WriteBytes("cut.txt.gz", file[..cut]);
            if (wholeMembers.TryGetValue(cut, out var prefix))
            {
                Assert.Equal(prefix, ReadAll(path)); // whole members are a valid file
                continue;
            }
            var e = Assert.Throws<DataFormatException>(() => ReadAll(path));
            Assert.Equal("cut.txt.gz", e.Source);
            Assert.Contains("truncated", e.Message);
        }

        byte[] big = Gzip(Text(400_000, seed: 7));
        foreach (int cut in new[] { 5, 10, 11, 1000, 8192, 8193, big.Length / 2, big.Length - 9, big.Length - 8, big.Length - 5, big.Length - 1 })
        {
            string path = dir.WriteBytes("big.txt.gz", big[..cut]);
            var e = Assert.Throws<DataFormatException>(() => ReadAll(path));
            Assert.StartsWith("big.txt.gz: truncated", e.Message);
        }
        Assert.Contains("it ends inside the header of member 1",
            Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("h.gz", big[..5]))).Message);
        Assert.Contains("it ends inside the compressed data of member 1, after",
            Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("d.gz", big[..(big.Length / 2)]))).Message);
    }

    [Fact]
    public void Every_reader_refuses_a_truncated_file()
    {
        using var dir = new TempDir();
        string text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n"));
        byte[] gz = Gzip(Encoding.UTF8.GetBytes(text));
        string path = dir.WriteBytes("t.txt.gz", gz[..(gz.Length * 2 / 3)]);
        const string Expected = "t.txt.gz: truncated gzip file";
        Assert.StartsWith(Expected, Assert.Throws<DataFormatException>(() => Utf8LineReader.ReadLines(path).ToList()).Message);
        Assert.StartsWith(Expected, Assert.Throws<DataFormatException>(() => CodePointReader.ReadAll(path).ToList()).Message);
        Assert.StartsWith(Expected, Assert.Throws<DataFormatException>(() => DataFile.ReadAllText(path)).Message);
    }

    [Fact]
    public void A_damaged_trailer_data_or_tail_is_an_error()
    {
        using var dir = new TempDir();
        var data = Text(50_000, seed: 8);
        byte[] gz = Gzip(data);
        for (int i = 1; i <= 8; i++)
        {
            byte[] bad = (byte[])gz.Clone();
            bad[^i] ^= 0x10;
            var e = Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("trailer.gz", bad)));
            Assert.Contains($"no trailer matching the {data.Length} decompressed bytes (CRC-32 0x{Crc32.Append(0, data):X8}) of member 1", e.Message);
        }

        byte[] flipped = (byte[])gz.Clone();
        flipped[gz.Length / 2] ^= 0x01;
        var damaged = Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("data.gz", flipped)));
        Assert.StartsWith("data.gz: ", damaged.Message);
        Assert.Matches("the compressed data of member 1 is damaged|no trailer matching|ends inside the compressed data", damaged.Message);

        var tail = Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("tail.gz", [.. gz, .. "junk"u8])));
        Assert.Equal("tail.gz: corrupt gzip file: the bytes after member 1 are not another member (0x6A 0x75, expected 0x1F 0x8B)", tail.Message);

        byte[] method = (byte[])gz.Clone();
        method[2] = 7;
        Assert.Contains("member 1 has compression method 7, expected 8 (deflate)",
            Assert.Throws<DataFormatException>(() => ReadAll(dir.WriteBytes("method.gz", method))).Message);
    }

    // What gzip writes for no data (GZipStream writes nothing at all): a header, a final fixed-Huffman block holding
    // only its end code (03 00), CRC-32 0 and length 0.
    private static readonly byte[] EmptyMember = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] Text(int length, int seed)
    {
        // Words from a small alphabet: compressible like text, but not so much that the compressed file is tiny.
        var random = new Random(seed);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = random.Next(8) == 0 ? (byte)' ' : (byte)('a' + random.Next(16));
        return bytes;
    }

    private static byte[] Decompressed(byte[][] members)
    {
        var output = new MemoryStream();
        foreach (var member in members)
            using (var gz = new GZipStream(new MemoryStream(member), CompressionMode.Decompress)) gz.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return buffer.ToArray();
    }

    // A member with every optional header field of RFC 1952: FEXTRA, FNAME, FCOMMENT and FHCRC.
    private static byte[] GzipWithAllHeaderFields(byte[] data)
    {
        List<byte> header = [0x1F, 0x8B, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, 3, 6, 0, (byte)'R', (byte)'c', 2, 0, 7, 9];
        header.AddRange("data.txt\0"u8.ToArray());
        header.AddRange("# made by a test\0"u8.ToArray());
        ushort headerCrc = (ushort)Crc32.Append(0, header.ToArray());
        header.Add((byte)headerCrc);
        header.Add((byte)(headerCrc >> 8));
        var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Append(0, data));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)data.Length);
        return [.. header, .. deflated.ToArray(), .. trailer];
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = DataFile.OpenRead(path);
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }
}
