using Recur.Tasks;
using Recur.Tasks.Seq2Seq;
using Recur.Training.Metrics.Text;

namespace Recur.Tests.Training;

public class TextMetricsTests
{
    // sacreBLEU's README example: two reference sets for three outputs.
    private static readonly string[] Hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "The dog had bit the man."],
        ["It was not unexpected.", "No one was surprised."],
        ["The man bit him first.", "The man had bitten the dog."],
    ];

    [Fact]
    public void Bleu_matches_sacrebleu_on_its_readme_example()
    {
        // sacreBLEU: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
        var bleu = new CorpusBleu();
        for (int i = 0; i < Hyps.Length; i++) bleu.Add(Hyps[i], Refs[i]);
        var s = bleu.Score();
        Assert.Equal(17, s.HypothesisLength);
        Assert.Equal(18, s.ReferenceLength);
        Assert.Equal([82.4, 50.0, 45.5, 37.5], s.Precisions.Select(p => Math.Round(p, 1)));
        Assert.Equal(0.943, s.BrevityPenalty, 3);
        Assert.Equal(48.530827009929865, s.Score, 9);
    }

    [Fact]
    public void ChrF_matches_sacrebleu_on_its_readme_example()
    {
        // sacreBLEU: chrF2 = 59.73
        var chrf = new CorpusChrF();
        for (int i = 0; i < Hyps.Length; i++) chrf.Add(Hyps[i], Refs[i]);
        Assert.Equal(59.73, chrf.Score(), 2);
    }

    [Fact]
    public void ChrF_by_hand()
    {
        // "abc" vs "abd": orders 1-3 have n-grams: P_n = R_n = 2/3, 1/2, 0 -> P = R = 7/18 -> chrF = 100 * 7/18.
        var chrf = new CorpusChrF();
        chrf.Add("a bc", ["abd"]); // white space is removed
        Assert.Equal(100 * 7.0 / 18, chrf.Score(), 9);
        var perfect = new CorpusChrF();
        perfect.Add("abc", ["xyz", "abc"]);
        Assert.Equal(100, perfect.Score(), 9);
    }

    [Fact]
    public void Bleu_exp_smoothing_by_hand()
    {
        // "a b c d" vs "a b e f": p1 = 2/4, p2 = 1/3, p3 = 0/2 -> 1/(2*2), p4 = 0/1 -> 1/(4*1); BP = 1.
        var bleu = new CorpusBleu();
        bleu.Add("a b c d", ["a b e f"]);
        double expected = 100 * Math.Pow(0.5 * (1.0 / 3) * 0.25 * 0.25, 0.25);
        Assert.Equal(expected, bleu.Score().Score, 9);
        var shortOut = new CorpusBleu();
        shortOut.Add("a b c", ["a b c"]); // no 4-gram at all: BLEU 0, as sacreBLEU gives
        Assert.Equal(0, shortOut.Score().Score);
    }

    [Fact]
    public void Tokenizer_13a_splits_punctuation_but_not_numbers_or_apostrophes()
    {
        Assert.Equal(["It", "wasn't", "3.5", "km", "(", "roughly", ")", ",", "1,000", "-", "2", "&", "\""],
            Tokenizer13a.Tokenize("It wasn't 3.5 km (roughly), 1,000-2 &amp; &quot;"));
    }

    [Fact]
    public void Edit_distance_by_hand()
    {
        Assert.Equal(3, EditDistance.Between<char>("kitten", "sitting"));
        Assert.Equal(0, EditDistance.Between<char>("", ""));
        Assert.Equal(4, EditDistance.Between<char>("", "abcd"));
        Assert.Equal(1, EditDistance.Between<string>(["K", "AE1", "T"], ["K", "AH0", "T"]));
    }

    [Fact]
    public void Phoneme_scores_use_the_closest_reference_and_count_word_errors()
    {
        var s = new SequenceScores(TokenUnit.Word);
        s.Add("T AH0 M EY1 T OW2", ["T AH0 M EY1 T OW2", "T AH0 M AA1 T OW2"]); // exact (second pronunciation irrelevant)
        s.Add("K AE1 T", ["K AH0 T"]);                                          // 1 of 3 phonemes wrong
        s.Add("D AO1 G", ["D AA1 G Z", "D AO1 G Z"]);                           // closest: 1 deletion of 4
        Assert.Equal(1.0 / 3, s.ExactMatch, 9);
        Assert.Equal(2.0 / 3, s.Wer, 9);
        Assert.Equal(2.0 / 13, s.Per, 9);
    }

    [Fact]
    public void Character_target_scores_count_word_and_character_edits()
    {
        var s = new SequenceScores(TokenUnit.Char);
        s.Add("the cat sat", ["the cat sat"]);
        s.Add("a dog", ["the dog"]); // words: 1 substitution of 2; chars: "a dog" -> "the dog" = 3 edits of 7
        Assert.Equal(0.5, s.ExactMatch, 9);
        Assert.Equal(1.0 / 5, s.Wer, 9);
        Assert.Equal(3.0 / 18, s.Cer, 9);
        Assert.True(double.IsNaN(s.Per));
    }
}
