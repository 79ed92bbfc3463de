using Recur.Data.Text;

namespace Recur.Tests.Data.Text;

// The managed NFC was checked against Python's unicodedata.normalize("NFC") on every code point with a decomposition
// or a combining class (alone, decomposed, and with marks around) and 200,000 random mark sequences; these cases
// keep one of each kind of rule.
public class UnicodeNormalizationTests
{
    [Theory]
    [InlineData("Cafe\u0301", "Caf\u00E9")]                  // base + combining mark compose
    [InlineData("A\u030A", "\u00C5")]
    [InlineData("\u212B", "\u00C5")]                          // singleton decomposition (Angstrom sign)
    [InlineData("\u2126", "\u03A9")]                          // Ohm sign
    [InlineData("a\u0307\u0323", "\u1EA1\u0307")]            // marks reordered by combining class, then composed
    [InlineData("e\u0301\u0301", "\u00E9\u0301")]            // the second acute is blocked by the first
    [InlineData("\u0958", "\u0915\u093C")]                   // composition exclusion stays decomposed
    [InlineData("\U0001D15E", "\U0001D157\U0001D165")]         // astral exclusion
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]             // Hangul L V T compose by arithmetic
    [InlineData("\u0301e", "\u0301e")]                        // a leading mark has nothing to compose with
    [InlineData("\uFB01", "\uFB01")]                          // compatibility mappings are not applied (that is NFKC)
    [InlineData("\uD800e\u0301", "\uD800\u00E9")]            // an unpaired surrogate is kept
    public void Text_is_composed_as_unicode_says(string input, string expected)
    {
        Assert.Equal(expected, UnicodeNormalization.ToNfc(input));
        Assert.Equal(input == expected, UnicodeNormalization.IsNfc(input));
        Assert.True(UnicodeNormalization.IsNfc(expected));
    }

    [Fact]
    public void Normalised_text_is_returned_as_is()
    {
        string text = "Größe 😀 naïve Ελληνικά 한국어";
        Assert.Same(text, UnicodeNormalization.ToNfc(text));
        string ascii = "plain ascii";
        Assert.Same(ascii, UnicodeNormalization.ToNfc(ascii));
        Assert.Equal("", UnicodeNormalization.ToNfc(""));
    }

    [Fact]
    public void Precomposed_and_decomposed_words_become_the_same_tokens()
    {
        var tokenizer = new WordTokenizer(lowercase: true);
        var composed = tokenizer.Tokenize(UnicodeNormalization.ToNfc("Crème brûlée"));
        var decomposed = tokenizer.Tokenize(UnicodeNormalization.ToNfc("Cre\u0300me bru\u0302le\u0301e"));
        Assert.Equal(composed, decomposed);
        Assert.Equal(["crème", "brûlée"], composed);
    }
}
