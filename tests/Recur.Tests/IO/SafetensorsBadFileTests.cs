using System.Buffers.Binary;
using System.Text;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

/// <summary>Every way a file can lie gets a <see cref="SafetensorsFormatException"/> naming the file, the tensor and the problem.</summary>
public class SafetensorsBadFileTests
{
    /// <summary>A file with the given header text (unpadded) and <paramref name="dataBytes"/> bytes of data.</summary>
    private static byte[] File(string header, int dataBytes, ulong? declaredLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        for (int i = 8 + json.Length; i < bytes.Length; i++) bytes[i] = (byte)i;
        return bytes;
    }

    private static SafetensorsFormatException Reject(byte[] bytes)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.FromBytes(bytes, "bad.safetensors").Dispose());
        Assert.Equal("bad.safetensors", e.FileName);
        Assert.StartsWith("bad.safetensors: ", e.Message);
        return e;
    }

    public static TheoryData<string, int, string?, string> Headers() => new()
    {
        // header text, data bytes, tensor named in the error (null: the file), expected message fragment
        { "[1, 2]", 0, null, "the header must be a JSON object, got an array" },
        { "\"a\"", 0, null, "the header must be a JSON object, got a string" },
        { "{\"a\":", 0, null, "the header is not valid JSON" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}} x", 4, null, "the header is not valid JSON" },
        { "{\"a\": 5}", 0, "a", "the entry must be an object with dtype, shape and data_offsets, got a number" },
        { "{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "a", "the entry lacks 'dtype'" },
        { "{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, "a", "the entry lacks 'shape'" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "a", "the entry lacks 'data_offsets'" },
        { "{\"a\": {\"dtype\": \"F32\", \"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "a", "the entry has 'dtype' more than once" },
        { "{\"a\": {\"dtype\": \"Q4\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "a", "unsupported dtype 'Q4' (supported: F32, F16, BF16, F64, I64, I32)" },
        { "{\"a\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "a", "unsupported dtype 'f32'" },
        { "{\"a\": {\"dtype\": 1, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "a", "dtype must be a string, got a number" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}", 4, "a", "shape must be an array of integers, got a number" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4, "a", "shape dimension 0 must be a non-negative integer, got -1" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4, "a", "shape dimension 0 must be a non-negative integer, got 1.5" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [3000000000], \"data_offsets\": [0, 4]}}", 4, "a", "shape dimension 0 is 3000000000, larger than 2147483647" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [99999999999999999999], \"data_offsets\": [0, 4]}}", 4, "a", "shape dimension 0 must be a non-negative integer" },
        // A huge declared shape is caught by arithmetic on the header, before anything is allocated.
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2000000000, 2000000000, 2000000000], \"data_offsets\": [0, 8]}}", 8, "a", "data_offsets [0, 8] span 8 bytes but F32 shape [2000000000, 2000000000, 2000000000] needs more than the 8-byte data section holds" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2000000000, 2000000000, 0], \"data_offsets\": [0, 0]}}", 0, "a", "shape [2000000000, 2000000000, 0] is empty but its other dimensions multiply to more than 2147483591" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", 20, "a", "data_offsets [0, 20] span 20 bytes but F32 shape [2, 3] needs 24 bytes" },
        { "{\"a\": {\"dtype\": \"F64\", \"shape\": [3], \"data_offsets\": [0, 12]}}", 12, "a", "data_offsets [0, 12] span 12 bytes but F64 shape [3] needs 24 bytes" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4, "a", "data_offsets must be an array [begin, end], got [0]" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}", 4, "a", "data_offsets begin must be a non-negative integer, got -4" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, \"4\"]}}", 4, "a", "data_offsets end must be a non-negative integer, got \"4\"" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 4]}}", 8, "a", "data_offsets [8, 4] end before they begin" },
        // Truncated data: the header promises more bytes than the file has.
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [6], \"data_offsets\": [0, 24]}}", 16, "a", "data_offsets [0, 24] run past the end of the data section (16 bytes; is the file truncated?)" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}, \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}", 24, "b", "data_offsets [8, 24] overlap tensor 'a' [0, 16]" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [12, 20]}}", 20, "b", "data_offsets [12, 20] leave a gap: bytes [8, 12) belong to no tensor" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "a", "data_offsets [4, 12] leave a gap: bytes [0, 4) belong to no tensor" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 24, null, "the data section is 24 bytes but the tensors cover only 16: 8 trailing bytes belong to no tensor" },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "a", "the header names 'a' more than once" },
        { "{\"__metadata__\": [], \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, null, "__metadata__ must be an object of strings, got an array" },
        { "{\"__metadata__\": {\"k\": 1}}", 0, null, "__metadata__ entry 'k' must be a string, got a number" },
        { "{\"__metadata__\": {\"k\": \"1\", \"k\": \"2\"}}", 0, null, "__metadata__ names 'k' more than once" },
        { "{\"__metadata__\": {}, \"__metadata__\": {}}", 0, null, "the header names '__metadata__' more than once" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void Lying_header_is_rejected_with_the_tensor_and_the_problem(string header, int dataBytes, string? tensor, string problem)
    {
        var e = Reject(File(header, dataBytes));
        Assert.Equal(tensor, e.Tensor);
        Assert.Contains(problem, e.Message);
        if (tensor is not null) Assert.StartsWith($"bad.safetensors: tensor '{tensor}': ", e.Message);
    }

    [Fact]
    public void Header_length_is_checked_against_the_file_and_a_cap()
    {
        Assert.Contains("the file is 3 bytes, too short for the 8-byte header length", Reject([1, 2, 3]).Message);
        Assert.Contains("the file is 0 bytes", Reject([]).Message);
        Assert.Contains("the header length 1000 runs past the end of the file (20 bytes, so at most 12)", Reject(File("{}", 10, 1000)).Message);
        Assert.Contains($"the header length {1UL << 40} exceeds the limit of {100 << 20} bytes", Reject(File("{}", 0, 1UL << 40)).Message);
        Assert.Contains($"the header length {ulong.MaxValue} exceeds the limit", Reject(File("{}", 0, ulong.MaxValue)).Message);
        Assert.Contains("the header is not valid JSON", Reject(File("", 0)).Message);
    }

    [Fact]
    public void Invalid_text_in_the_header_is_rejected()
    {
        byte[] bytes = File("{\"a\u00e9\": {}}", 0);
        bytes[10] = 0xFF; // not UTF-8
        Assert.Contains("the header holds a string that cannot be decoded", Reject(bytes).Message);
        // An escaped unpaired surrogate is valid JSON but not a string .NET can hold: rejected, or accepted as is.
        try { SafetensorsFile.FromBytes(File("{\"\\ud800\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 0)).Dispose(); }
        catch (SafetensorsFormatException) { }
    }

    [Fact]
    public void Truncated_files_are_rejected_at_every_length()
    {
        byte[] good = new SafetensorsWriter().Add("w", Fixtures.Ramp(3, 4)).AddInt64("n", [1, 2], 2).AddMetadata("k", "v").ToBytes();
        for (int length = 0; length < good.Length; length++)
        {
            var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.FromBytes(good[..length], "cut").Dispose());
            Assert.StartsWith("cut: ", e.Message);
        }
    }

    [Fact]
    public void A_bad_file_on_disk_is_named_by_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"recur-bad-{Guid.NewGuid():N}.safetensors");
        try
        {
            System.IO.File.WriteAllBytes(path, File("{\"w\": {\"dtype\": \"F32\", \"shape\": [6], \"data_offsets\": [0, 24]}}", 16));
            var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
            Assert.Equal($"{path}: tensor 'w': data_offsets [0, 24] run past the end of the data section (16 bytes; is the file truncated?)", e.Message);
            System.IO.File.WriteAllBytes(path, []);
            Assert.Contains("the file is 0 bytes", Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path)).Message);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void Zero_sized_tensors_may_share_an_offset_and_unknown_fields_are_ignored()
    {
        using var file = SafetensorsFile.FromBytes(File(
            "{\"e1\": {\"dtype\": \"F32\", \"shape\": [0, 5], \"data_offsets\": [0, 0]}, \"e2\": {\"dtype\": \"I64\", \"shape\": [3, 0], \"data_offsets\": [0, 0], \"extra\": {\"x\": [1]}}," +
            " \"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4));
        Assert.Equal([0, 5], file.ReadTensor("e1").Shape.ToArray());
        Assert.Empty(file.ReadInt64("e2"));
        Assert.Single(file.ReadFloat32("w"));
    }
}
