using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Recur.Cli.Hosting;
using Recur.Data.Files;

namespace Recur.Cli.Inputs;

/// <summary>
/// Checks that a text file given on the command line is there and is UTF-8 text before any work starts: missing,
/// a folder, empty, or binary (a NUL byte, or bytes that are not UTF-8, in the first 64 KB) each fail with one line
/// naming the file. Gzip-compressed files are checked after decompression. Bad UTF-8 further in is reported by the
/// Data readers themselves (<see cref="DataFormatException"/> with file:line) when the file is read.
/// </summary>
internal static class TextFiles
{
    /// <summary>Bytes inspected at the start of the file.</summary>
    public const int ProbeBytes = 64 * 1024;

    /// <summary>Throws a <see cref="UserError"/> unless <paramref name="path"/> (given as <paramref name="option"/>) is a non-empty UTF-8 text file.</summary>
    public static void RequireText(string path, string option)
    {
        if (Directory.Exists(path)) throw new UserError($"{option} {path} is a folder; expected a UTF-8 text file");
        if (!File.Exists(path)) throw new UserError($"{option}: no such file: {path}");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ProbeBytes);
        try
        {
            int n;
            using (var stream = DataFile.OpenRead(path)) n = stream.ReadAtLeast(buffer.AsSpan(0, ProbeBytes), ProbeBytes, throwOnEndOfStream: false);
            if (n == 0) throw new UserError(IsGzip(path) ? $"{option} {path} is empty after gzip decompression (or the gzip data is damaged)" : $"{option} {path} is empty");
            var head = buffer.AsSpan(0, n);
            int nul = head.IndexOf((byte)0);
            if (nul >= 0) throw new UserError($"{option} {path} looks binary (a NUL byte at offset {nul}); expected UTF-8 text");
            int bad = FirstInvalidUtf8(head, isWholeFile: n < ProbeBytes);
            if (bad >= 0)
            {
                int line = head[..bad].Count((byte)'\n') + 1;
                throw new UserError($"{option} {path}:{line}: not UTF-8 text (byte 0x{head[bad]:X2} at offset {bad}); save it as UTF-8");
            }
        }
        catch (DataFormatException e)
        {
            throw new UserError($"{option} {path}: cannot be decompressed ({e.Reason})");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    /// <summary>Offset of the first byte that is not part of valid UTF-8, or -1. A sequence cut by the end of a partial read is not an error.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes, bool isWholeFile)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: isWholeFile);
            return status == OperationStatus.InvalidData ? read : -1;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>A character for messages: itself in quotes when printable, with its code point (e.g. 'é' U+00E9).</summary>
    public static string Describe(Rune rune)
    {
        string code = $"U+{rune.Value:X4}";
        return Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) ? code : $"'{rune}' {code}";
    }
}
