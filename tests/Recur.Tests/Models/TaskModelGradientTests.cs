using Recur.Layers;
using Recur.Models;
using Recur.Ops;
using Recur.Tensors;
using static Recur.Tests.Ops.OpGradientCheck;

namespace Recur.Tests.Models;

/// <summary>Finite-difference checks of the application models end to end: every parameter's gradient through the whole network.</summary>
public sealed class TaskModelGradientTests
{
    [Theory]
    [InlineData(SequencePooling.Attention)]
    [InlineData(SequencePooling.Max)]
    [InlineData(SequencePooling.Last)]
    public void Classifier_with_embedding_dropout_off_and_every_pooling(SequencePooling pooling)
    {
        var model = new SequenceClassifier(new SequenceClassifierConfig(9, 4, new RecurrentConfig(CellKind.Lstm, 3, 2, Bidirectional: true), 3, pooling, AttentionDim: 5, PaddingIndex: 0), new Rng(4));
        // Training mode records the backward; every dropout probability is 0, so the forward is deterministic.
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 3, 4];
        int[] lengths = [4, 2, 2];
        Check((t, _) => model.Logits(t, tokens, 3, 4, lengths), [], model.Parameters.Where(p => p.RequiresGrad), tol: 3e-2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Word_tagger_with_its_character_network_and_softmax_or_crf(bool crf)
    {
        var config = new WordTaggerConfig(8, 3, 6, 2, 2, new RecurrentConfig(CellKind.Lstm, 3, Bidirectional: true), 4, Dropout: 0, Crf: crf, WordPaddingIndex: 0, CharPaddingIndex: 0);
        var model = new WordTagger(config, new Rng(5)); // dropout 0: training mode is deterministic
        // Two sentences of 3 and 2 words (T = 3), characters [B·T = 6, L = 3].
        int[] words = [1, 2, 3, 4, 5, 0];
        int[] chars = [1, 2, 3, 2, 0, 0, 4, 5, 1, 3, 3, 0, 5, 0, 0, 0, 0, 0];
        int[] charLengths = [3, 1, 3, 2, 1, 1];
        int[] lengths = [3, 2];
        int[] tags = [0, 1, 2, 3, 1, -100];
        Check((t, _) =>
        {
            var e = model.Emissions(t, words, new CharBatch(chars, charLengths, 3, [0, 1, 2, 3, 4, 5]), 2, 3, lengths);
            return model.Loss(t, e, tags, lengths);
        }, [], model.Parameters, scalar: true, tol: 3e-2);
    }

    [Fact]
    public void Word_tagger_reads_padded_slots_nowhere()
    {
        var config = new WordTaggerConfig(8, 3, 6, 2, 2, new RecurrentConfig(CellKind.Gru, 3, Bidirectional: true), 4, Dropout: 0, WordPaddingIndex: 0, CharPaddingIndex: 0);
        var model = new WordTagger(config, new Rng(6)) { Training = false };
        int[] lengths = [3, 1];
        Tensor Emit(int pad, int charPad)
        {
            var tape = new Tape();
            int[] words = [1, 2, 3, 4, pad, pad];
            int[] chars = [1, 2, 3, 2, 0, 0, 4, 5, 1, 3, 3, 0, charPad, charPad, charPad, charPad, charPad, charPad];
            return model.Emissions(tape, words, new CharBatch(chars, [3, 1, 3, 2, 1, 1], 3, [0, 1, 2, 3, 4, 5]), 2, 3, lengths).Value.Clone();
        }
        var a = Emit(0, 0);
        var b = Emit(7, 5);
        // Real slots (row 0: 3 words, row 1: 1 word) are identical whatever the padded slots hold.
        foreach (int slot in (int[])[0, 1, 2, 3])
            for (int c = 0; c < 4; c++) Assert.Equal(a[slot * 4 + c], b[slot * 4 + c]);
    }

    [Fact]
    public void Each_distinct_word_is_spelt_once_with_the_same_results_as_one_row_per_slot()
    {
        var config = new WordTaggerConfig(8, 3, 6, 2, 2, new RecurrentConfig(CellKind.Lstm, 3, Bidirectional: true), 4, Dropout: 0, WordPaddingIndex: 0, CharPaddingIndex: 0);
        var model = new WordTagger(config, new Rng(7)) { Training = false };
        int[][] a = [[1, 2], [3], [1, 2]], b = [[3], [1, 2]];       // "ab c ab" and "c ab": two distinct words
        int[][][] sentences = [a, b];
        var dedup = CharBatch.Pad(s => sentences[s], [0, 1], 3, 0);
        Assert.Equal(2, dedup.Lengths.Length);
        Assert.Equal([0, 1, 0, 1, 0, 0], dedup.Slots);
        var oneEach = new CharBatch([1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 0, 0], [2, 1, 2, 1, 2, 1], 2, [0, 1, 2, 3, 4, 5]);
        int[] words = [1, 2, 1, 2, 1, 0];
        Tensor Emit(CharBatch c) => model.Emissions(new Tape(), words, c, 2, 3, [3, 2]).Value.Clone();
        var x = Emit(dedup);
        var y = Emit(oneEach);
        foreach (int slot in (int[])[0, 1, 2, 3, 4])
            for (int k = 0; k < 4; k++) Assert.Equal(y[slot * 4 + k], x[slot * 4 + k], 6);
    }
}
