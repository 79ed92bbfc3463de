using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;

namespace Recur.Data.Files;

/// <summary>
/// Decompresses a gzip file (RFC 1952), all of its members one after another, and checks each member against its
/// trailer (the CRC-32 and the length mod 2^32 of its decompressed bytes). .NET's <see cref="GZipStream"/> ends
/// quietly when the file ends inside a member, so a download cut short would read as a shorter corpus; here that is
/// a <see cref="DataFormatException"/> naming the file, as are a damaged header or compressed data, a trailer that
/// does not match, and bytes after the last member that are not another member.
/// <para>
/// Finding where a member ends: the header and trailer are parsed here and only the deflate data goes through a raw
/// <see cref="DeflateStream"/>, which reports the end of its data but not where in its input that end was. It is
/// handed the input at most <see cref="ChunkSize"/> bytes at a time and asks for more only once it has used up what it
/// had, so:
/// <list type="bullet">
/// <item>when it asks for more after the file has ended, the file was cut inside the compressed data;</item>
/// <item>when it reports the end, the deflate data ended after the first byte of the last chunk and by its last, and
/// the trailer (the member's CRC-32 and length) follows at once. The last <see cref="TailSize"/> bytes of the file
/// are handed over one at a time, so for the last member that place is exact, and a file cut inside its trailer is
/// told from a whole one. For an earlier member the trailer is the first place in that range holding its CRC-32 and
/// length, preferring one followed by the next member's magic bytes: where the bytes are those of compressed data,
/// they match by chance with probability 2^-64 per place.</item>
/// </list>
/// </para>
/// </summary>
internal sealed class GzipReadStream : ReadOnlyStream
{
    private const int InputSize = 1 << 16;
    private const int ChunkSize = 1 << 13;
    private const int TrailerSize = 8;
    private const int TailSize = 16;
    private const byte FlagHeaderCrc = 0x02, FlagExtra = 0x04, FlagName = 0x08, FlagComment = 0x10, ReservedFlags = 0xE0;

    private readonly Stream _file;
    private readonly string _source;
    private readonly byte[] _in = new byte[InputSize];
    private int _inPos, _inEnd;        // _in[_inPos.._inEnd) has been read from the file and not used yet
    private int _chunkStart;           // where in _in the last chunk handed to the inflater began
    private bool _fileEnded;
    private DeflateStream? _inflater;  // the current member's deflate data; null between members
    private bool _inflaterStarved;     // the inflater asked for input after the file had ended
    private int _member;               // the current (or last) member's number, from 1
    private uint _crc, _length;        // CRC-32 and length mod 2^32 of the current member's output so far
    private uint _headerCrc;
    private bool _finished;

    /// <summary>Decompresses <paramref name="file"/>, which starts with a gzip member; <paramref name="source"/> names it in messages.</summary>
    public GzipReadStream(Stream file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(source);
        _file = file;
        _source = source;
    }

    /// <exception cref="DataFormatException">The file is truncated or damaged.</exception>
    public override int Read(Span<byte> buffer)
    {
        while (!buffer.IsEmpty && !_finished)
        {
            if (_inflater is null && !BeginMember())
            {
                _finished = true;
                break;
            }
            int n = Inflate(buffer);
            if (n > 0)
            {
                _crc = Crc32.Append(_crc, buffer[..n]);
                _length += (uint)n;
                return n;
            }
            EndMember();
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inflater?.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }

    // Parses a member's header (RFC 1952 section 2.3) and starts its inflater; false at the end of the file.
    private bool BeginMember()
    {
        if (!Available(1)) return false;
        _member++;
        _headerCrc = 0;
        byte id1 = HeaderByte(), id2 = HeaderByte();
        if (id1 != 0x1F || id2 != 0x8B)
            throw Corrupt(_member == 1
                ? $"it starts with 0x{id1:X2} 0x{id2:X2}, expected the gzip magic 0x1F 0x8B"
                : $"the bytes after member {_member - 1} are not another member (0x{id1:X2} 0x{id2:X2}, expected 0x1F 0x8B)");
        byte method = HeaderByte();
        if (method != 8) throw Corrupt($"member {_member} has compression method {method}, expected 8 (deflate)");
        byte flags = HeaderByte();
        if ((flags & ReservedFlags) != 0) throw Corrupt($"member {_member} has reserved header flags set (0x{flags:X2})");
        for (int i = 0; i < 6; i++) HeaderByte(); // MTIME, XFL, OS
        if ((flags & FlagExtra) != 0)
        {
            int extraLength = HeaderByte() | HeaderByte() << 8;
            for (int i = 0; i < extraLength; i++) HeaderByte();
        }
        if ((flags & FlagName) != 0) while (HeaderByte() != 0) { }
        if ((flags & FlagComment) != 0) while (HeaderByte() != 0) { }
        if ((flags & FlagHeaderCrc) != 0)
        {
            ushort expected = (ushort)_headerCrc; // the low 16 bits of the CRC-32 of the header before it
            ushort stored = (ushort)(HeaderByte() | HeaderByte() << 8);
            if (stored != expected) throw Corrupt($"member {_member}'s header CRC is 0x{stored:X4}, but the header's is 0x{expected:X4}");
        }
        _inflater = new DeflateStream(new InflaterInput(this), CompressionMode.Decompress);
        _inflaterStarved = false;
        _crc = _length = 0;
        return true;
    }

    private byte HeaderByte()
    {
        if (!Available(1)) throw Truncated($"it ends inside the header of member {_member}");
        byte b = _in[_inPos++];
        _headerCrc = Crc32.Append(_headerCrc, b);
        return b;
    }

    private int Inflate(Span<byte> buffer)
    {
        try
        {
            return _inflater!.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt($"the compressed data of member {_member} is damaged (the inflater refused it after {_length} decompressed bytes)", e);
        }
    }

    // The inflater reported the end of its data: either the file ended first, or the trailer follows in the last chunk.
    private void EndMember()
    {
        if (_inflaterStarved)
            throw Truncated($"it ends inside the compressed data of member {_member}, after {_length} decompressed bytes");
        Available(TrailerSize + 2, keepChunk: true); // the trailer and the next member's magic bytes
        int trailer = -1;
        for (int p = _chunkStart + 1; p <= _inPos && p + TrailerSize <= _inEnd; p++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(_in.AsSpan(p)) != _crc || BinaryPrimitives.ReadUInt32LittleEndian(_in.AsSpan(p + 4)) != _length)
                continue;
            if (trailer < 0) trailer = p;
            int next = p + TrailerSize;
            if ((_fileEnded && next == _inEnd) || (next + 2 <= _inEnd && _in[next] == 0x1F && _in[next + 1] == 0x8B))
            {
                trailer = p;
                break;
            }
        }
        if (trailer < 0)
            throw new DataFormatException(_source, 0,
                $"truncated or corrupt gzip file: no trailer matching the {_length} decompressed bytes (CRC-32 0x{_crc:X8}) of member {_member} follows its compressed data");
        _inPos = trailer + TrailerSize;
        _inflater!.Dispose();
        _inflater = null;
    }

    // What the inflater reads: the unused bytes, at most a chunk at a time and one at a time in the file's last
    // TailSize bytes; nothing once the file has ended.
    private int FeedInflater(Span<byte> destination)
    {
        if (!Available(ChunkSize + TailSize) && _inPos == _inEnd)
        {
            _inflaterStarved = true;
            return 0;
        }
        int beforeTail = _fileEnded ? _inEnd - _inPos - TailSize : int.MaxValue;
        int n = beforeTail > 0 ? Math.Min(Math.Min(ChunkSize, beforeTail), destination.Length) : 1;
        _chunkStart = _inPos;
        _in.AsSpan(_inPos, n).CopyTo(destination);
        _inPos += n;
        return n;
    }

    // Reads from the file until `count` unused bytes are buffered or the file ends; true when they are. The unused
    // bytes (with keepChunk, the last chunk handed to the inflater too) are first moved to the front of the buffer.
    private bool Available(int count, bool keepChunk = false)
    {
        while (_inEnd - _inPos < count && !_fileEnded)
        {
            int keep = keepChunk ? _chunkStart : _inPos;
            if (keep > 0)
            {
                _in.AsSpan(keep, _inEnd - keep).CopyTo(_in);
                _inPos -= keep;
                _inEnd -= keep;
                _chunkStart -= Math.Min(keep, _chunkStart);
            }
            Debug.Assert(_inEnd < _in.Length, "a chunk and a trailer always fit");
            int n = _file.Read(_in, _inEnd, _in.Length - _inEnd);
            if (n == 0) _fileEnded = true;
            _inEnd += n;
        }
        return _inEnd - _inPos >= count;
    }

    private DataFormatException Truncated(string where) => new(_source, 0, $"truncated gzip file: {where}");

    private DataFormatException Corrupt(string what, Exception? inner = null) => new(_source, 0, $"corrupt gzip file: {what}", inner);

    /// <summary>The inflater's view of the compressed bytes: <see cref="FeedInflater"/>.</summary>
    private sealed class InflaterInput(GzipReadStream owner) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => owner.FeedInflater(buffer);
    }
}
