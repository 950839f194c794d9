namespace PianoJudges.Tests.Metrics;

using PianoJudges.Metrics;

public class MultilabelTests
{
    [Fact]
    public void AveragePrecisionIsStepwisePrecisionAtEachPositive()
    {
        // ranks: pos (P 1, R 1/2), neg, pos (P 2/3, R 1) -> 1/2 * 1 + 1/2 * 2/3
        Assert.Equal(0.5 + 1.0 / 3, Multilabel.AveragePrecision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6]), 12);
        Assert.Equal(1.0, Multilabel.AveragePrecision([0, 1, 0], [0.1, 0.9, 0.2]), 12);
    }

    [Fact]
    public void TiedScoresEnterAveragePrecisionAsOneStepWhateverTheirOrder()
    {
        // group {0.5, 0.5}: TP 1 of 2 seen -> P 1/2, R 1/2; then 0.2: P 2/3, R 1 -> 1/4 + 1/3.
        double expected = 0.25 + 1.0 / 3;
        Assert.Equal(expected, Multilabel.AveragePrecision([1, 0, 1], [0.5, 0.5, 0.2]), 12);
        Assert.Equal(expected, Multilabel.AveragePrecision([0, 1, 1], [0.5, 0.5, 0.2]), 12);
    }

    [Fact]
    public void RocAucCountsTiesHalf()
    {
        Assert.Equal(0.75, Multilabel.RocAuc([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6]), 12);
        // pairs (pos, neg): (.5,.5) 1/2, (.5,.1) 1, (.9,.5) 1, (.9,.1) 1 -> 3.5 / 4
        Assert.Equal(0.875, Multilabel.RocAuc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1]), 12);
        Assert.Equal(0.5, Multilabel.RocAuc([1, 0], [0.3, 0.3]), 12);
    }

    [Fact]
    public void LabelWithoutPositivesIsExcludedFromTheMeansAndReported()
    {
        int[,] truth = { { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 0 }, { 0, 0, 0 } };
        double[,] scores = { { 0.9, 0.1, 0.3 }, { 0.2, 0.8, 0.6 }, { 0.4, 0.3, 0.1 }, { 0.6, 0.2, 0.2 } };
        var map = Multilabel.MeanAveragePrecision(truth, scores);
        Assert.Equal(new[] { 2 }, map.ExcludedLabels);
        Assert.True(double.IsNaN(map.PerLabel[2]));
        // label 0: 0.9 pos (1, 1/2), 0.6 neg, 0.4 pos (2/3, 1) -> 1/2 + 1/3; label 1: 0.8 pos, 0.3 pos -> 1
        Assert.Equal((0.5 + 1.0 / 3 + 1.0) / 2, map.Value, 12);

        var auc = Multilabel.MacroRocAuc(truth, scores);
        Assert.Equal(new[] { 2 }, auc.ExcludedLabels);
        // label 0: pos {.9,.4} vs neg {.2,.6}: 1+1+1+0 = 3/4; label 1: pos {.8,.3} vs neg {.1,.2}: 4/4
        Assert.Equal((0.75 + 1.0) / 2, auc.Value, 12);
    }

    [Fact]
    public void AccuracyIsOverAllBinaryDecisionsWithStrictThreshold()
    {
        int[,] truth = { { 1, 0 }, { 0, 1 } };
        double[,] scores = { { 0.9, 0.5 }, { 0.5, 0.51 } };
        Assert.Equal(1.0, Multilabel.Accuracy(truth, scores), 12);
        double[,] off = { { 0.4, 0.6 }, { 0.5, 0.51 } };
        Assert.Equal(0.5, Multilabel.Accuracy(truth, off), 12);
    }

    [Fact]
    public void FlexibleAccuracyAndF1CountAHitOnAnyTrueLabel()
    {
        int[,] truth = { { 1, 0, 0 }, { 0, 1, 1 }, { 0, 0, 1 }, { 1, 1, 0 } };
        double[,] scores = { { 0.9, 0.1, 0.1 }, { 0.1, 0.2, 0.7 }, { 0.8, 0.1, 0.3 }, { 0.6, 0.6, 0.1 } };
        // argmax 0 hit, 2 hit, 0 miss, 0 (tie -> lowest) hit: 3 of 4; true labels 6 -> P 3/4, R 1/2, F1 0.6.
        Assert.Equal(0.75, Multilabel.FlexibleAccuracy(truth, scores), 12);
        Assert.Equal(0.6, Multilabel.FlexibleF1(truth, scores), 12);
        var report = Multilabel.Evaluate(truth, scores);
        Assert.Equal(0.75, report.FlexibleAccuracy, 12);
        Assert.Equal(4, report.N);
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Multilabel.AveragePrecision([], [])).Message);
        Assert.Contains("only 0 and 1", Assert.Throws<ArgumentException>(() => Multilabel.Accuracy(new[,] { { 2 } }, new[,] { { 0.1 } })).Message);
        Assert.Contains("shapes must match", Assert.Throws<ArgumentException>(() => Multilabel.Accuracy(new[,] { { 1, 0 } }, new[,] { { 0.1 } })).Message);
        Assert.Contains("not a finite", Assert.Throws<ArgumentException>(() => Multilabel.RocAuc([1, 0], [double.NaN, 0.1])).Message);
    }
}
