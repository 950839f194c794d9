namespace PianoJudges.Tests.Metrics;

using PianoJudges.Data;
using PianoJudges.Metrics;

public class BootstrapTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceSequence()
    {
        // First outputs of Vigna's splitmix64.c for seed 1234567 (recomputed with an independent Python implementation).
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => rng.NextUInt64()));
    }

    [Fact]
    public void NextIntStaysInRangeAndCoversIt()
    {
        var rng = new SplitMix64(7);
        var counts = new int[7];
        for (int i = 0; i < 7000; i++) counts[rng.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void QuantileInterpolatesLinearlyBetweenOrderStatistics()
    {
        double[] v = [1, 2, 3, 4];
        Assert.Equal(1.75, Bootstrap.Quantile(v, 0.25), 12);
        Assert.Equal(1.0, Bootstrap.Quantile(v, 0.0), 12);
        Assert.Equal(4.0, Bootstrap.Quantile(v, 1.0), 12);
    }

    [Fact]
    public void AccuracyIntervalMatchesTheBinomialStandardError()
    {
        // 700 of 1000 correct: normal approximation 0.7 +- 1.96 sqrt(0.21 / 1000) = 0.7 +- 0.0284.
        var truth = new int[1000];
        var pred = Enumerable.Range(0, 1000).Select(i => i < 700 ? 0 : 1).ToArray();
        var r = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.Accuracy(t, p));
        Assert.Equal(0.7, r.Value, 12);
        Assert.Equal(1000, r.N);
        Assert.Equal(1000, r.ValidResamples);
        Assert.InRange(r.Lower, 0.665, 0.68);
        Assert.InRange(r.Upper, 0.72, 0.735);
    }

    [Fact]
    public void SameSeedSameIntervalOtherSeedOtherInterval()
    {
        var values = Enumerable.Range(0, 50).Select(i => (double)(i * 7 % 13)).ToArray();
        double Mean(int[] idx) => idx.Average(i => values[i]);
        var a = Bootstrap.Percentile(values.Length, Mean, new BootstrapOptions(200, 0.9, 1));
        var b = Bootstrap.Percentile(values.Length, Mean, new BootstrapOptions(200, 0.9, 1));
        var c = Bootstrap.Percentile(values.Length, Mean, new BootstrapOptions(200, 0.9, 2));
        Assert.Equal(a, b);
        Assert.NotEqual((a.Lower, a.Upper), (c.Lower, c.Upper));
        Assert.True(a.Lower < a.Value && a.Value < a.Upper);
    }

    [Fact]
    public void UndefinedResamplesAreDroppedAndCounted()
    {
        // NaN unless item 0 was drawn: P(drawn) = 1 - (1 - 1/n)^n ~ 0.634 for n = 100.
        var r = Bootstrap.Percentile(100, idx => idx.Contains(0) ? 1.0 : double.NaN, new BootstrapOptions(1000));
        Assert.InRange(r.ValidResamples, 580, 690);
        Assert.Equal((1.0, 1.0), (r.Lower, r.Upper));
    }

    [Fact]
    public void MultilabelBootstrapResamplesRows()
    {
        int[,] truth = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0, 0 } };
        double[,] scores = { { 0.9, 0.2 }, { 0.1, 0.7 }, { 0.8, 0.6 }, { 0.3, 0.4 } };
        var r = Bootstrap.Multilabel(truth, scores, (t, s) => Multilabel.MeanAveragePrecision(t, s).Value, new BootstrapOptions(100));
        Assert.Equal(1.0, r.Value, 12);
        Assert.Equal((1.0, 1.0), (r.Lower, r.Upper)); // a perfect ranking stays perfect in every resample that defines it
    }

    [Fact]
    public void SeedSummaryUsesTheSampleStandardDeviation()
    {
        var s = SeedSummary.Of([1, 2, 3, 4]);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.Std, 12);
        Assert.True(double.IsNaN(SeedSummary.Of([0.5]).Std));
        Assert.Throws<ArgumentException>(() => SeedSummary.Of([]));
        Assert.Throws<ArgumentException>(() => Bootstrap.Percentile(0, _ => 0));
    }
}
