using Recur.Tensors;
using Recur.Training.Metrics;

namespace Recur.Tests.Training;

public class MetricsTests
{
    // Logits [rows, classes] whose arg max is the given prediction; targets as given.
    private static StepOutputs Rows(int classes, params (int Target, int Predicted)[] rows)
    {
        var logits = new Tensor(rows.Length, classes);
        for (int i = 0; i < rows.Length; i++) logits[i * classes + rows[i].Predicted] = 1;
        return new StepOutputs { Logits = logits, Targets = rows.Select(r => r.Target).ToArray() };
    }

    private static double F1(StepOutputs outputs)
    {
        var f1 = new F1Score();
        f1.Reset();
        f1.Update(outputs);
        return f1.Value;
    }

    [Fact]
    public void Macro_f1_averages_over_the_classes_in_the_targets_or_predictions()
    {
        // y_true [0, 0, 1, 2, 2], y_pred [0, 1, 1, 0, 2]; class 3 occurs only in an ignored row.
        // F1 = 2tp / (2tp + fp + fn): class 0: 2/4, class 1: 2/3, class 2: 2/3; mean over {0, 1, 2} = 11/18
        // (scikit-learn's f1_score(average='macro')); over all four columns it would be 11/24.
        var outputs = Rows(4, (0, 0), (0, 1), (1, 1), (2, 0), (2, 2), (-100, 3));
        Assert.Equal(11.0 / 18, F1(outputs), 12);
    }

    [Fact]
    public void A_class_that_is_only_predicted_counts_with_f1_zero()
    {
        // y_true [0, 1], y_pred [0, 3]: classes {0, 1, 3} with F1 1, 0, 0; class 2 is absent from both.
        Assert.Equal(1.0 / 3, F1(Rows(4, (0, 0), (1, 3))), 12);
    }

    [Fact]
    public void Macro_f1_accumulates_over_batches_and_two_classes_give_the_f1_of_class_1()
    {
        var f1 = new F1Score();
        f1.Reset();
        f1.Update(Rows(3, (0, 0), (1, 2)));
        f1.Update(Rows(3, (1, 1), (2, 2)));
        // tp [1, 1, 1], fp [0, 0, 1], fn [0, 1, 0]: F1 1, 2/3, 2/3.
        Assert.Equal((1 + 2.0 / 3 + 2.0 / 3) / 3, f1.Value, 12);
        // Binary: tp 1, fp 1, fn 1 for class 1 -> 2 / 4.
        Assert.Equal(0.5, F1(Rows(2, (1, 1), (0, 1), (1, 0), (0, 0))), 12);
    }

    [Fact]
    public void F1_is_nan_when_every_row_is_ignored()
    {
        Assert.True(double.IsNaN(F1(Rows(4, (-100, 2), (-100, 1)))));
        Assert.True(double.IsNaN(F1(Rows(2, (-100, 1)))));
    }

    [Fact]
    public void Metrics_skip_the_positions_a_mask_marks_as_padding()
    {
        // Classification: the 2nd and 4th rows are padding (their predictions wrong); accuracy 2/2, F1 as if absent.
        var outputs = Rows(3, (0, 0), (1, 2), (2, 2), (0, 1));
        outputs.Mask = [1f, 0f, 1f, 0f];
        var accuracy = new Accuracy();
        accuracy.Update(outputs);
        Assert.Equal(1.0, accuracy.Value);
        Assert.Equal(1.0, F1(outputs), 12);

        // Regression on [B=2, T=2, F=2] with a [B, T] mask: the padded step's errors (100) are not counted.
        var regression = new StepOutputs
        {
            Predictions = Tensor.FromValues([1f, 2f, 3f, 4f, 5f, 6f, 107f, 108f], 2, 2, 2),
            RealTargets = [0f, 2f, 3f, 2f, 5f, 6f, 7f, 8f],
            Mask = [1f, 1f, 1f, 0f],
        };
        var rmse = new RegressionError(RegressionError.Kind.Rmse);
        var mae = new RegressionError(RegressionError.Kind.Mae);
        rmse.Update(regression);
        mae.Update(regression);
        Assert.Equal(Math.Sqrt(5.0 / 6), rmse.Value, 12); // errors 1, 0, 0, 2, 0, 0 over 6 elements
        Assert.Equal(3.0 / 6, mae.Value, 12);

        regression.Mask = [1f, 0f, 1f];
        Assert.Throws<ArgumentException>(() => mae.Update(regression));
    }
}
