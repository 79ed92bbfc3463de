using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Recur.Tensors;

namespace Recur.IO.Safetensors;

/// <summary>
/// Collects named tensors and metadata and writes them as a safetensors file. The output is deterministic: header
/// keys in ordinal order (<c>__metadata__</c> first), data laid out widest element type first and then by name (so
/// every tensor starts at a multiple of its element size), and the header padded with spaces to a multiple of 8 bytes.
/// Tensors are referenced, not copied, until written.
/// </summary>
/// <example><code>
/// new SafetensorsWriter()
///     .Add("weight_ih_l0", w)                    // float32 [4*H, I]
///     .AddInt64("lengths", lengths, lengths.Length)
///     .AddMetadata("format", "pt")
///     .Save("model.safetensors");                 // atomic replace
/// </code></example>
public sealed class SafetensorsWriter
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    private sealed record Entry(string Name, SafetensorsDType DType, int[] Shape, Tensor? Floats, long[]? Longs, int[]? Ints);

    /// <summary>Adds a float tensor, stored as <paramref name="dtype"/> (F32 exactly; F16, BF16 rounded to nearest even; F64 widened).</summary>
    /// <exception cref="ArgumentException">The name is taken or reserved, or <paramref name="dtype"/> is an integer type.</exception>
    public SafetensorsWriter Add(string name, Tensor tensor, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!dtype.IsFloat()) throw new ArgumentException($"a float tensor is stored as F32, F16, BF16 or F64, not {dtype}", nameof(dtype));
        return Add(new Entry(CheckName(name), dtype, tensor.Shape.ToArray(), tensor, null, null));
    }

    /// <summary>Adds an I64 tensor of <paramref name="shape"/> (whose element count must equal the array length).</summary>
    public SafetensorsWriter AddInt64(string name, long[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(new Entry(CheckName(name), SafetensorsDType.I64, CheckShape(shape, values.Length), null, values, null));
    }

    /// <summary>Adds an I32 tensor of <paramref name="shape"/> (whose element count must equal the array length).</summary>
    public SafetensorsWriter AddInt32(string name, int[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Add(new Entry(CheckName(name), SafetensorsDType.I32, CheckShape(shape, values.Length), null, null, values));
    }

    /// <summary>Sets a <c>__metadata__</c> string (replacing an earlier value of the same key).</summary>
    public SafetensorsWriter AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata[key] = value;
        return this;
    }

    /// <summary>Writes the file to <paramref name="path"/>, atomically replacing any previous file (see <see cref="AtomicFile"/>).</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the file to <paramref name="stream"/> at its current position.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ElementConversions.RequireLittleEndian();
        var layout = _entries.Values
            .OrderByDescending(e => e.DType.ElementSize())
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToArray();
        byte[] header = BuildHeader(layout);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var e in layout) WriteData(stream, e);
    }

    private byte[] BuildHeader(Entry[] layout)
    {
        var offsets = new Dictionary<string, (long Begin, long End)>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var e in layout)
        {
            long bytes = (long)Shape.ElementCount(e.Shape) * e.DType.ElementSize();
            offsets[e.Name] = (offset, offset + bytes);
            offset += bytes;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in _metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var name in _entries.Keys.Order(StringComparer.Ordinal))
            {
                var e = _entries[name];
                json.WriteStartObject(name);
                json.WriteString("dtype", e.DType.ToString());
                json.WriteStartArray("shape");
                foreach (int d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offsets[name].Begin);
                json.WriteNumberValue(offsets[name].End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Entry e)
    {
        if (e.Longs is not null) stream.Write(MemoryMarshal.AsBytes(e.Longs.AsSpan()));
        else if (e.Ints is not null) stream.Write(MemoryMarshal.AsBytes(e.Ints.AsSpan()));
        else if (e.DType == SafetensorsDType.F32) stream.Write(MemoryMarshal.AsBytes(e.Floats!.Span));
        else
        {
            // Converted in pieces through a pooled buffer, so that a large tensor costs no large allocation.
            const int chunk = 1 << 14;
            int size = e.DType.ElementSize();
            byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk * size);
            try
            {
                var floats = e.Floats!.Span;
                for (int start = 0; start < floats.Length; start += chunk)
                {
                    var src = floats.Slice(start, Math.Min(chunk, floats.Length - start));
                    var dst = buffer.AsSpan(0, src.Length * size);
                    ElementConversions.FromFloat32(e.DType, src, dst);
                    stream.Write(dst);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private SafetensorsWriter Add(Entry entry)
    {
        if (!_entries.TryAdd(entry.Name, entry))
            throw new ArgumentException($"a tensor named '{entry.Name}' was already added", "name");
        return this;
    }

    private static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == SafetensorsHeader.MetadataKey)
            throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved for the metadata", nameof(name));
        return name;
    }

    private static int[] CheckShape(int[] shape, int length)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int n = Shape.ElementCount(shape);
        if (n != length)
            throw new ShapeMismatchException("values", $"{n} elements (shape {Shape.Format(shape)})", $"{length} elements");
        return (int[])shape.Clone();
    }
}
