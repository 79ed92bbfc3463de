namespace Recur.IO.Safetensors;

/// <summary>
/// Replaces a file so that a crash or an error at any moment leaves either the previous file or the complete new one:
/// the content goes to a temporary file in the same directory, is flushed to disk, and is then renamed over the
/// target (rename within a directory is atomic on POSIX file systems and on NTFS).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically replacing any previous file.</summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="write">Writes the whole content to the stream it is given. If it throws, the target is untouched
    /// and the temporary file is deleted.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
