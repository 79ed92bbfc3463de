using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Recur.Data.Files;

namespace Recur.Data.Text;

/// <summary>
/// A text file read once into a compact file of symbol indices, so that training on a corpus larger than memory
/// streams it from disk and a second run on the same file starts at once. The symbols are the file's distinct code
/// points (after normalisation) numbered in order of first appearance, each with the position where it first
/// appears, so that any vocabulary (built from a prefix of the text, or a trained model's) is applied by a small
/// translation table (<see cref="Encode"/>) without rewriting the file.
/// <para>
/// The cache file lives in a folder (e.g. <c>~/.cache/recur/tokens</c>), named by the text's full path and by its
/// size, last write time and reading options, so an edited file gets a new cache and the stale one is deleted.
/// Layout (native byte order): a 128-byte header (magic <c>RECURTOK</c>, format version, bytes per token,
/// token count, symbol count, reading options, the text's size, write time and SHA-256, the symbol table's offset),
/// the tokens, then per symbol its code point (int32), first position and count (int64), then the text's full path (UTF-8,
/// so that building a cache can delete the caches of texts that no longer exist). The file is written under a
/// temporary name, flushed to disk, and renamed into place with its magic written last: a cache cut short by a
/// full disk or a crash is never taken as valid.
/// </para>
/// </summary>
public sealed class CharTokenCache
{
    /// <summary>The format version written in the header.</summary>
    public const int FormatVersion = 1;

    private const int HeaderSize = 128, EntrySize = 20;
    private static ReadOnlySpan<byte> Magic => "RECURTOK"u8;

    private readonly SafeFileHandle _file;
    private readonly int[] _codePoints;
    private readonly long[] _firstPositions;
    private readonly long[] _counts;

    private CharTokenCache(string path, SafeFileHandle file, Header header, int[] codePoints, long[] firstPositions, long[] counts, bool built)
    {
        CachePath = path;
        _file = file;
        _codePoints = codePoints;
        _firstPositions = firstPositions;
        _counts = counts;
        Length = (int)header.Length;
        FileBytes = header.FileBytes;
        Sha256 = header.Sha256;
        Built = built;
        Symbols = TokenStream.FromFile(file, HeaderSize, Length, Math.Max(1, codePoints.Length));
    }

    /// <summary>The cache file.</summary>
    public string CachePath { get; }

    /// <summary>True when this call read the text and wrote the cache; false when an existing cache was reused.</summary>
    public bool Built { get; }

    /// <summary>Code points in the text (after normalisation).</summary>
    public int Length { get; }

    /// <summary>Size of the text file on disk.</summary>
    public long FileBytes { get; }

    /// <summary>Lowercase hex SHA-256 of the text file's bytes on disk.</summary>
    public string Sha256 { get; }

    /// <summary>Distinct code points.</summary>
    public int SymbolCount => _codePoints.Length;

    /// <summary>The code point of symbol <paramref name="symbol"/> (symbols are numbered by first appearance).</summary>
    public int CodePoint(int symbol) => _codePoints[symbol];

    /// <summary>Where symbol <paramref name="symbol"/> first appears (a code point index into the text).</summary>
    public long FirstPosition(int symbol) => _firstPositions[symbol];

    /// <summary>How often symbol <paramref name="symbol"/> occurs.</summary>
    public long Count(int symbol) => _counts[symbol];

    /// <summary>The text as symbol indices (read from the cache file on demand).</summary>
    public TokenStream Symbols { get; }

    /// <summary>
    /// The character vocabulary of the text's first <paramref name="prefix"/> code points (every code point that
    /// appears there), as <see cref="Vocabulary.ForCharacters(TokenCounter, SpecialTokens?)"/> orders it.
    /// </summary>
    public Vocabulary VocabularyOfPrefix(long prefix, SpecialTokens? specials = null)
    {
        var counter = new TokenCounter();
        Span<char> utf16 = stackalloc char[2];
        for (int s = 0; s < _codePoints.Length; s++)
            if (_firstPositions[s] < prefix) counter.Add(utf16[..new Rune(_codePoints[s]).EncodeToUtf16(utf16)]);
        return Vocabulary.ForCharacters(counter, specials);
    }

    /// <summary>The symbols whose character <paramref name="vocabulary"/> lacks (they read as its UNK in <see cref="Encode"/>).</summary>
    public IReadOnlyList<int> Unknown(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var unknown = new List<int>();
        Span<char> utf16 = stackalloc char[2];
        for (int s = 0; s < _codePoints.Length; s++)
            if (!vocabulary.Contains(utf16[..new Rune(_codePoints[s]).EncodeToUtf16(utf16)])) unknown.Add(s);
        return unknown;
    }

    /// <summary>The text as indices of <paramref name="vocabulary"/>'s characters; absent characters (<see cref="Unknown"/>) read as its UNK.</summary>
    /// <exception cref="UnknownTokenException">A character is absent and the vocabulary has no UNK.</exception>
    public TokenStream Encode(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var table = new int[Math.Max(1, _codePoints.Length)];
        Span<char> utf16 = stackalloc char[2];
        for (int s = 0; s < _codePoints.Length; s++)
        {
            var c = utf16[..new Rune(_codePoints[s]).EncodeToUtf16(utf16)];
            table[s] = vocabulary.TryGetIndex(c, out int i) ? i
                : vocabulary.UnkIndex ?? throw new UnknownTokenException(c.ToString(), $"the character vocabulary of {vocabulary.Count} tokens (it has no UNK token)");
        }
        return Symbols.Translate(table, vocabulary.Count);
    }

    /// <summary>
    /// The cache of <paramref name="textPath"/> read with these options in <paramref name="folder"/>: reused when it
    /// exists and matches the file's size and write time, else built by reading the text once (progress reported as
    /// the fraction of the file's bytes read).
    /// </summary>
    /// <exception cref="DataFormatException">The text is not valid UTF-8, or has more code points than a stream holds.</exception>
    /// <exception cref="IOException">The cache cannot be written (the message names the folder); nothing partial is left.</exception>
    public static CharTokenCache Open(string textPath, TextNormalization normalization, bool normalizeLineEndings, string folder,
        IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(textPath);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var info = new FileInfo(textPath);
        if (!info.Exists) throw new FileNotFoundException($"{textPath} does not exist", textPath);
        int options = (int)normalization << 1 | (normalizeLineEndings ? 1 : 0);
        string stem = Hash(info.FullName), path = Path.Combine(folder, $"{stem}-{Hash($"{info.Length}|{info.LastWriteTimeUtc.Ticks}|{options}|{FormatVersion}")}.tok");
        if (TryLoad(path, info, options) is { } cached) return cached;
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the token cache folder {folder} cannot be created ({e.Message}); set {Fetch.DataCache.EnvironmentVariable} to a writable folder", e);
        }
        Prune(folder, stem);
        Build(textPath, info, options, normalization, normalizeLineEndings, path, progress, cancel);
        return TryLoad(path, info, options, built: true) ?? throw new IOException($"the token cache {path} was written but does not read back");
    }

    private static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16];

    /// <summary>Deletes the older caches of this text (named by <paramref name="stem"/>) and the caches of texts that no longer exist.</summary>
    private static void Prune(string folder, string stem)
    {
        Span<byte> bytes = stackalloc byte[HeaderSize];
        foreach (string cache in Directory.EnumerateFiles(folder, "*.tok"))
        {
            if (Path.GetFileName(cache).StartsWith(stem + "-", StringComparison.Ordinal)) { TryDelete(cache); continue; }
            try
            {
                using var file = File.OpenHandle(cache, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (RandomAccess.Read(file, bytes, 0) != HeaderSize || Header.Read(bytes) is not { } h) continue; // not ours, or being written
                var name = new byte[h.PathBytes];
                if (RandomAccess.Read(file, name, h.PathOffset) == name.Length && !File.Exists(Encoding.UTF8.GetString(name))) TryDelete(cache);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void Build(string textPath, FileInfo info, int options, TextNormalization normalization, bool lineEndings, string path,
        IProgress<double>? progress, CancellationToken cancel)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using var output = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
            var writer = new CacheWriter(output);
            bool gzip = DataFile.IsGzip(textPath);
            using var raw = new HashingReadStream(new FileStream(textPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
            using (var reader = new NormalizedCodePointReader(DataFile.Decompressed(raw, gzip, DataFile.DisplayName(textPath)), DataFile.DisplayName(textPath), normalization, lineEndings))
            {
                long lastReport = 0;
                for (var chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next())
                {
                    cancel.ThrowIfCancellationRequested();
                    if (writer.Length + chunk.Length > Array.MaxLength)
                        throw new DataFormatException(DataFile.DisplayName(textPath), 0, $"the text has more than {Array.MaxLength:N0} characters, more than one token stream holds; split it into smaller files");
                    writer.Append(chunk);
                    if (progress is not null && raw.BytesRead - lastReport >= 1 << 22) { lastReport = raw.BytesRead; progress.Report((double)raw.BytesRead / Math.Max(1, info.Length)); }
                }
            }
            var header = new Header(writer.Width, writer.Length, writer.CodePoints.Count, options, info.Length, info.LastWriteTimeUtc.Ticks, raw.Sha256(),
                Encoding.UTF8.GetByteCount(info.FullName));
            writer.Finish(header, Encoding.UTF8.GetBytes(info.FullName));
            output.Flush(flushToDisk: true);
            output.Close();
            File.Move(temporary, path, overwrite: true);
            progress?.Report(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not FileNotFoundException)
        {
            TryDelete(temporary);
            throw new IOException($"writing the token cache {path} failed: {e.Message}; free some space or set {Fetch.DataCache.EnvironmentVariable} to another folder", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static CharTokenCache? TryLoad(string path, FileInfo text, int options, bool built = false)
    {
        if (!File.Exists(path)) return null;
        SafeFileHandle? file = null;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            Span<byte> bytes = stackalloc byte[HeaderSize];
            if (RandomAccess.Read(file, bytes, 0) != HeaderSize || Header.Read(bytes) is not { } header
                || header.Options != options || header.FileBytes != text.Length || header.FileTicks != text.LastWriteTimeUtc.Ticks)
            {
                file.Dispose();
                return null;
            }
            long table = HeaderSize + header.Length * header.Width;
            if (RandomAccess.GetLength(file) != header.PathOffset + header.PathBytes) { file.Dispose(); return null; }
            var entries = new byte[header.Symbols * EntrySize];
            if (RandomAccess.Read(file, entries, table) != entries.Length) { file.Dispose(); return null; }
            var codePoints = new int[header.Symbols];
            var first = new long[header.Symbols];
            var counts = new long[header.Symbols];
            for (int s = 0; s < codePoints.Length; s++)
            {
                codePoints[s] = BitConverter.ToInt32(entries, s * EntrySize);
                first[s] = BitConverter.ToInt64(entries, s * EntrySize + 4);
                counts[s] = BitConverter.ToInt64(entries, s * EntrySize + 12);
            }
            return new CharTokenCache(path, file, header, codePoints, first, counts, built);
        }
        catch (IOException)
        {
            file?.Dispose();
            return null;
        }
    }

    /// <summary>The fixed-size start of a cache file.</summary>
    private sealed record Header(int Width, long Length, int Symbols, int Options, long FileBytes, long FileTicks, string Sha256, int PathBytes)
    {
        public long PathOffset => HeaderSize + Length * Width + Symbols * (long)EntrySize;

        public void Write(Span<byte> b)
        {
            b.Clear();
            Magic.CopyTo(b);
            BitConverter.TryWriteBytes(b[8..], FormatVersion);
            BitConverter.TryWriteBytes(b[12..], Width);
            BitConverter.TryWriteBytes(b[16..], Length);
            BitConverter.TryWriteBytes(b[24..], Symbols);
            BitConverter.TryWriteBytes(b[28..], Options);
            BitConverter.TryWriteBytes(b[32..], FileBytes);
            BitConverter.TryWriteBytes(b[40..], FileTicks);
            Convert.FromHexString(Sha256).CopyTo(b[48..]);
            BitConverter.TryWriteBytes(b[80..], PathBytes);
        }

        public static Header? Read(ReadOnlySpan<byte> b)
        {
            if (!b[..8].SequenceEqual(Magic) || BitConverter.ToInt32(b[8..]) != FormatVersion) return null;
            var h = new Header(BitConverter.ToInt32(b[12..]), BitConverter.ToInt64(b[16..]), BitConverter.ToInt32(b[24..]), BitConverter.ToInt32(b[28..]),
                BitConverter.ToInt64(b[32..]), BitConverter.ToInt64(b[40..]), Convert.ToHexStringLower(b.Slice(48, 32)), BitConverter.ToInt32(b[80..]));
            return h.Width is 1 or 2 or 4 && h.Length is >= 0 and <= int.MaxValue && h.Symbols >= 0 && h.PathBytes >= 0 ? h : null;
        }
    }

    /// <summary>
    /// Writes symbol indices after a placeholder header, numbering code points by first appearance; when the symbols
    /// outgrow the token width the tokens written so far are widened in place (at most twice per file).
    /// </summary>
    private sealed class CacheWriter(FileStream output)
    {
        private readonly int[] _small = new int[0x10000]; // BMP code point -> symbol + 1 (0 = not seen)
        private readonly Dictionary<int, int> _astral = [];
        private readonly byte[] _buffer = new byte[1 << 18];
        private int[] _ids = new int[1 << 16];

        public readonly List<int> CodePoints = [];
        public readonly List<long> FirstPositions = [];
        public readonly List<long> Counts = [];
        public int Width { get; private set; } = 1;
        public long Length { get; private set; }

        public void Append(ReadOnlySpan<int> codePoints)
        {
            if (Length == 0 && output.Position == 0) output.Write(new byte[HeaderSize]);
            if (_ids.Length < codePoints.Length) _ids = new int[codePoints.Length];
            for (int k = 0; k < codePoints.Length; k++) _ids[k] = Symbol(codePoints[k], Length + k);
            int width = TokenStream.WidthFor(CodePoints.Count);
            if (width > Width) Widen(width);
            var ids = _ids.AsSpan(0, codePoints.Length);
            int per = _buffer.Length / Width;
            for (int start = 0; start < ids.Length; start += per)
            {
                var part = ids.Slice(start, Math.Min(per, ids.Length - start));
                var bytes = _buffer.AsSpan(0, part.Length * Width);
                for (int k = 0; k < part.Length; k++)
                {
                    if (Width == 1) bytes[k] = (byte)part[k];
                    else if (Width == 2) BitConverter.TryWriteBytes(bytes[(k * 2)..], (ushort)part[k]);
                    else BitConverter.TryWriteBytes(bytes[(k * 4)..], part[k]);
                }
                output.Write(bytes);
            }
            Length += codePoints.Length;
        }

        private int Symbol(int c, long position)
        {
            if (c < 0x10000)
            {
                int s = _small[c] - 1;
                if (s >= 0) { Counts[s]++; return s; }
                _small[c] = CodePoints.Count + 1;
            }
            else if (_astral.TryGetValue(c, out int s)) { Counts[s]++; return s; }
            else _astral[c] = CodePoints.Count;
            CodePoints.Add(c);
            FirstPositions.Add(position);
            Counts.Add(1);
            return CodePoints.Count - 1;
        }

        /// <summary>Rewrites the tokens written so far with <paramref name="width"/> bytes each, from the end backwards so nothing unread is overwritten.</summary>
        private void Widen(int width)
        {
            output.Flush();
            const int Block = 1 << 16;
            var from = new byte[Block * Width];
            var to = new byte[Block * width];
            for (long end = Length; end > 0; end -= Block)
            {
                long start = Math.Max(0, end - Block);
                int n = (int)(end - start);
                RandomAccess.Read(output.SafeFileHandle, from.AsSpan(0, n * Width), HeaderSize + start * Width);
                for (int k = 0; k < n; k++)
                {
                    int v = Width == 1 ? from[k] : BitConverter.ToUInt16(from, k * 2);
                    if (width == 2) BitConverter.TryWriteBytes(to.AsSpan(k * 2), (ushort)v);
                    else BitConverter.TryWriteBytes(to.AsSpan(k * 4), v);
                }
                RandomAccess.Write(output.SafeFileHandle, to.AsSpan(0, n * width), HeaderSize + start * width);
            }
            Width = width;
            output.Position = HeaderSize + Length * Width;
        }

        /// <summary>Appends the symbol table and the text's path, and writes the header (magic last).</summary>
        public void Finish(Header header, byte[] textPath)
        {
            if (Length == 0 && output.Position == 0) output.Write(new byte[HeaderSize]);
            var entry = new byte[EntrySize];
            for (int s = 0; s < CodePoints.Count; s++)
            {
                BitConverter.TryWriteBytes(entry, CodePoints[s]);
                BitConverter.TryWriteBytes(entry.AsSpan(4), FirstPositions[s]);
                BitConverter.TryWriteBytes(entry.AsSpan(12), Counts[s]);
                output.Write(entry);
            }
            output.Write(textPath);
            output.Flush(flushToDisk: true);
            Span<byte> bytes = stackalloc byte[HeaderSize];
            header.Write(bytes);
            output.Position = 8; // everything but the magic first, so that the file is valid only once all of it is on disk
            output.Write(bytes[8..]);
            output.Flush(flushToDisk: true);
            output.Position = 0;
            output.Write(bytes[..8]);
            output.Position = output.Length;
        }
    }
}
