namespace Recur.Tasks;

/// <summary>
/// Refuses, before reading it, a training file that could not fit in memory, with one line saying so instead of an
/// out-of-memory failure after minutes of reading. Training reads its records into memory; a gzip file is assumed to
/// expand tenfold and each byte of text to take about six bytes once split into .NET strings and records.
/// </summary>
public static class InputSize
{
    /// <summary>Bytes of memory per byte of text once read.</summary>
    public const int BytesPerTextByte = 6;

    /// <summary>Throws when <paramref name="path"/> would need more than the memory available to this process.</summary>
    /// <exception cref="InsufficientMemoryException">The estimate exceeds the available memory.</exception>
    public static void RequireFits(string path, string option)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return;
        long text = info.Length * (Data.Files.DataFile.IsGzip(path) ? 10 : 1);
        long need = text * BytesPerTextByte, available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > available)
            throw new InsufficientMemoryException(
                $"{option} {path} is too large to train on in memory here: about {text / 1e9:F1} GB of text would need about {need / 1e9:F1} GB, and {available / 1e9:F1} GB is available; train on a sample of it");
    }
}
