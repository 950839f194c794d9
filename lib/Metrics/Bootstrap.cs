namespace PianoJudges.Metrics;

using PianoJudges.Data;

/// <summary>Bootstrap settings.</summary>
/// <param name="Resamples">Number of resamples B.</param>
/// <param name="Level">Interval coverage, in (0, 1).</param>
/// <param name="Seed">SplitMix64 seed; the same seed gives the same resamples everywhere.</param>
public sealed record BootstrapOptions(int Resamples = 1000, double Level = 0.95, ulong Seed = 13)
{
    public static BootstrapOptions Default { get; } = new();
}

/// <summary>
/// Nonparametric bootstrap over items with percentile intervals (Efron and Tibshirani 1993, ch. 13):
/// draw B resamples of n item indices with replacement (SplitMix64), evaluate the metric on each, and report
/// the (1 - level)/2 and (1 + level)/2 quantiles of the B values (linear interpolation between order statistics,
/// numpy's default: q-quantile = v[floor(h)] + (h - floor(h)) (v[floor(h)+1] - v[floor(h)]), h = q (B - 1)).
/// Resamples on which the metric is undefined (NaN, e.g. a label with no positives) are dropped and counted.
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// <paramref name="metric"/> receives the item indices of one sample (length n, repeats allowed) and returns the metric;
    /// it is first called with 0..n-1 for the point value.
    /// </summary>
    public static MetricResult Percentile(int n, Func<int[], double> metric, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        MetricGuard.NotEmpty(n, "items");
        if (options.Resamples < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Resamples, "Resamples must be at least 1.");
        if (!(options.Level > 0 && options.Level < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Level, "Level must be in (0, 1).");
        var identity = new int[n];
        for (int i = 0; i < n; i++) identity[i] = i;
        double value = metric(identity);
        var rng = new SplitMix64(options.Seed);
        var values = new List<double>(options.Resamples);
        var idx = new int[n];
        for (int b = 0; b < options.Resamples; b++)
        {
            for (int i = 0; i < n; i++) idx[i] = rng.NextInt(n);
            double v = metric(idx);
            if (!double.IsNaN(v)) values.Add(v);
        }
        if (values.Count == 0)
            return new MetricResult(value, double.NaN, double.NaN, options.Level, n, options.Resamples, 0);
        values.Sort();
        double alpha = (1 - options.Level) / 2;
        return new MetricResult(value, Quantile(values, alpha), Quantile(values, 1 - alpha), options.Level, n, options.Resamples, values.Count);
    }

    /// <summary>The q-quantile of sorted values, linear interpolation (numpy "linear").</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        MetricGuard.NotEmpty(sorted.Count, nameof(sorted));
        double h = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>The items of <paramref name="source"/> at <paramref name="indices"/>: (n) -> (indices.Length).</summary>
    public static T[] Take<T>(T[] source, int[] indices)
    {
        var r = new T[indices.Length];
        for (int i = 0; i < r.Length; i++) r[i] = source[indices[i]];
        return r;
    }

    /// <summary>The rows of <paramref name="source"/> at <paramref name="indices"/>: (n, c) -> (indices.Length, c).</summary>
    public static T[,] TakeRows<T>(T[,] source, int[] indices)
    {
        int c = source.GetLength(1);
        var r = new T[indices.Length, c];
        for (int i = 0; i < indices.Length; i++)
            for (int j = 0; j < c; j++) r[i, j] = source[indices[i], j];
        return r;
    }

    /// <summary>Bootstrap of a multiclass metric, e.g. <c>Bootstrap.Multiclass(y, p, (t, q) => Multiclass.MacroF1(t, q, 9))</c>.</summary>
    public static MetricResult Multiclass(int[] truth, int[] predicted, Func<int[], int[], double> metric, BootstrapOptions? options = null)
    {
        MetricGuard.SameLength(truth.Length, predicted.Length, nameof(truth), nameof(predicted));
        return Percentile(truth.Length, idx => metric(Take(truth, idx), Take(predicted, idx)), options);
    }

    /// <summary>Bootstrap of a multi-label metric, e.g. <c>Bootstrap.Multilabel(y, s, (t, q) => Multilabel.MeanAveragePrecision(t, q).Value)</c>.</summary>
    public static MetricResult Multilabel(int[,] truth, double[,] scores, Func<int[,], double[,], double> metric, BootstrapOptions? options = null)
    {
        MetricGuard.SameShape(truth, scores);
        return Percentile(truth.GetLength(0), idx => metric(TakeRows(truth, idx), TakeRows(scores, idx)), options);
    }
}
