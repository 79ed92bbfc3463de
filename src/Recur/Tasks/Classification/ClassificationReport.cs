namespace Recur.Tasks.Classification;

/// <summary>Precision, recall and F1 of one class, with its support (true examples).</summary>
/// <param name="Label">The class.</param>
/// <param name="Precision">TP / (TP + FP); 0 when the class was never predicted.</param>
/// <param name="Recall">TP / (TP + FN); 0 when it never occurs.</param>
/// <param name="F1">2PR / (P + R); 0 when both are 0.</param>
/// <param name="Support">Examples whose true label is this class.</param>
public sealed record ClassScores(string Label, double Precision, double Recall, double F1, long Support);

/// <summary>
/// How well predicted labels match true ones: accuracy, macro F1 (the unweighted mean of the per-class F1 over the
/// classes that occur as a true or a predicted label, as scikit-learn's <c>f1_score(average='macro')</c>), weighted F1
/// (weighted by support), per-class scores and the confusion matrix (rows: true, columns: predicted).
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<string> labels, long[,] confusion)
    {
        Labels = labels;
        Confusion = confusion;
        int c = labels.Count;
        long total = 0, correct = 0;
        var classes = new List<ClassScores>(c);
        double macro = 0, weighted = 0;
        int present = 0;
        for (int k = 0; k < c; k++)
        {
            long tp = confusion[k, k], support = 0, predicted = 0;
            for (int j = 0; j < c; j++) { support += confusion[k, j]; predicted += confusion[j, k]; }
            total += support;
            correct += tp;
            double p = predicted == 0 ? 0 : (double)tp / predicted, r = support == 0 ? 0 : (double)tp / support;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            classes.Add(new ClassScores(labels[k], p, r, f1, support));
            if (support > 0 || predicted > 0) { macro += f1; present++; }
            weighted += f1 * support;
        }
        Classes = classes;
        Count = total;
        Accuracy = total == 0 ? double.NaN : (double)correct / total;
        MacroF1 = present == 0 ? double.NaN : macro / present;
        WeightedF1 = total == 0 ? double.NaN : weighted / total;
    }

    /// <summary>The class names in index order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>[true, predicted] counts.</summary>
    public long[,] Confusion { get; }

    /// <summary>Examples scored.</summary>
    public long Count { get; }

    /// <summary>Fraction predicted right.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean F1 over the classes present.</summary>
    public double MacroF1 { get; }

    /// <summary>Support-weighted mean F1.</summary>
    public double WeightedF1 { get; }

    /// <summary>Per-class scores in index order.</summary>
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>The report for true and predicted class indices (same length, each in [0, labels.Count)).</summary>
    public static ClassificationReport From(IReadOnlyList<string> labels, ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"{truth.Length} true labels but {predicted.Length} predictions", nameof(predicted));
        var confusion = new long[labels.Count, labels.Count];
        for (int i = 0; i < truth.Length; i++) confusion[truth[i], predicted[i]]++;
        return new ClassificationReport(labels, confusion);
    }
}
