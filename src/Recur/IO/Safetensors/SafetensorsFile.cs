using System.Runtime.InteropServices;
using Recur.Tensors;

namespace Recur.IO.Safetensors;

/// <summary>
/// A safetensors file opened for reading: the header is parsed and fully validated on open (see
/// <see cref="SafetensorsFormatException"/> for what is rejected); tensors are converted on demand.
/// Files opened from a path are memory-mapped, so opening a large file costs only its header; dispose the reader
/// to unmap it. Reads may run concurrently. A mapped file must not be truncated or rewritten in place while it is open
/// (replacing it through <see cref="AtomicFile"/> is safe: the mapping keeps the old file).
/// </summary>
/// <example><code>
/// using var file = SafetensorsFile.Open("model.safetensors");
/// Tensor w = file.ReadTensor("weight_ih_l0");          // [4*H, I], any float dtype converted to float32
/// long[] lengths = file.ReadInt64("lengths");
/// </code></example>
public sealed class SafetensorsFile : IDisposable
{
    private readonly ByteSource _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsFile(ByteSource bytes, string source)
    {
        ElementConversions.RequireLittleEndian();
        _bytes = bytes;
        Source = source;
        var parsed = SafetensorsHeader.Parse(bytes, source);
        _dataStart = parsed.DataStart;
        Tensors = parsed.Tensors;
        Metadata = parsed.Metadata;
        _byName = parsed.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Opens and memory-maps the file at <paramref name="path"/>, validating its header.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        ByteSource bytes;
        try
        {
            // An empty file cannot be mapped; its few bytes are read instead (and then rejected by the header check).
            bytes = stream.Length < 8 ? new ArrayByteSource(ReadAll(stream)) : new MappedByteSource(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        if (bytes is ArrayByteSource) stream.Dispose();
        return Create(bytes, path);
    }

    /// <summary>Reads a file held in memory (the array is not copied; do not modify it while the reader is used).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="source">A name for messages, e.g. where the bytes came from.</param>
    /// <exception cref="SafetensorsFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafetensorsFile FromBytes(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        return Create(new ArrayByteSource(bytes), source);
    }

    /// <summary>Reads a whole file from <paramref name="stream"/> into memory (from its current position to its end).</summary>
    /// <exception cref="SafetensorsFormatException">The bytes are not a valid safetensors file.</exception>
    public static SafetensorsFile FromStream(Stream stream, string source = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        return Create(new ArrayByteSource(ReadAll(stream)), source);
    }

    private static SafetensorsFile Create(ByteSource bytes, string source)
    {
        try
        {
            return new SafetensorsFile(bytes, source);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The file path, or the source name given for in-memory data; used in messages.</summary>
    public string Source { get; }

    /// <summary>Every tensor in the file, sorted by name (ordinal).</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>True when the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message names the file.</exception>
    public SafetensorsTensorInfo GetInfo(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out var info) ? info
            : throw new KeyNotFoundException($"{Source}: no tensor named '{name}' (the file holds {Tensors.Count} tensors)");
    }

    /// <summary>Reads a float tensor (F32, or F16 / BF16 / F64 converted to float32) into a new array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is an integer tensor.</exception>
    public float[] ReadFloat32(string name)
    {
        var result = new float[CheckedCount(GetInfo(name))];
        ReadFloat32(name, result);
        return result;
    }

    /// <summary>
    /// Reads a float tensor into <paramref name="destination"/>, whose length must equal the element count; allocates
    /// nothing (for loading weights into existing parameter buffers).
    /// </summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        var info = GetInfo(name);
        if (!info.DType.IsFloat())
            throw new InvalidOperationException($"{Source}: tensor '{name}' is {info.DType}; reading it as float32 needs F32, F16, BF16 or F64");
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"{Source}: tensor '{name}' {Shape.Format(info.Shape)} has {info.ElementCount} elements but the destination holds {destination.Length}", nameof(destination));
        for (int start = 0; start < destination.Length; start += ChunkElements)
        {
            var dst = destination.Slice(start, Math.Min(ChunkElements, destination.Length - start));
            ElementConversions.ToFloat32(info.DType, Chunk(info, start, dst.Length), dst);
        }
    }

    /// <summary>Reads an integer tensor (I64, or I32 widened) into a new array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a float tensor.</exception>
    public long[] ReadInt64(string name)
    {
        var info = GetInfo(name);
        RequireInteger(info, "int64");
        var result = new long[CheckedCount(info)];
        for (int start = 0; start < result.Length; start += ChunkElements)
        {
            var dst = result.AsSpan(start, Math.Min(ChunkElements, result.Length - start));
            ElementConversions.ToInt64(info.DType, Chunk(info, start, dst.Length), dst);
        }
        return result;
    }

    /// <summary>Reads an integer tensor (I32, or I64 narrowed) into a new array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is a float tensor.</exception>
    /// <exception cref="SafetensorsFormatException">An I64 value does not fit in an int.</exception>
    public int[] ReadInt32(string name)
    {
        var info = GetInfo(name);
        RequireInteger(info, "int32");
        if (info.DType == SafetensorsDType.I32)
        {
            var ints = new int[CheckedCount(info)];
            for (int start = 0; start < ints.Length; start += ChunkElements)
            {
                var dst = ints.AsSpan(start, Math.Min(ChunkElements, ints.Length - start));
                MemoryMarshal.Cast<byte, int>(Chunk(info, start, dst.Length)).CopyTo(dst);
            }
            return ints;
        }
        long[] wide = ReadInt64(name);
        var narrow = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue)
                throw new SafetensorsFormatException(Source, name, $"element {i} is {wide[i]}, which does not fit in an int32");
            narrow[i] = (int)wide[i];
        }
        return narrow;
    }

    /// <summary>Reads a float tensor as a <see cref="Tensor"/> of the stored shape (a scalar becomes shape []).</summary>
    public Tensor ReadTensor(string name) => Tensor.FromArray(ReadFloat32(name), GetInfo(name).ShapeArray);

    /// <summary>Every float tensor of the file as a <see cref="Tensor"/>, keyed by name (integer tensors are skipped).</summary>
    public Dictionary<string, Tensor> ReadFloatTensors()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in Tensors)
            if (info.DType.IsFloat()) result.Add(info.Name, ReadTensor(info.Name));
        return result;
    }

    /// <summary>Unmaps the file (for readers opened from a path). Reading afterwards throws.</summary>
    public void Dispose() => _bytes.Dispose();

    /// <summary>Conversion works on pieces of at most this many elements, so that each piece's bytes fit in a span.</summary>
    private const int ChunkElements = 1 << 26;

    /// <summary>The bytes of elements [start, start + count) of <paramref name="info"/>.</summary>
    private ReadOnlySpan<byte> Chunk(SafetensorsTensorInfo info, int start, int count)
    {
        int size = info.DType.ElementSize();
        return _bytes.Span(_dataStart + info.DataBegin + (long)start * size, count * size);
    }

    private int CheckedCount(SafetensorsTensorInfo info)
    {
        if (info.ElementCount > Array.MaxLength)
            throw new InvalidOperationException($"{Source}: tensor '{info.Name}' has {info.ElementCount} elements, more than an array holds ({Array.MaxLength})");
        return (int)info.ElementCount;
    }

    private void RequireInteger(SafetensorsTensorInfo info, string what)
    {
        if (info.DType is not (SafetensorsDType.I64 or SafetensorsDType.I32))
            throw new InvalidOperationException($"{Source}: tensor '{info.Name}' is {info.DType}; reading it as {what} needs I64 or I32");
    }
}
