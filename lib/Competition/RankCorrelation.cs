using PianoJudges.Metrics;

namespace PianoJudges.Competition;

/// <summary>Rank agreement between a predicted ranking (e.g. win counts) and the real outcome (rounds passed), ties allowed.</summary>
public static class RankCorrelation
{
    /// <summary>
    /// Kendall's tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)), where over all n0 = n(n-1)/2 item pairs C counts pairs ordered
    /// the same way by x and y, D pairs ordered oppositely, n1 = sum over x-tie groups t(t-1)/2, n2 likewise for y
    /// (a pair tied in x or y is neither concordant nor discordant). NaN when x or y is constant. O(n^2).
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        int n = x.Count;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiesX++;
                if (sy == 0) tiesY++;
                if (sx == 0 || sy == 0) continue;
                if (sx == sy) concordant++; else discordant++;
            }
        long n0 = (long)n * (n - 1) / 2;
        double den = Math.Sqrt((double)(n0 - tiesX) * (n0 - tiesY));
        return den == 0 ? double.NaN : (concordant - discordant) / den;
    }

    /// <summary>Spearman's rho with ties: the Pearson correlation of the average ranks (<see cref="Ranks.Average"/>). NaN when x or y is constant.</summary>
    public static double SpearmanRho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        double[] rx = Ranks.Average(x.ToArray()), ry = Ranks.Average(y.ToArray());
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <inheritdoc cref="KendallTauB(IReadOnlyList{double}, IReadOnlyList{double})"/>
    public static double KendallTauB(IReadOnlyList<int> x, IReadOnlyList<int> y) => KendallTauB(ToDouble(x), ToDouble(y));

    /// <inheritdoc cref="SpearmanRho(IReadOnlyList{double}, IReadOnlyList{double})"/>
    public static double SpearmanRho(IReadOnlyList<int> x, IReadOnlyList<int> y) => SpearmanRho(ToDouble(x), ToDouble(y));

    private static double[] ToDouble(IReadOnlyList<int> v) => v.Select(a => (double)a).ToArray();

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2) throw new ArgumentException($"A rank correlation needs at least 2 items; got {x.Count}.", nameof(x));
        if (x.Count != y.Count) throw new ArgumentException($"'x' has {x.Count} items but 'y' has {y.Count}.", nameof(y));
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ArgumentException($"Item {i} is ({x[i]}, {y[i]}): values must be finite.");
    }
}
