using Recur.Data.Splits;
using Recur.Tasks.Classification;
using Recur.Tasks.Tagging;
using Recur.Tensors;

namespace Recur.Tests.Tasks;

public sealed class ReportTests
{
    [Fact]
    public void Classification_scores_match_scikit_learn()
    {
        // sklearn.metrics on y = [0,0,1,1,2,2,2,0], p = [0,1,1,1,2,0,2,2]:
        // precision [0.5, 2/3, 2/3], recall [1/3, 1, 2/3], f1 [0.4, 0.8, 2/3], macro 0.6222, weighted 0.6
        var r = ClassificationReport.From(["a", "b", "c"], [0, 0, 1, 1, 2, 2, 2, 0], [0, 1, 1, 1, 2, 0, 2, 2]);
        Assert.Equal(5.0 / 8, r.Accuracy, 12);
        Assert.Equal(0.6222222222222222, r.MacroF1, 12);
        Assert.Equal(0.6000000000000001, r.WeightedF1, 12);
        Assert.Equal([0.5, 2.0 / 3, 2.0 / 3], r.Classes.Select(c => c.Precision), new ToleranceComparer(1e-12));
        Assert.Equal([1.0 / 3, 1, 2.0 / 3], r.Classes.Select(c => c.Recall), new ToleranceComparer(1e-12));
        Assert.Equal([0.4, 0.8, 2.0 / 3], r.Classes.Select(c => c.F1), new ToleranceComparer(1e-12));
        Assert.Equal([3L, 2, 3], r.Classes.Select(c => c.Support));
        Assert.Equal(1, r.Confusion[0, 1]);
        Assert.Equal(1, r.Confusion[2, 0]);
    }

    [Fact]
    public void Macro_F1_leaves_out_classes_absent_from_truth_and_predictions()
    {
        // sklearn: f1_score([0,0,1,1], [0,0,0,3], average='macro') = 0.26667 over the labels {0, 1, 3}; class 2 is absent.
        var r = ClassificationReport.From(["a", "b", "c", "d"], [0, 0, 1, 1], [0, 0, 0, 3]);
        Assert.Equal(0.26666666666666666, r.MacroF1, 12);
        Assert.Equal(0, r.Classes[2].F1);
    }

    public static TheoryData<string, string> SpanCases => new()
    {
        // tags, spans as start-end-type
        { "B-PER I-PER O B-LOC", "0-2-PER 3-4-LOC" },
        { "I-PER I-PER O I-LOC", "0-2-PER 3-4-LOC" },          // IOB1: an I after O starts a span
        { "B-PER I-LOC I-LOC", "0-1-PER 1-3-LOC" },            // a type change ends and starts
        { "B-PER B-PER I-PER", "0-1-PER 1-3-PER" },            // B after B: a new span
        { "S-PER B-LOC E-LOC O", "0-1-PER 1-3-LOC" },          // IOBES
        { "B-PER E-PER B-PER E-PER", "0-2-PER 2-4-PER" },
        { "O O O", "" },
        { "I-MISC", "0-1-MISC" },
    };

    [Theory]
    [MemberData(nameof(SpanCases))]
    public void Spans_are_read_as_conlleval_reads_them(string tags, string expected)
    {
        var spans = BioSpans.Spans(tags.Split(' '));
        Assert.Equal(expected, string.Join(" ", spans.Select(s => $"{s.Start}-{s.End}-{s.Type}")));
    }

    [Fact]
    public void Tagging_report_counts_unseen_words_and_exact_spans()
    {
        string[] tags = ["O", "B-PER", "I-PER", "B-LOC"];
        string[][] gold = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-LOC"]];
        string[][] predicted = [["B-PER", "I-PER", "O", "B-PER"], ["O", "B-LOC"]];     // the first sentence's LOC predicted as PER
        bool[][] seen = [[true, false, true, false], [true, true]];
        var r = new TaggingReport(tags, gold, predicted, seen);
        Assert.Equal(6, r.Tokens);
        Assert.Equal(5.0 / 6, r.Accuracy, 12);
        Assert.Equal(2, r.UnseenTokens);
        Assert.Equal(0.5, r.AccuracyUnseen, 12);
        // gold spans: PER 0-2, LOC 3-4, LOC 1-2; predicted: PER 0-2, PER 3-4, LOC 1-2 -> 2 of 3 right both ways.
        Assert.Equal(2.0 / 3, r.SpanPrecision!.Value, 12);
        Assert.Equal(2.0 / 3, r.SpanRecall!.Value, 12);
        Assert.Equal(2.0 / 3, r.SpanF1!.Value, 12);

        var pos = new TaggingReport(["DET", "NOUN"], [["DET", "NOUN", "X"]], [["DET", "DET", "NOUN"]], [[true, true, true]]);
        Assert.Null(pos.SpanF1);  // not a chunk tag set
        Assert.True(double.IsNaN(pos.AccuracyUnseen));
        // A gold tag outside the model's tag set is an error, listed, with its own row.
        Assert.Equal(1.0 / 3, pos.Accuracy, 12);
        Assert.Equal(["X"], pos.UnknownTags);
        Assert.Equal(1, pos.UnknownTagTokens);
        Assert.Equal(3, pos.PerTag.Labels.Count);
    }

    [Fact]
    public void Stratified_split_keeps_each_class_share_and_never_empties_a_class()
    {
        int[] labels = [.. Enumerable.Repeat(0, 90), .. Enumerable.Repeat(1, 10), 2];
        var (train, held) = StratifiedSplit.Split(labels, 0.2, new Rng(3));
        Assert.Equal(labels.Length, train.Length + held.Length);
        Assert.Empty(train.Intersect(held));
        Assert.Equal(18, held.Count(i => labels[i] == 0));
        Assert.Equal(2, held.Count(i => labels[i] == 1));
        Assert.DoesNotContain(held, i => labels[i] == 2);          // a single example stays in training
        Assert.Equal(train, train.Order());
        Assert.Equal(held, StratifiedSplit.Split(labels, 0.2, new Rng(3)).Held); // seeded
        Assert.NotEqual(held, StratifiedSplit.Split(labels, 0.2, new Rng(4)).Held);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
