using Recur.Data.Files;
using Recur.Data.Text;

namespace Recur.Tests.Data.Text;

public class CharEncoderTests
{
    [Fact]
    public void Encodes_text_and_files_to_the_same_indices_and_decodes_back()
    {
        string text = "Call me Ishmael.\nSome years ago—never mind how long 😀\n";
        var v = Vocabulary.ForCharacters(text);
        var encoder = new CharEncoder(v);
        int[] ids = encoder.Encode(text);
        Assert.Equal(text, v.DecodeToString(ids));
        using var dir = new TempDir();
        var stream = encoder.EncodeFile(dir.WriteGzip("t.txt.gz", text));
        Assert.Equal(ids, stream.ToArray());
    }

    [Fact]
    public void Unknown_characters_become_unk_or_an_error_with_the_line()
    {
        var withUnk = new CharEncoder(Vocabulary.ForCharacters("ab\n"));
        Assert.Equal([2, 0, 3], withUnk.Encode("azb")); // <unk>, \n, a, b

        var strict = new CharEncoder(Vocabulary.ForCharacters("ab\n", SpecialTokens.None));
        Assert.Throws<UnknownTokenException>(() => strict.Encode("z"));
        using var dir = new TempDir();
        var path = dir.Write("x.txt", "ab\nba\nbz\n");
        var e = Assert.Throws<DataFormatException>(() => strict.EncodeFile(path));
        Assert.Equal(3, e.Line);
        Assert.Contains("\"z\" (U+007A)", e.Message);
    }

    [Fact]
    public void Token_stream_width_follows_the_vocabulary_size()
    {
        Assert.Equal(1, TokenStream.FromIndices([0, 255], 256).BytesPerToken);
        var s = TokenStream.FromIndices([0, 65535, 7], 65536);
        Assert.Equal(2, s.BytesPerToken);
        Assert.Equal([0, 65535, 7], s.ToArray());
        Assert.Equal(4, TokenStream.FromIndices([70000], 70001).BytesPerToken);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenStream.FromIndices([3], 3));

        var slice = TokenStream.FromIndices([5, 6, 7, 8, 9], 10).Slice(1, 3);
        Assert.Equal([6, 7, 8], slice.ToArray());
        Assert.Equal(8, slice[2]);
        Assert.Equal([7, 8], slice.Slice(1, 2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => slice.Slice(2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => slice[3]);
    }
}

public class WordStreamEncoderTests
{
    [Fact]
    public void Word_corpus_is_encoded_line_by_line_with_eos()
    {
        using var dir = new TempDir();
        var path = dir.WriteGzip("c.txt.gz", "The cat sat.\n\nthe dog sat\n");
        var tokenizer = new WordTokenizer(lowercase: true);
        var counts = new TokenCounter();
        counts.AddFile(tokenizer, path);
        var vocab = Vocabulary.FromCounts(counts.Counts);
        var stream = new WordStreamEncoder(tokenizer, vocab).EncodeFile(path);
        Assert.Equal(["the", "cat", "sat", ".", "<eos>", "the", "dog", "sat", "<eos>"], vocab.Decode(stream.ToArray()));

        var strict = Vocabulary.Build(["the", "cat"], new VocabularyOptions { Specials = SpecialTokens.None });
        var e = Assert.Throws<Recur.Data.Files.DataFormatException>(() => new WordStreamEncoder(tokenizer, strict).EncodeFile(path, eosAfterLine: false));
        Assert.StartsWith("c.txt.gz:1: \"sat\" is not in", e.Message);
    }
}
