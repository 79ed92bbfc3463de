using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Recur.Data.Formats;
using Recur.Tests.Data;

namespace Recur.Tests.Data.Formats;

/// <summary>A generated 64 MB (uncompressed) gzipped CSV is read record by record without holding the file.</summary>
[Collection(MemoryMeasurementCollection.Name)]
public class RecordFileStreamingTests
{
    private const int Records = 800_000; // 80 bytes each: 64 MB

    // Records of 80 bytes: an id, a text of letters padded to 64 characters (every 1,000th quoted over two lines
    // with a comma and a doubled quote inside), a label.
    private static string Generate(TempDir dir)
    {
        var path = dir.File("big.csv.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 16);
        writer.Write("id,text,label\n");
        var text = new StringBuilder();
        for (int i = 0; i < Records; i++)
        {
            text.Clear();
            for (int k = 0; text.Length < 64; k++) text.Append((char)('a' + (i * 7 + k * 13) % 26));
            if (i % 1000 == 0) text.Remove(0, 8).Insert(0, "\"a,\"\"b\n").Append('"');
            writer.Write($"{i:D10},{text},{i % 3}\n");
        }
        return path;
    }

    [Fact]
    public void Reading_a_large_gzipped_file_keeps_memory_bounded()
    {
        using var dir = new TempDir();
        var path = Generate(dir);
        var watch = Stopwatch.StartNew();
        var file = RecordFile.Open(path);
        Assert.Equal(["id", "text", "label"], file.Columns);
        long baseline = GC.GetTotalMemory(forceFullCollection: true), peak = 0, count = 0, chars = 0;
        Recur.Data.Formats.Record? last = null; // Xunit has a Record too
        foreach (var record in file.Read())
        {
            chars += record[1]!.Length;
            last = record;
            if (++count % 100_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }
        Assert.Equal(Records, count);
        Assert.Equal($"{(Records - 1) % 3}", last![2]);
        Assert.Equal(1L + Records + Records / 1000, last.Line); // after the header and 800 records of two lines
        long fileChars = (long)Records * 64;
        Assert.InRange(chars, fileChars - Records, fileChars);
        // Holding the records would take far over 100 MB (strings are UTF-16); streaming keeps a few buffers.
        Assert.True(peak < 8_000_000, $"{peak} bytes retained while reading a {fileChars}-character file");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"reading took {watch.Elapsed}");
    }
}
