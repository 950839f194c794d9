namespace PianoJudges.Metrics;

/// <summary>
/// A mean over labels that leaves out labels where the per-label value is undefined.
/// </summary>
/// <param name="Value">Mean of the defined per-label values; NaN when every label is excluded.</param>
/// <param name="PerLabel">Length = labels; NaN for an excluded label.</param>
/// <param name="ExcludedLabels">Labels left out of the mean (no positive items; for ROC AUC also no negative items).</param>
public sealed record LabelAveragedResult(double Value, double[] PerLabel, int[] ExcludedLabels);

/// <summary>All multi-label numbers for one evaluation.</summary>
/// <param name="MeanAveragePrecision">Macro mAP (torchmetrics MultilabelAveragePrecision, average="macro").</param>
/// <param name="MacroRocAuc">Macro ROC AUC, ties counted half.</param>
/// <param name="Accuracy">Fraction of correct binary decisions over all (item, label) cells at the threshold.</param>
/// <param name="FlexibleAccuracy">The released code's FlexibleAccuracy: argmax hits any true label.</param>
/// <param name="FlexibleF1">The released code's FlexibleF1.</param>
public sealed record MultilabelReport(
    int N,
    int NumLabels,
    LabelAveragedResult MeanAveragePrecision,
    LabelAveragedResult MacroRocAuc,
    double Accuracy,
    double FlexibleAccuracy,
    double FlexibleF1);

/// <summary>
/// Multi-label metrics from a true multi-hot matrix <c>truth</c> (n, labels) of 0/1 and a score matrix <c>scores</c> (n, labels)
/// (probabilities or logits; only their order matters except for <see cref="Accuracy"/>).
/// </summary>
public static class Multilabel
{
    /// <summary>Threshold of the released code: a label is predicted when its sigmoid output is &gt; 0.5.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>
    /// Average precision of one label, as sklearn's <c>average_precision_score</c> and torchmetrics compute it:
    /// AP = sum_k (R_k - R_{k-1}) P_k over the distinct score values taken from highest to lowest, where P_k and R_k
    /// are precision and recall when every item scoring &gt;= the k-th value is called positive (R_0 = 0).
    /// Items with equal scores enter together (one step), so ties do not depend on item order.
    /// NaN when the label has no positive item (recall is 0/0).
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<int> truth, ReadOnlySpan<double> scores)
    {
        Check(truth, scores);
        int positives = 0;
        foreach (int t in truth) positives += t;
        if (positives == 0) return double.NaN;
        int[] order = DescendingOrder(scores);
        double ap = 0, previousRecall = 0;
        int tp = 0, seen = 0;
        int k = 0;
        while (k < order.Length)
        {
            double s = scores[order[k]];
            while (k < order.Length && scores[order[k]] == s)
            {
                tp += truth[order[k]];
                seen++;
                k++;
            }
            double recall = (double)tp / positives;
            ap += (recall - previousRecall) * ((double)tp / seen);
            previousRecall = recall;
        }
        return ap;
    }

    /// <summary>
    /// ROC AUC of one label = P(score of a random positive &gt; score of a random negative), ties counted half:
    /// AUC = (sum_{p,q} [s_p &gt; s_q] + 0.5 [s_p = s_q]) / (P N), computed from average ranks (Mann-Whitney U / (P N)).
    /// NaN when the label has no positive or no negative item.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<int> truth, ReadOnlySpan<double> scores)
    {
        Check(truth, scores);
        int positives = 0;
        foreach (int t in truth) positives += t;
        int negatives = truth.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        double[] ranks = Ranks.Average(scores);
        double rankSum = 0;
        for (int i = 0; i < truth.Length; i++) if (truth[i] == 1) rankSum += ranks[i];
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Macro mAP: mean of <see cref="AveragePrecision"/> over labels with at least one positive; the others are excluded and listed, not counted as 0.</summary>
    public static LabelAveragedResult MeanAveragePrecision(int[,] truth, double[,] scores) =>
        PerLabelMean(truth, scores, AveragePrecision);

    /// <summary>Macro ROC AUC: mean of <see cref="RocAuc"/> over labels with both positives and negatives; the others are excluded and listed
    /// (torchmetrics would score a label without positives as 0 here; we do not).</summary>
    public static LabelAveragedResult MacroRocAuc(int[,] truth, double[,] scores) =>
        PerLabelMean(truth, scores, RocAuc);

    /// <summary>
    /// Multi-label accuracy = (1 / (n L)) sum_{i,l} [ (s_il &gt; threshold) == y_il ], all binary decisions together
    /// (torchmetrics MultilabelAccuracy; its macro and micro averages agree because every label has n decisions).
    /// </summary>
    public static double Accuracy(int[,] truth, double[,] scores, double threshold = DefaultThreshold)
    {
        CheckMatrix(truth, scores);
        int n = truth.GetLength(0), l = truth.GetLength(1), correct = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < l; j++)
                if ((scores[i, j] > threshold ? 1 : 0) == truth[i, j]) correct++;
        return (double)correct / ((long)n * l);
    }

    /// <summary>
    /// Single-label ("flexible") accuracy of the released code: the argmax label of each item (lowest index on ties)
    /// counts as correct when it is one of the item's true labels. = hits / n. An item with no true label is a miss.
    /// </summary>
    public static double FlexibleAccuracy(int[,] truth, double[,] scores)
    {
        CheckMatrix(truth, scores);
        return (double)FlexibleHits(truth, scores) / truth.GetLength(0);
    }

    /// <summary>
    /// Single-label ("flexible") F1 of the released code's FlexibleF1 (a micro F1 despite its "macro" argument):
    /// precision = hits / n (one prediction per item), recall = hits / (number of true labels over all items),
    /// F1 = 2 P R / (P + R), 0 when P + R = 0. The released code adds 1e-6 to each denominator; we do not
    /// (the difference is below 1e-5 for any realistic n).
    /// </summary>
    public static double FlexibleF1(int[,] truth, double[,] scores)
    {
        CheckMatrix(truth, scores);
        int hits = FlexibleHits(truth, scores);
        long trueLabels = 0;
        foreach (int t in truth) trueLabels += t;
        double precision = (double)hits / truth.GetLength(0);
        double recall = trueLabels == 0 ? 0 : hits / (double)trueLabels;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>Every multi-label number at once.</summary>
    public static MultilabelReport Evaluate(int[,] truth, double[,] scores, double threshold = DefaultThreshold) =>
        new(truth.GetLength(0), truth.GetLength(1),
            MeanAveragePrecision(truth, scores), MacroRocAuc(truth, scores),
            Accuracy(truth, scores, threshold), FlexibleAccuracy(truth, scores), FlexibleF1(truth, scores));

    private delegate double LabelMetric(ReadOnlySpan<int> truth, ReadOnlySpan<double> scores);

    private static LabelAveragedResult PerLabelMean(int[,] truth, double[,] scores, LabelMetric metric)
    {
        CheckMatrix(truth, scores);
        int l = truth.GetLength(1);
        var per = new double[l];
        var excluded = new List<int>();
        double sum = 0; int kept = 0;
        for (int j = 0; j < l; j++)
        {
            per[j] = metric(Scores.Column(truth, j), Scores.Column(scores, j));
            if (double.IsNaN(per[j])) { excluded.Add(j); continue; }
            sum += per[j]; kept++;
        }
        return new LabelAveragedResult(kept == 0 ? double.NaN : sum / kept, per, excluded.ToArray());
    }

    private static int FlexibleHits(int[,] truth, double[,] scores)
    {
        int[] top = Scores.Argmax(scores);
        int hits = 0;
        for (int i = 0; i < top.Length; i++) hits += truth[i, top[i]];
        return hits;
    }

    private static int[] DescendingOrder(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(order, (a, b) => keys[b].CompareTo(keys[a]));
        return order;
    }

    private static void Check(ReadOnlySpan<int> truth, ReadOnlySpan<double> scores)
    {
        MetricGuard.NotEmpty(truth.Length, nameof(truth));
        MetricGuard.SameLength(truth.Length, scores.Length, nameof(truth), nameof(scores));
        MetricGuard.Binary(truth, nameof(truth));
        MetricGuard.Finite(scores, nameof(scores));
    }

    private static void CheckMatrix(int[,] truth, double[,] scores)
    {
        MetricGuard.NotEmpty(truth.GetLength(0), nameof(truth));
        MetricGuard.NotEmpty(truth.GetLength(1), "labels");
        MetricGuard.SameShape(truth, scores);
        MetricGuard.MultiHot(truth, nameof(truth));
        MetricGuard.Finite(scores, nameof(scores));
    }
}
