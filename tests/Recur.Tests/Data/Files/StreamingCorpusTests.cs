using Recur.Tensors;
using Recur.Data.Batching;
using Recur.Data.Files;
using Recur.Data.Text;

namespace Recur.Tests.Data.Files;

/// <summary>A generated 64 MB corpus is counted and encoded without ever holding it as strings.</summary>
public class StreamingCorpusTests
{
    private const int Lines = 1_000_000; // 1M lines of 64 bytes = 64 MB

    // Lines of 63 characters + "\n": words drawn from 500 random pseudo-words of 2-8 letters, space-padded.
    private static string Generate(TempDir dir)
    {
        var random = new Rng(7);
        var words = Enumerable.Range(0, 500)
            .Select(_ => new string(Enumerable.Range(0, 2 + random.NextInt(7)).Select(_ => (char)('a' + random.NextInt(26))).ToArray()))
            .ToArray();
        var path = dir.File("big.txt");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var line = new byte[64];
        for (int i = 0; i < Lines; i++)
        {
            int at = 0;
            while (true)
            {
                var w = words[random.NextInt(words.Length)];
                if (at + w.Length + 1 > 63) break;
                foreach (char c in w) line[at++] = (byte)c;
                line[at++] = (byte)' ';
            }
            line.AsSpan(at, 63 - at).Fill((byte)' ');
            line[63] = (byte)'\n';
            file.Write(line);
        }
        return path;
    }

    [Fact]
    public void Counting_encoding_and_line_reading_run_in_bounded_memory()
    {
        using var dir = new TempDir();
        var path = Generate(dir);
        long fileBytes = new FileInfo(path).Length;
        Assert.Equal(64L * Lines, fileBytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var counts = TokenCounter.CountCodePoints(path);
        long countAlloc = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(fileBytes, counts.Total);
        Assert.Equal(28, counts.Distinct); // a-z, space, \n
        Assert.True(countAlloc < 1_000_000, $"counting allocated {countAlloc} bytes for a {fileBytes}-byte file");

        var vocab = Vocabulary.ForCharacters(counts);
        var encoder = new CharEncoder(vocab);
        before = GC.GetAllocatedBytesForCurrentThread();
        long n = 0, newlines = 0;
        int newlineIndex = vocab.Encode("\n");
        foreach (var chunk in encoder.EncodeFileChunks(path))
        {
            n += chunk.Length;
            foreach (int id in chunk.Span) if (id == newlineIndex) newlines++;
        }
        long encodeAlloc = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(fileBytes, n);
        Assert.Equal(Lines, newlines);
        Assert.True(encodeAlloc < 1_000_000, $"chunked encoding allocated {encodeAlloc} bytes");

        // The compact stream: one byte per token for a 29-token vocabulary.
        before = GC.GetAllocatedBytesForCurrentThread();
        var stream = encoder.EncodeFile(path);
        long streamAlloc = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, stream.BytesPerToken);
        Assert.Equal(fileBytes, stream.Length);
        Assert.True(streamAlloc < fileBytes + 1_000_000, $"stream building allocated {streamAlloc} bytes (a UTF-16 string alone would be {2 * fileBytes})");

        // Word counting line by line: no string per line or per repeated token.
        var words = new TokenCounter();
        var tokenizer = new WordTokenizer();
        before = GC.GetAllocatedBytesForCurrentThread();
        long lines = 0;
        TokenSink add = words.Add;
        using (var reader = new Utf8LineReader(path))
            while (reader.TryReadLine(out var line)) { tokenizer.Tokenize(line, add); lines++; }
        long wordAlloc = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(Lines, lines);
        long perDistinct = wordAlloc / Math.Max(1, words.Distinct);
        Assert.InRange(words.Distinct, 400, 500); // at most the 500 pseudo-words (a few may coincide)
        Assert.True(wordAlloc < 1_000_000, $"word counting allocated {wordAlloc} bytes for {words.Distinct} distinct words ({perDistinct} per word)");
    }
}
