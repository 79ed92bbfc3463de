using Recur.Data.Batching;
using Recur.Data.Bundled;
using Recur.Data.Text;

namespace Recur.Tests.Data.Bundled;

public class MobyDickTests
{
    [Fact]
    public void Moby_dick_is_found_read_and_batched_for_a_char_language_model()
    {
        var data = BundledData.Locate();
        string text = BundledDatasets.MobyDickText(data);
        Assert.StartsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael.", text);
        Assert.EndsWith("rolled on as it rolled five thousand years ago.\n", text);
        Assert.Equal(1_190_317, text.Length);
        Assert.Equal(135, text.Split('\n').Count(l => l.StartsWith("CHAPTER ", StringComparison.Ordinal)));

        var counts = TokenCounter.CountCodePoints(data.MobyDick);
        var vocab = Vocabulary.ForCharacters(counts);
        Assert.Equal(vocab.Tokens, Vocabulary.ForCharacters(text).Tokens);
        var stream = new CharEncoder(vocab).EncodeFile(data.MobyDick);
        Assert.Equal(text.EnumerateRunes().Count(), stream.Length);
        Assert.Equal(text[..100], vocab.DecodeToString(stream.ToArray().AsSpan(0, 100)));

        var batcher = new LanguageModelBatcher(stream, batchSize: 32, steps: 100);
        Assert.Equal((stream.Length - 1) / 32, batcher.LaneLength);
    }
}
