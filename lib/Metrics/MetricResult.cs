using System.Globalization;

namespace PianoJudges.Metrics;

/// <summary>A metric value with its bootstrap percentile interval.</summary>
/// <param name="Value">The metric on the full set of items.</param>
/// <param name="Lower">Lower end of the interval (NaN when there is none).</param>
/// <param name="Upper">Upper end of the interval (NaN when there is none).</param>
/// <param name="Level">Coverage of the interval, e.g. 0.95.</param>
/// <param name="N">Number of items the metric was computed on.</param>
/// <param name="Resamples">Bootstrap resamples drawn.</param>
/// <param name="ValidResamples">Resamples on which the metric was defined (not NaN); the interval uses only these.</param>
public sealed record MetricResult(double Value, double Lower, double Upper, double Level, int N, int Resamples, int ValidResamples)
{
    /// <summary>A value without an interval.</summary>
    public static MetricResult PointOnly(double value, int n) => new(value, double.NaN, double.NaN, double.NaN, n, 0, 0);

    public bool HasInterval => !double.IsNaN(Lower);

    public override string ToString() => HasInterval
        ? string.Create(CultureInfo.InvariantCulture, $"{Value:F4} [{Lower:F4}, {Upper:F4}] ({Level:P0} CI, n={N})")
        : string.Create(CultureInfo.InvariantCulture, $"{Value:F4} (n={N})");
}

/// <summary>Mean and standard deviation of one metric over training seeds.</summary>
/// <param name="Std">Sample standard deviation, sqrt(sum (x - mean)^2 / (k - 1)); NaN for a single seed.</param>
public sealed record SeedSummary(double Mean, double Std, int Seeds)
{
    /// <summary>Summarises one value per seed. Values must be finite.</summary>
    public static SeedSummary Of(IReadOnlyList<double> values)
    {
        MetricGuard.NotEmpty(values.Count, nameof(values));
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"values[{i}] = {values[i]} is not a finite metric value.", nameof(values));
        double mean = values.Average();
        if (values.Count == 1) return new SeedSummary(mean, double.NaN, 1);
        double ss = values.Sum(v => (v - mean) * (v - mean));
        return new SeedSummary(mean, Math.Sqrt(ss / (values.Count - 1)), values.Count);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Mean:F4} ± {Std:F4} ({Seeds} seeds)");
}
