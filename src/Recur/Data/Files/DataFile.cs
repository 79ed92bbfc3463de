namespace Recur.Data.Files;

/// <summary>
/// Opens data files for reading; gzip-compressed files (recognised by their magic bytes 1F 8B, whatever the name) are
/// decompressed transparently, and a gzip file that is truncated or damaged is an error, never a shorter text.
/// </summary>
public static class DataFile
{
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading. When the file starts with the gzip magic bytes the
    /// returned stream yields the decompressed content (all members of a multi-member gzip file), each member checked
    /// against its CRC-32 and length; reading it throws a <see cref="DataFormatException"/> naming the file when the
    /// file ends inside a member or is damaged.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Stream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool gzip = IsGzip(path);
        return Decompressed(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan), gzip, DisplayName(path));
    }

    /// <summary>True when <paramref name="path"/> starts with the gzip magic bytes 1F 8B.</summary>
    public static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    /// <summary>The content of <paramref name="raw"/> (the bytes of a file as on disk, read from its start): decompressed when <paramref name="gzip"/>, as <see cref="OpenRead"/> does.</summary>
    public static Stream Decompressed(Stream raw, bool gzip, string displayName) =>
        gzip ? new BufferedStream(new GzipReadStream(raw, displayName), BufferSize) : raw;

    /// <summary>Opens <paramref name="path"/> as a <see cref="TextReader"/> of strictly decoded UTF-8 (gzip transparent, line ends normalised to "\n"); invalid bytes raise a <see cref="DataFormatException"/> with the line.</summary>
    public static TextReader OpenText(string path) => new Utf8LineTextReader(new Utf8LineReader(path));

    /// <summary>
    /// The whole file as a string (strict UTF-8, gzip transparent, line ends normalised to "\n", the last line
    /// ending with "\n"). For small files; stream large ones with <see cref="Utf8LineReader"/> or <see cref="CodePointReader"/>.
    /// </summary>
    public static string ReadAllText(string path)
    {
        using var reader = OpenText(path);
        return reader.ReadToEnd();
    }

    /// <summary>File name without directories, for messages.</summary>
    public static string DisplayName(string path) => Path.GetFileName(path) is { Length: > 0 } name ? name : path;
}
