namespace PianoJudges.Metrics;

/// <summary>
/// Multiclass confusion matrix: <c>Counts[t, p]</c> is the number of items of true class t predicted as p;
/// shape (numClasses, numClasses), rows = truth, columns = prediction (sklearn's and torchmetrics' layout).
/// </summary>
public sealed class ConfusionMatrix
{
    public int NumClasses { get; }
    /// <summary>(numClasses, numClasses); rows = true class, columns = predicted class.</summary>
    public int[,] Counts { get; }
    public int Total { get; }

    private ConfusionMatrix(int[,] counts, int total)
    {
        Counts = counts;
        NumClasses = counts.GetLength(0);
        Total = total;
    }

    /// <summary>A matrix of counts kept earlier (e.g. read back from a results file); rows = truth, columns = prediction.</summary>
    public static ConfusionMatrix FromCounts(int[,] counts)
    {
        if (counts.GetLength(0) != counts.GetLength(1)) throw new ArgumentException($"a confusion matrix is square, got {counts.GetLength(0)}x{counts.GetLength(1)}", nameof(counts));
        int total = 0;
        foreach (int c in counts)
        {
            if (c < 0) throw new ArgumentException($"counts must be non-negative, got {c}", nameof(counts));
            total += c;
        }
        return new ConfusionMatrix((int[,])counts.Clone(), total);
    }

    /// <summary>Counts (truth, prediction) pairs; both arrays hold class indices in [0, numClasses).</summary>
    public static ConfusionMatrix From(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int numClasses)
    {
        MetricGuard.ClassPairs(truth, predicted, numClasses);
        var counts = new int[numClasses, numClasses];
        for (int i = 0; i < truth.Length; i++) counts[truth[i], predicted[i]]++;
        return new ConfusionMatrix(counts, truth.Length);
    }

    /// <summary>TP_c = Counts[c, c].</summary>
    public int TruePositives(int c) => Counts[c, c];

    /// <summary>FP_c = sum over t != c of Counts[t, c] (predicted c, truly another class).</summary>
    public int FalsePositives(int c) => PredictedCount(c) - Counts[c, c];

    /// <summary>FN_c = sum over p != c of Counts[c, p] (truly c, predicted another class).</summary>
    public int FalseNegatives(int c) => Support(c) - Counts[c, c];

    /// <summary>Number of items whose true class is c.</summary>
    public int Support(int c)
    {
        int s = 0;
        for (int p = 0; p < NumClasses; p++) s += Counts[c, p];
        return s;
    }

    /// <summary>Number of items predicted as c.</summary>
    public int PredictedCount(int c)
    {
        int s = 0;
        for (int t = 0; t < NumClasses; t++) s += Counts[t, c];
        return s;
    }

    /// <summary>The matrix as jagged rows (truth-major), for printing or plotting.</summary>
    public int[][] ToRows()
    {
        var rows = new int[NumClasses][];
        for (int t = 0; t < NumClasses; t++)
        {
            rows[t] = new int[NumClasses];
            for (int p = 0; p < NumClasses; p++) rows[t][p] = Counts[t, p];
        }
        return rows;
    }
}
