namespace PianoJudges.Metrics;

/// <summary>
/// How a macro average treats a class that never occurs in the truth and is never predicted
/// (TP + FP + FN = 0, so its precision, recall and F1 are all 0/0).
/// </summary>
public enum AbsentClassRule
{
    /// <summary>
    /// Leave the class out of the mean (weight 0). This is what torchmetrics' multiclass macro average does
    /// (<c>_adjust_weights_safe_divide</c> zeroes the weight where tp + fp + fn == 0), so it is the default
    /// and what the paper's released code reports.
    /// </summary>
    Exclude,
    /// <summary>Count the class as 0 and divide by all numClasses (sklearn with <c>labels=range(C), zero_division=0</c>).</summary>
    CountAsZero,
}

/// <summary>How <see cref="Multiclass.AccWithin"/> averages over items.</summary>
public enum AccWithinAverage
{
    /// <summary>The paper's Eq. 2: per-class accuracy within n, averaged over the classes present in the truth.</summary>
    Macro,
    /// <summary>The released code's <c>PlusMinusOneAccuracy</c>: one fraction over all items, whatever its <c>average</c> argument says.</summary>
    Micro,
}

/// <summary>All multiclass numbers for one evaluation; per-class arrays have length numClasses.</summary>
/// <param name="Accuracy">Micro accuracy: correct / n.</param>
/// <param name="MacroAccuracy">torchmetrics <c>Accuracy(task="multiclass", average="macro")</c>: the mean per-class recall (balanced accuracy). The released code's "accuracy".</param>
/// <param name="ExcludedClasses">Classes left out of the macro means (none under <see cref="AbsentClassRule.CountAsZero"/>).</param>
public sealed record MulticlassReport(
    int N,
    int NumClasses,
    double Accuracy,
    double MacroAccuracy,
    double MacroPrecision,
    double MacroRecall,
    double MacroF1,
    double[] Precision,
    double[] Recall,
    double[] F1,
    int[] Support,
    int[] ExcludedClasses,
    ConfusionMatrix Confusion);

/// <summary>
/// Multiclass metrics from true labels and predicted labels (or a probability matrix, reduced by argmax).
/// Per class c, from the confusion matrix:
///   precision_c = TP_c / (TP_c + FP_c),  recall_c = TP_c / (TP_c + FN_c),  F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c),
/// each 0 when its denominator is 0 (torchmetrics' zero_division = 0).
/// Macro X = mean of X_c over the classes kept by the <see cref="AbsentClassRule"/>.
/// </summary>
public static class Multiclass
{
    /// <summary>Micro accuracy = (1/n) sum_i [pred_i == true_i].</summary>
    public static double Accuracy(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        MetricGuard.NotEmpty(truth.Length, nameof(truth));
        MetricGuard.SameLength(truth.Length, predicted.Length, nameof(truth), nameof(predicted));
        int correct = 0;
        for (int i = 0; i < truth.Length; i++) if (truth[i] == predicted[i]) correct++;
        return (double)correct / truth.Length;
    }

    /// <summary>Macro accuracy = mean over kept classes of TP_c / (TP_c + FN_c) (torchmetrics multiclass macro Accuracy).</summary>
    public static double MacroAccuracy(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses, AbsentClassRule rule = AbsentClassRule.Exclude) =>
        Evaluate(truth, predicted, numClasses, rule).MacroAccuracy;

    /// <summary>Macro precision = mean over kept classes of TP_c / (TP_c + FP_c).</summary>
    public static double MacroPrecision(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses, AbsentClassRule rule = AbsentClassRule.Exclude) =>
        Evaluate(truth, predicted, numClasses, rule).MacroPrecision;

    /// <summary>Macro recall = mean over kept classes of TP_c / (TP_c + FN_c) (equal to the macro accuracy).</summary>
    public static double MacroRecall(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses, AbsentClassRule rule = AbsentClassRule.Exclude) =>
        Evaluate(truth, predicted, numClasses, rule).MacroRecall;

    /// <summary>Macro F1 = mean over kept classes of 2 TP_c / (2 TP_c + FP_c + FN_c) (torchmetrics macro F1Score: per-class F1 first, then the mean).</summary>
    public static double MacroF1(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses, AbsentClassRule rule = AbsentClassRule.Exclude) =>
        Evaluate(truth, predicted, numClasses, rule).MacroF1;

    /// <summary>
    /// Acc_n, the paper's Eq. 2: a prediction counts as correct when |pred - true| &lt;= n.
    /// Macro: Acc_n = (1/|K|) sum_{c in K} (1/N_c) sum_{i: y_i = c} [|pred_i - c| &lt;= n], K = classes with N_c &gt; 0
    /// (a class absent from the truth has no accuracy to average). Micro: (1/n_items) sum_i [|pred_i - y_i| &lt;= n].
    /// Acc_0 (macro) equals <see cref="MacroAccuracy"/> whenever every class predicted also occurs in the truth.
    /// </summary>
    public static double AccWithin(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int n, int numClasses, AccWithinAverage average = AccWithinAverage.Macro)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The tolerance n of Acc_n is a class distance, 0 or more.");
        MetricGuard.ClassPairs(truth, predicted, numClasses);
        var hits = new int[numClasses];
        var support = new int[numClasses];
        for (int i = 0; i < truth.Length; i++)
        {
            support[truth[i]]++;
            if (Math.Abs(predicted[i] - truth[i]) <= n) hits[truth[i]]++;
        }
        if (average == AccWithinAverage.Micro) return (double)hits.Sum() / truth.Length;
        double sum = 0; int kept = 0;
        for (int c = 0; c < numClasses; c++)
        {
            if (support[c] == 0) continue;
            sum += (double)hits[c] / support[c];
            kept++;
        }
        return sum / kept;
    }

    /// <summary>Every multiclass number at once from predicted labels.</summary>
    public static MulticlassReport Evaluate(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses, AbsentClassRule rule = AbsentClassRule.Exclude)
    {
        var cm = ConfusionMatrix.From(truth, predicted, numClasses);
        var precision = new double[numClasses];
        var recall = new double[numClasses];
        var f1 = new double[numClasses];
        var support = new int[numClasses];
        var excluded = new List<int>();
        double sp = 0, sr = 0, sf = 0; int kept = 0;
        for (int c = 0; c < numClasses; c++)
        {
            int tp = cm.TruePositives(c), fp = cm.FalsePositives(c), fn = cm.FalseNegatives(c);
            support[c] = tp + fn;
            precision[c] = SafeDivide(tp, tp + fp);
            recall[c] = SafeDivide(tp, tp + fn);
            f1[c] = SafeDivide(2 * tp, 2 * tp + fp + fn);
            if (rule == AbsentClassRule.Exclude && tp + fp + fn == 0) { excluded.Add(c); continue; }
            sp += precision[c]; sr += recall[c]; sf += f1[c]; kept++;
        }
        // kept >= 1: there is at least one item, so its true class has tp + fn > 0.
        return new MulticlassReport(
            truth.Length, numClasses,
            Accuracy(truth, predicted),
            sr / kept, sp / kept, sr / kept, sf / kept,
            precision, recall, f1, support, excluded.ToArray(), cm);
    }

    /// <summary>Every multiclass number from a probability (or logit) matrix of shape (n, numClasses), reduced by <see cref="Scores.Argmax"/>.</summary>
    public static MulticlassReport Evaluate(ReadOnlySpan<int> truth, double[,] probabilities, AbsentClassRule rule = AbsentClassRule.Exclude) =>
        Evaluate(truth, Scores.Argmax(probabilities), probabilities.GetLength(1), rule);

    private static double SafeDivide(int num, int den) => den == 0 ? 0.0 : (double)num / den;
}
