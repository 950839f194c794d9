namespace PianoJudges.Tests.Reporting;

using PianoJudges.Encoders;
using PianoJudges.Reporting;

public class PcaTests
{
    private static double[][] Gaussian2D(int n, double sx, double sy, double angle, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return Enumerable.Range(0, n).Select(_ =>
        {
            double u = sx * Normal(), v = sy * Normal();
            return new[] { 5 + u * Math.Cos(angle) - v * Math.Sin(angle), -3 + u * Math.Sin(angle) + v * Math.Cos(angle) };
        }).ToArray();
    }

    [Fact]
    public void TwoDimensionalDataGiveTheClosedFormEigenvectorsOfTheSampleCovariance()
    {
        var rows = Gaussian2D(400, 3.0, 0.7, 0.6, seed: 1);
        // Sample covariance and its eigen-decomposition, in closed form for a symmetric 2 x 2 matrix.
        double mx = rows.Average(r => r[0]), my = rows.Average(r => r[1]);
        double a = rows.Sum(r => (r[0] - mx) * (r[0] - mx)) / 399, b = rows.Sum(r => (r[0] - mx) * (r[1] - my)) / 399, c = rows.Sum(r => (r[1] - my) * (r[1] - my)) / 399;
        double half = Math.Sqrt((a - c) * (a - c) / 4 + b * b);
        double l1 = (a + c) / 2 + half, l2 = (a + c) / 2 - half;
        double theta = 0.5 * Math.Atan2(2 * b, a - c);

        var pca = Pca.Fit(rows, 2);

        Assert.Equal(l1, pca.ExplainedVariance[0], 9);
        Assert.Equal(l2, pca.ExplainedVariance[1], 9);
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 12);
        Assert.Equal(1.0, Math.Abs(pca.Components[0][0] * Math.Cos(theta) + pca.Components[0][1] * Math.Sin(theta)), 9);
        Assert.Equal(0.0, pca.Components[0][0] * pca.Components[1][0] + pca.Components[0][1] * pca.Components[1][1], 9);
        Assert.Equal(mx, pca.Mean[0], 12);
    }

    [Fact]
    public void PointsNearALineInTenDimensionsProjectOntoThatLine()
    {
        var rng = new Random(3);
        var direction = Enumerable.Range(0, 10).Select(j => (double)(j - 4)).ToArray();
        double norm = Math.Sqrt(direction.Sum(v => v * v));
        var rows = Enumerable.Range(0, 60).Select(i =>
        {
            double t = rng.NextDouble() * 20 - 10;
            return direction.Select(v => 1 + t * v / norm + 0.01 * (rng.NextDouble() - 0.5)).ToArray();
        }).ToArray();

        var pca = Pca.Fit(rows, 2);
        var scores = pca.Transform(rows);

        double cos = pca.Components[0].Zip(direction, (p, q) => p * q / norm).Sum();
        Assert.True(Math.Abs(cos) > 0.99999, $"cos {cos}");
        Assert.True(pca.ExplainedVarianceRatio[0] > 0.9999, $"ratio {pca.ExplainedVarianceRatio[0]}");
        // Scores are centred and the first one is the position along the line.
        Assert.Equal(0.0, scores.Average(s => s[0]), 9);
        Assert.Equal(pca.ExplainedVariance[0], scores.Sum(s => s[0] * s[0]) / 59, 9);
        // The sign convention: the largest coefficient of each axis is positive.
        foreach (var axis in pca.Components) Assert.True(axis.MaxBy(Math.Abs) > 0);
    }

    [Fact]
    public void BadInputIsRefusedWithTheProblem()
    {
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() => Pca.Fit([new double[] { 1, 2 }])).Message);
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => Pca.Fit([new double[] { 1, 2 }, new double[] { 1 }])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit([new double[] { 1, 2 }, new double[] { 3, 1 }], components: 2));
    }

    [Fact]
    public void SegmentMeansAverageFramesOfRealSegmentsOnly()
    {
        // 3 segments x 2 frames x 2 dims; the last segment is padding.
        float[] data = [1, 10, 3, 30, /* segment 1 */ 2, 4, 4, 16, /* padding */ 9, 9, 9, 9];
        var embedding = new Embedding(data, 3, 2, 2, [true, true, false]);

        var means = Pca.SegmentMeans(embedding);
        Assert.Equal(2, means.Count);
        Assert.Equal([2.0, 20.0], means[0]);
        Assert.Equal([3.0, 10.0], means[1]);
        var logs = Pca.SegmentMeans(embedding, logFirst: true);
        Assert.Equal((Math.Log(1e-10 + 4) + Math.Log(1e-10 + 16)) / 2, logs[1][1], 12);
    }
}

public class EncoderSummaryTests
{
    [Fact]
    public void TheEncoderTableIsTable1FromTheRegistryWithBothFrameCounts()
    {
        var table = Summaries.Encoders();
        Assert.Equal(EncoderRegistry.Names, table.Rows.Select(r => (string)r[0]!));
        var dac = table.Rows.Single(r => (string)r[0]! == "dac");
        Assert.Equal(862, dac[table.Columns.ToList().IndexOf("frames per 10 s")]);
        Assert.Equal(870, dac[table.Columns.ToList().IndexOf("frames per 10 s, faithful")]);
        var spectrogram = table.Rows.Single(r => (string)r[0]! == "spectrogram");
        Assert.Equal(150.0, spectrogram[table.Columns.ToList().IndexOf("frame rate (Hz)")]);
        Assert.Equal(100.0, spectrogram[table.Columns.ToList().IndexOf("Table 1 frame rate (Hz)")]);
        Assert.Equal(5, Summaries.EncoderModes().Rows.Count);
    }
}
