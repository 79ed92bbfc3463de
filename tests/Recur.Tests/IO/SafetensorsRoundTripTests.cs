using System.Buffers.Binary;
using System.Text;
using Recur.IO.Safetensors;
using Recur.Tensors;

namespace Recur.Tests.IO;

public class SafetensorsRoundTripTests
{
    private static SafetensorsWriter Sample() => new SafetensorsWriter()
        .Add("weight", Fixtures.Ramp(4, 3))
        .Add("seq", Fixtures.Ramp(2, 3, 5))
        .Add("scalar", Tensor.FromValues([7.25f]))
        .Add("empty", new Tensor(0, 4))
        .Add("half", Fixtures.Ramp(6), SafetensorsDType.F16)
        .Add("brain", Fixtures.Ramp(6), SafetensorsDType.BF16)
        .Add("double", Fixtures.Ramp(2, 2), SafetensorsDType.F64)
        .AddInt64("lengths", [5, 1, long.MaxValue, long.MinValue], 4)
        .AddInt32("ids", [1, -2, int.MaxValue, int.MinValue, 0, 9], 2, 3)
        .AddMetadata("format", "pt")
        .AddMetadata("note", "ünïcode \"quoted\" <ok>");

    private static void AssertSample(SafetensorsFile file)
    {
        Assert.Equal(["brain", "double", "empty", "half", "ids", "lengths", "scalar", "seq", "weight"], file.Tensors.Select(t => t.Name));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("ünïcode \"quoted\" <ok>", file.Metadata["note"]);
        foreach (var (name, shape) in new[] { ("weight", new[] { 4, 3 }), ("seq", new[] { 2, 3, 5 }), ("half", new[] { 6 }), ("brain", new[] { 6 }), ("double", new[] { 2, 2 }) })
        {
            var t = file.ReadTensor(name);
            Assert.Equal(shape, t.Shape.ToArray());
            Assert.Equal(Fixtures.Ramp(shape).ToArray(), t.ToArray()); // ramp values are exact in every float type
        }
        var scalar = file.ReadTensor("scalar");
        Assert.Equal(0, scalar.Rank);
        Assert.Equal([7.25f], scalar.ToArray());
        Assert.Equal([0, 4], file.ReadTensor("empty").Shape.ToArray());
        Assert.Equal(SafetensorsDType.F16, file.GetInfo("half").DType);
        Assert.Equal(SafetensorsDType.BF16, file.GetInfo("brain").DType);
        Assert.Equal(SafetensorsDType.F64, file.GetInfo("double").DType);
        Assert.Equal([5L, 1, long.MaxValue, long.MinValue], file.ReadInt64("lengths"));
        Assert.Equal([1, -2, int.MaxValue, int.MinValue, 0, 9], file.ReadInt32("ids"));
        Assert.Equal([1L, -2, int.MaxValue, int.MinValue, 0, 9], file.ReadInt64("ids"));
        Assert.Equal(["brain", "double", "empty", "half", "scalar", "seq", "weight"], file.ReadFloatTensors().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_dtype_round_trips_through_a_stream()
    {
        using var file = SafetensorsFile.FromStream(new MemoryStream(Sample().ToBytes()));
        AssertSample(file);
    }

    [Fact]
    public void Every_dtype_round_trips_through_a_memory_mapped_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"recur-st-{Guid.NewGuid():N}.safetensors");
        try
        {
            Sample().Save(path);
            using (var file = SafetensorsFile.Open(path)) AssertSample(file);
            File.Delete(path); // the mapping is released on Dispose, so the file can go
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Float32_values_keep_their_exact_bits()
    {
        float[] values = [0f, -0f, float.Epsilon, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity,
            BitConverter.Int32BitsToSingle(0x7FC01234), 1f / 3, 1e-42f];
        using var file = SafetensorsFile.FromBytes(new SafetensorsWriter().Add("v", Tensor.FromValues(values, values.Length)).ToBytes());
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), file.ReadFloat32("v").Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Layout_is_aligned_deterministic_and_independent_of_insertion_order()
    {
        byte[] a = Sample().ToBytes();
        var reversed = new SafetensorsWriter()
            .AddMetadata("note", "ünïcode \"quoted\" <ok>").AddMetadata("format", "pt")
            .AddInt32("ids", [1, -2, int.MaxValue, int.MinValue, 0, 9], 2, 3)
            .AddInt64("lengths", [5, 1, long.MaxValue, long.MinValue], 4)
            .Add("double", Fixtures.Ramp(2, 2), SafetensorsDType.F64)
            .Add("brain", Fixtures.Ramp(6), SafetensorsDType.BF16)
            .Add("half", Fixtures.Ramp(6), SafetensorsDType.F16)
            .Add("empty", new Tensor(0, 4))
            .Add("scalar", Tensor.FromValues([7.25f]))
            .Add("seq", Fixtures.Ramp(2, 3, 5))
            .Add("weight", Fixtures.Ramp(4, 3));
        Assert.Equal(a, reversed.ToBytes());

        long n = BinaryPrimitives.ReadInt64LittleEndian(a);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(a, 8, (int)n);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\",\"note\":", header);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.InRange(header.Length - header.TrimEnd(' ').Length, 0, 7); // padded with spaces to a multiple of 8

        // Every tensor starts at a multiple of its element size; widest types come first.
        using var file = SafetensorsFile.FromBytes(a);
        foreach (var t in file.Tensors) Assert.Equal(0, t.DataBegin % t.DType.ElementSize());
        Assert.Equal(0, file.GetInfo("double").DataBegin);
        Assert.Equal(32, file.GetInfo("lengths").DataBegin);
    }

    [Fact]
    public void Conversions_match_pytorch()
    {
        using var file = SafetensorsFile.Open(Path.Combine(Fixtures.Dir("safetensors"), "dtypes.safetensors"));
        static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
        // Reading F16 / BF16 / F64 gives torch's .to(torch.float32) of the same tensor, bit for bit.
        Assert.Equal(Bits(file.ReadFloat32("f16.as_f32")), Bits(file.ReadFloat32("f16")));
        Assert.Equal(Bits(file.ReadFloat32("bf16.as_f32")), Bits(file.ReadFloat32("bf16")));
        Assert.Equal(Bits(file.ReadFloat32("f64.as_f32")), Bits(file.ReadFloat32("f64")));

        // Writing float32 as F16 / BF16 rounds as torch does (to nearest even, overflow to inf, NaN stays NaN; torch's
        // vectorized BF16 path writes NaN as 0xFFFF, Recur keeps the sign and sets the quiet bit, so NaNs compare as one class).
        static int[] Canonical(float[] v) => v.Select(x => float.IsNaN(x) ? int.MinValue : BitConverter.SingleToInt32Bits(x)).ToArray();
        var source = file.ReadTensor("source");
        using var written = SafetensorsFile.FromBytes(new SafetensorsWriter()
            .Add("f16", source, SafetensorsDType.F16).Add("bf16", source, SafetensorsDType.BF16).ToBytes());
        Assert.Equal(Canonical(file.ReadFloat32("f16")), Canonical(written.ReadFloat32("f16")));
        Assert.Equal(Canonical(file.ReadFloat32("bf16")), Canonical(written.ReadFloat32("bf16")));
        Assert.Contains(file.ReadFloat32("source"), float.IsNaN);

        Assert.Equal([0L, -1, 1L << 40, -(1L << 62), 7], file.ReadInt64("i64"));
        Assert.Equal([1, -2, 3, int.MaxValue, int.MinValue, 0], file.ReadInt32("i32"));
        Assert.Equal(0, file.ReadTensor("scalar").Rank);
        Assert.Equal([0, 3], file.ReadTensor("empty").Shape.ToArray());
        Assert.Equal("make_dtypes.py", file.Metadata["written_by"]);
    }

    [Fact]
    public void Reading_into_a_buffer_allocates_nothing()
    {
        using var file = SafetensorsFile.FromBytes(Sample().ToBytes());
        var destination = new float[30];
        file.ReadFloat32("seq", destination);
        long before = GC.GetAllocatedBytesForCurrentThread();
        file.ReadFloat32("seq", destination);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Fixtures.Ramp(30).ToArray(), destination);
    }

    [Fact]
    public void Misuse_gets_clear_errors()
    {
        using var file = SafetensorsFile.FromBytes(Sample().ToBytes(), "sample.safetensors");
        Assert.Contains("sample.safetensors: no tensor named 'nope'", Assert.Throws<KeyNotFoundException>(() => file.ReadTensor("nope")).Message);
        Assert.Contains("tensor 'lengths' is I64", Assert.Throws<InvalidOperationException>(() => file.ReadFloat32("lengths")).Message);
        Assert.Contains("tensor 'weight' is F32", Assert.Throws<InvalidOperationException>(() => file.ReadInt64("weight")).Message);
        Assert.Contains("has 12 elements but the destination holds 11", Assert.Throws<ArgumentException>(() => file.ReadFloat32("weight", new float[11])).Message);
        var narrowing = Assert.Throws<SafetensorsFormatException>(() => file.ReadInt32("lengths"));
        Assert.Equal("lengths", narrowing.Tensor);
        Assert.Contains($"element 2 is {long.MaxValue}, which does not fit in an int32", narrowing.Message);

        var writer = new SafetensorsWriter().Add("a", new Tensor(2));
        Assert.Contains("already added", Assert.Throws<ArgumentException>(() => writer.Add("a", new Tensor(2))).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new Tensor(2))).Message);
        Assert.Contains("not I64", Assert.Throws<ArgumentException>(() => writer.Add("b", new Tensor(2), SafetensorsDType.I64)).Message);
        Assert.Throws<ShapeMismatchException>(() => writer.AddInt64("c", [1, 2, 3], 2, 2));
    }

    [Fact]
    public void Save_replaces_atomically_and_leaves_no_temporary_file()
    {
        string dir = Directory.CreateTempSubdirectory("recur-atomic-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            new SafetensorsWriter().Add("v", Tensor.FromValues([1f, 2f], 2)).Save(path);
            new SafetensorsWriter().Add("v", Tensor.FromValues([3f, 4f, 5f], 3)).Save(path);
            using (var file = SafetensorsFile.Open(path)) Assert.Equal([3f, 4f, 5f], file.ReadFloat32("v"));

            // A write that fails half-way leaves the previous file intact and removes its temporary file.
            byte[] before = File.ReadAllBytes(path);
            Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
            {
                stream.Write(new byte[100]);
                throw new IOException("disk full");
            }));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(["model.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
