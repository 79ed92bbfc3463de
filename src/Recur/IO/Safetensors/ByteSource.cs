using System.IO.MemoryMappedFiles;

namespace Recur.IO.Safetensors;

/// <summary>Read-only random access to the bytes of a file, either held in memory or memory-mapped.</summary>
internal abstract class ByteSource : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Bytes [offset, offset + length); the caller has checked the range against <see cref="Length"/>.</summary>
    public abstract ReadOnlySpan<byte> Span(long offset, int length);

    public virtual void Dispose() { }
}

internal sealed class ArrayByteSource(byte[] bytes) : ByteSource
{
    public override long Length => bytes.Length;

    public override ReadOnlySpan<byte> Span(long offset, int length) => bytes.AsSpan(checked((int)offset), length);
}

/// <summary>A memory-mapped file, mapped once for the lifetime of the reader.</summary>
internal sealed unsafe class MappedByteSource : ByteSource
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private bool _disposed;

    /// <summary>Maps <paramref name="stream"/> (which must be non-empty) read-only; takes ownership of it.</summary>
    public MappedByteSource(FileStream stream)
    {
        Length = stream.Length;
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        try
        {
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + _view.PointerOffset;
        }
        catch
        {
            _view?.Dispose();
            _file.Dispose();
            throw;
        }
    }

    public override long Length { get; }

    public override ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || length < 0 || offset + length > Length) throw new ArgumentOutOfRangeException(nameof(offset));
        return new ReadOnlySpan<byte>(_base + offset, length);
    }

    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
