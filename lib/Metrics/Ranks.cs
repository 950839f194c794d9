namespace PianoJudges.Metrics;

/// <summary>Ranking helpers shared by ROC AUC and the rank correlations.</summary>
public static class Ranks
{
    /// <summary>
    /// 1-based ranks in ascending order of value; tied values share the mean of the ranks they span
    /// (scipy's <c>rankdata(method="average")</c>). (n) -> (n).
    /// </summary>
    public static double[] Average(ReadOnlySpan<double> values)
    {
        MetricGuard.Finite(values, nameof(values));
        var keys = values.ToArray();
        var order = new int[keys.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => keys[a].CompareTo(keys[b]));
        var ranks = new double[keys.Length];
        int k = 0;
        while (k < order.Length)
        {
            int end = k;
            while (end + 1 < order.Length && keys[order[end + 1]] == keys[order[k]]) end++;
            double rank = (k + end) / 2.0 + 1;
            for (int m = k; m <= end; m++) ranks[order[m]] = rank;
            k = end + 1;
        }
        return ranks;
    }
}
