using Recur.Data.Text;

namespace Recur.Tests.Data.Text;

public class VocabularyTests
{
    private static readonly string[] Corpus = ["b", "a", "c", "a", "b", "a", "d", "rare"];

    [Fact]
    public void Specials_come_first_then_tokens_by_frequency_with_ordinal_ties()
    {
        var v = Vocabulary.Build(Corpus);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c", "d", "rare"], v.Tokens);
        Assert.Equal((0, 1, 2, 3), (v.PadIndex, v.UnkIndex, v.BosIndex, v.EosIndex));
    }

    [Fact]
    public void Min_frequency_and_max_size_limit_the_vocabulary()
    {
        var v = Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 2 });
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a", "b"], v.Tokens);
        var small = Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 5 });
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a"], small.Tokens);
        Assert.Equal(1, small.Encode("b")); // UNK
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 3 }));
    }

    [Fact]
    public void Encode_decode_round_trip_with_bos_eos_and_unknowns()
    {
        var v = Vocabulary.Build(new WordTokenizer(lowercase: true).Tokenize("the cat sat on the mat ."));
        var tokenizer = new WordTokenizer(lowercase: true);
        int[] ids = v.Encode(tokenizer, "The cat sat on the mat.", addBos: true, addEos: true);
        Assert.Equal(v.BosIndex, ids[0]);
        Assert.Equal(v.EosIndex, ids[^1]);
        Assert.Equal(["the", "cat", "sat", "on", "the", "mat", "."], v.Decode(ids, skipSpecials: true));
        Assert.Equal(["the", "<unk>"], v.Decode(v.Encode(["the", "dog"])));
    }

    [Fact]
    public void Without_unk_an_unknown_token_is_an_error_naming_it()
    {
        var v = Vocabulary.Build(["x", "y"], new VocabularyOptions { Specials = SpecialTokens.None });
        Assert.Equal(["x", "y"], v.Tokens);
        var e = Assert.Throws<UnknownTokenException>(() => v.Encode("z"));
        Assert.Contains("\"z\"", e.Message);
        Assert.Contains("no UNK", e.Message);
        Assert.Throws<InvalidOperationException>(() => v.Encode(["x"], addBos: true));
    }

    [Fact]
    public void Character_vocabulary_is_sorted_and_maps_unseen_characters_to_unk()
    {
        var v = Vocabulary.ForCharacters("hello\nworld");
        Assert.Equal(["<unk>", "\n", "d", "e", "h", "l", "o", "r", "w"], v.Tokens);
        Assert.Equal(0, v.Encode("Z"));
        // Same text in another order: same vocabulary (order does not depend on counts).
        Assert.Equal(v.Tokens, Vocabulary.ForCharacters("dlrow\nolleh").Tokens);
    }

    [Fact]
    public void Json_round_trip_keeps_tokens_indices_and_roles()
    {
        var v = Vocabulary.Build(["naïve", "東京", "\n", "\"q\"", "a", "a"], new VocabularyOptions { Specials = new SpecialTokens("<pad>", "<unk>", null, "</s>") });
        string json = v.ToJson();
        Assert.Contains("\"format\":\"recur-vocabulary\"", json);
        Assert.Contains("東京", json);
        var back = Vocabulary.FromJson(json);
        Assert.Equal(v.Tokens, back.Tokens);
        Assert.Equal((v.PadIndex, v.UnkIndex, v.BosIndex, v.EosIndex), (back.PadIndex, back.UnkIndex, back.BosIndex, back.EosIndex));
        Assert.Null(back.BosIndex);

        using var dir = new TempDir();
        v.Save(dir.File("vocab.json"));
        Assert.Equal(v.Tokens, Vocabulary.Load(dir.File("vocab.json")).Tokens);
    }

    [Fact]
    public void Invalid_documents_are_rejected_with_the_reason()
    {
        Assert.Contains("format", Assert.Throws<FormatException>(() => Vocabulary.FromJson("{\"format\":\"x\",\"version\":1,\"specials\":{},\"tokens\":[]}")).Message);
        Assert.Contains("twice", Assert.Throws<FormatException>(() => Vocabulary.FromJson("{\"format\":\"recur-vocabulary\",\"version\":1,\"specials\":{},\"tokens\":[\"a\",\"a\"]}")).Message);
        Assert.Contains("UNK", Assert.Throws<FormatException>(() => Vocabulary.FromJson("{\"format\":\"recur-vocabulary\",\"version\":1,\"specials\":{\"unk\":\"?\"},\"tokens\":[\"a\"]}")).Message);
        Assert.Contains("invalid JSON", Assert.Throws<FormatException>(() => Vocabulary.FromJson("{")).Message);
    }

    [Fact]
    public void One_hot_of_the_hello_example()
    {
        // The notes' example: vocabulary h, e, l, o; input "hell" predicts "ello".
        var v = Vocabulary.FromTokens(["h", "e", "l", "o"], SpecialTokens.None);
        var x = OneHot.Encode(v.Encode(new CharTokenizer().Tokenize("hell")), v.Count);
        Assert.Equal([4, 4], x.Shape.ToArray());
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0 }, x.ToArray());
        Assert.Equal([1, 2, 2, 3], v.Encode(new CharTokenizer().Tokenize("ello")));
        Assert.Equal("hell", v.DecodeToString(OneHot.ArgMax(x)));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, 4], 4));
    }
}
