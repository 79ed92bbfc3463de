using Recur.Data.Text;

namespace Recur.Tests.Data.Text;

public class TokenizerTests
{
    [Fact]
    public void Char_tokens_are_code_points_with_spaces_and_surrogate_pairs_whole()
    {
        var tokens = new CharTokenizer().Tokenize("a b\n😀é");
        Assert.Equal(["a", " ", "b", "\n", "😀", "é"], tokens);
        Assert.Equal(["ä", "b"], new CharTokenizer(lowercase: true).Tokenize("ÄB"));
    }

    [Fact]
    public void Words_split_punctuation_and_keep_inner_apostrophes_and_hyphens()
    {
        var tokens = new WordTokenizer().Tokenize("Call me Ishmael. Don't—people’s slow-moving, 'quoted' end...");
        Assert.Equal(["Call", "me", "Ishmael", ".", "Don't", "—", "people’s", "slow-moving", ",", "'", "quoted", "'", "end", ".", ".", "."], tokens);
    }

    [Fact]
    public void Words_are_unicode_aware_and_lowercase_on_request()
    {
        var tokens = new WordTokenizer(lowercase: true).Tokenize("Größe ÜBER Москва naïve café 東京 x_1 42!");
        Assert.Equal(["größe", "über", "москва", "naïve", "café", "東京", "x_1", "42", "!"], tokens);
        Assert.Equal(["don", "'", "t", "a", "-", "b"], new WordTokenizer(joinApostrophes: false, joinHyphens: false).Tokenize("don't a-b"));
        Assert.Equal(["a", "-", "-", "b", "-"], new WordTokenizer().Tokenize("a--b -"));
    }

    [Fact]
    public void Char_ngrams_slide_by_one_code_point()
    {
        Assert.Equal(["hel", "ell", "llo"], new CharNGramTokenizer(3).Tokenize("hello"));
        Assert.Equal(["a😀", "😀b"], new CharNGramTokenizer(2).Tokenize("a😀b"));
        Assert.Empty(new CharNGramTokenizer(4).Tokenize("abc"));
        Assert.Equal(["a", "b"], new CharNGramTokenizer(1).Tokenize("ab"));
    }

    [Fact]
    public void Word_ngrams_join_consecutive_words()
    {
        var bigrams = new WordNGramTokenizer(new WordTokenizer(lowercase: true), 2);
        Assert.Equal(["the cat", "cat sat", "sat ."], bigrams.Tokenize("The cat sat."));
        Assert.Equal(["a_b_c", "b_c_d"], new WordNGramTokenizer(new WordTokenizer(), 3, "_").Tokenize("a b c d"));
        Assert.Empty(bigrams.Tokenize("one"));
    }

    [Fact]
    public void Span_tokenizing_allocates_nothing_per_token()
    {
        var tokenizer = new WordTokenizer(lowercase: true);
        var counter = new TokenCounter();
        string text = string.Concat(Enumerable.Repeat("The quick brown fox, jumps over the lazy dog. ", 200));
        counter.AddText(tokenizer, text); // warm-up: adds the distinct tokens
        long before = GC.GetAllocatedBytesForCurrentThread();
        counter.AddText(tokenizer, text);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for {counter.Total / 2} tokens");
        Assert.Equal(800, counter.Counts["the"]); // "The" and "the", 200 times, counted twice
    }
}
