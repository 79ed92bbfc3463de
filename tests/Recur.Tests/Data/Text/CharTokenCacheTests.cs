using System.Text;
using Recur.Data.Files;
using Recur.Data.Text;
using Recur.Tasks.LanguageModel;

namespace Recur.Tests.Data.Text;

/// <summary>The token cache reads a text once, as reading it whole would, and is reused, rebuilt or refused as it should be.</summary>
public sealed class CharTokenCacheTests
{
    private static readonly CharTextPreprocessing Nfc = new();

    /// <summary>A text with everything normalisation touches, long enough to be read in several pieces.</summary>
    private static string Awkward(int repeats, int seed = 5)
    {
        var rng = new Random(seed);
        string[] parts = ["Café au lait\r\n", "e\u0301te\u0301 ", "\r", "naïve\n", "ﬁne 😀 ", "Å", "\u0301", "日本語の文", "x\u0323\u0307 ", "\r\n\r\n", "ab"];
        var sb = new StringBuilder();
        for (int i = 0; i < repeats; i++) sb.Append(parts[rng.Next(parts.Length)]);
        return sb.ToString();
    }

    private static int[] CodePoints(string s) => [.. s.EnumerateRunes().Select(r => r.Value)];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reading_in_pieces_gives_the_code_points_of_normalising_the_whole_text(bool lineEndings)
    {
        string text = Awkward(60_000) + "end without a line end";
        var preprocessing = new CharTextPreprocessing(TextNormalization.Nfc, lineEndings);
        using var dir = new TempDir();
        string path = dir.Write("t.txt", text);
        string whole = preprocessing.Apply(text);
        if (lineEndings && !whole.EndsWith('\n')) whole += "\n";

        var read = new List<int>();
        using (var reader = new NormalizedCodePointReader(DataFile.OpenRead(path), "t.txt", TextNormalization.Nfc, lineEndings))
            for (var chunk = reader.Next(); !chunk.IsEmpty; chunk = reader.Next()) read.AddRange(chunk.ToArray());
        Assert.Equal(CodePoints(whole), read);
        Assert.Equal(lineEndings, read[^1] == '\n');
    }

    [Fact]
    public void A_built_cache_holds_the_text_and_is_reused_until_the_file_changes()
    {
        using var dir = new TempDir();
        string folder = dir.File("cache");
        string text = Awkward(5_000);
        string path = dir.WriteGzip("t.txt.gz", text);
        var first = CharTokenCache.Open(path, TextNormalization.Nfc, true, folder);
        Assert.True(first.Built);
        string whole = Nfc.Apply(text);
        if (!whole.EndsWith('\n')) whole += "\n";
        var vocabulary = Vocabulary.ForCharacters(whole);
        var tokens = first.Encode(vocabulary);
        Assert.Empty(first.Unknown(vocabulary));
        Assert.Equal(new CharEncoder(vocabulary).Encode(whole), tokens.ToArray());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), first.Sha256);
        Assert.Equal(vocabulary.Tokens, first.VocabularyOfPrefix(long.MaxValue).Tokens);

        var second = CharTokenCache.Open(path, TextNormalization.Nfc, true, folder);
        Assert.False(second.Built);
        Assert.Equal(tokens.ToArray(), second.Encode(vocabulary).ToArray());
        Assert.True(CharTokenCache.Open(path, TextNormalization.None, true, folder).Built); // other options, other cache

        File.WriteAllText(path, "changed\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var third = CharTokenCache.Open(path, TextNormalization.Nfc, true, folder);
        Assert.True(third.Built);
        Assert.Equal("changed\n".Length, third.Length);
        Assert.Single(Directory.GetFiles(folder, "*.tok")); // the stale caches of this file are gone
    }

    [Fact]
    public void The_vocabulary_of_a_prefix_leaves_later_characters_unknown()
    {
        using var dir = new TempDir();
        string path = dir.Write("t.txt", "aaaa bbbb zzz");
        var cache = CharTokenCache.Open(path, TextNormalization.Nfc, true, dir.File("cache"));
        var vocabulary = cache.VocabularyOfPrefix(9); // "aaaa bbbb"
        Assert.False(vocabulary.Contains("z"));
        var tokens = cache.Encode(vocabulary);
        Assert.Equal(["z", "\n"], cache.Unknown(vocabulary).Select(s => char.ConvertFromUtf32(cache.CodePoint(s))));
        Assert.Equal([3L, 1L], cache.Unknown(vocabulary).Select(cache.Count)); // zzz and the final line end
        Assert.Equal(vocabulary.UnkIndex, tokens[10]);
        Assert.Throws<UnknownTokenException>(() => cache.Encode(Vocabulary.ForCharacters("ab ", SpecialTokens.None)));
    }

    [Theory]
    [InlineData(200, 1)]
    [InlineData(300, 2)]
    [InlineData(70_000, 4)]
    public void Tokens_widen_when_the_symbols_outgrow_a_byte_or_two_never_wrapping(int distinct, int width)
    {
        // Distinct code points, introduced gradually so that the widening happens after tokens were written.
        var sb = new StringBuilder();
        var rng = new Random(1);
        int[] pool = [.. Enumerable.Range(0x4E00, 20_000).Concat(Enumerable.Range(0x20000, 60_000)).Take(distinct)];
        for (int i = 0; i < distinct; i++)
        {
            sb.Append(char.ConvertFromUtf32(pool[i]));
            sb.Append(char.ConvertFromUtf32(pool[rng.Next(i + 1)]));
        }
        using var dir = new TempDir();
        string path = dir.Write("t.txt", sb.ToString());
        var cache = CharTokenCache.Open(path, TextNormalization.None, false, dir.File("cache"));
        Assert.Equal(distinct, cache.SymbolCount);
        Assert.Equal(width, cache.Symbols.BytesPerToken);
        var ids = cache.Symbols.ToArray();
        Assert.Equal(CodePoints(sb.ToString()), ids.Select(cache.CodePoint));
    }

    [Fact]
    public void Invalid_text_leaves_no_cache_and_a_cut_short_cache_is_rebuilt()
    {
        using var dir = new TempDir();
        string folder = dir.File("cache");
        string bad = dir.WriteBytes("bad.txt", [(byte)'a', (byte)'\n', 0xFF, (byte)'b']);
        var e = Assert.Throws<DataFormatException>(() => CharTokenCache.Open(bad, TextNormalization.Nfc, true, folder));
        Assert.Contains("bad.txt", e.Message);
        Assert.Empty(Directory.GetFiles(folder));

        string good = dir.Write("good.txt", "hello world\n");
        var cache = CharTokenCache.Open(good, TextNormalization.Nfc, true, folder);
        using (var f = new FileStream(cache.CachePath, FileMode.Open)) f.SetLength(f.Length - 3);
        var again = CharTokenCache.Open(good, TextNormalization.Nfc, true, folder);
        Assert.True(again.Built);
        Assert.Equal("hello world\n".Length, again.Length);
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_made_is_a_clear_error()
    {
        using var dir = new TempDir();
        string text = dir.Write("t.txt", "abc\n");
        string blocked = Path.Combine(dir.Write("file", "x"), "cache"); // a folder under a file
        var e = Assert.Throws<IOException>(() => CharTokenCache.Open(text, TextNormalization.Nfc, true, blocked));
        Assert.Contains(blocked, e.Message);
        Assert.Contains("RECUR_CACHE", e.Message);
    }

    [Fact]
    public void Streams_over_a_file_slice_and_translate_without_copying()
    {
        var s = TokenStream.FromIndices([5, 6, 7, 8, 9], 10).Slice(1, 3).Translate([.. Enumerable.Range(0, 10).Select(i => 9 - i)], 10);
        Assert.Equal([3, 2, 1], s.ToArray());
        Assert.Equal(2, s[1]);
        Assert.Throws<ArgumentException>(() => s.Translate([0, 1], 2));
    }
}
