namespace PianoJudges.Tests.Metrics;

using PianoJudges.Metrics;

public class MulticlassTests
{
    // Hand case: confusion rows (truth) 0:[1,1,0], 1:[0,2,0], 2:[1,0,1].
    // class 0: TP1 FP1 FN1 -> P 1/2, R 1/2, F1 1/2; class 1: TP2 FP1 FN0 -> P 2/3, R 1, F1 4/5; class 2: TP1 FP0 FN1 -> P 1, R 1/2, F1 2/3.
    private static readonly int[] Truth = [0, 0, 1, 1, 2, 2];
    private static readonly int[] Pred = [0, 1, 1, 1, 0, 2];

    [Fact]
    public void ConfusionMatrixCountsTruthByRowsAndPredictionByColumns()
    {
        var cm = ConfusionMatrix.From(Truth, Pred, 3);
        Assert.Equal(new[] { new[] { 1, 1, 0 }, new[] { 0, 2, 0 }, new[] { 1, 0, 1 } }, cm.ToRows());
        Assert.Equal(6, cm.Total);
        Assert.Equal((2, 1, 0), (cm.TruePositives(1), cm.FalsePositives(1), cm.FalseNegatives(1)));
    }

    [Fact]
    public void MacroScoresMatchHandComputedValues()
    {
        var r = Multiclass.Evaluate(Truth, Pred, 3);
        Assert.Equal(4.0 / 6, r.Accuracy, 12);
        Assert.Equal((0.5 + 2.0 / 3 + 1) / 3, r.MacroPrecision, 12);
        Assert.Equal((0.5 + 1 + 0.5) / 3, r.MacroRecall, 12);
        Assert.Equal(r.MacroRecall, r.MacroAccuracy, 12);
        Assert.Equal((0.5 + 0.8 + 2.0 / 3) / 3, r.MacroF1, 12);
        Assert.Equal(0.5, r.F1[0], 12);
        Assert.Equal(0.8, r.F1[1], 12);
        Assert.Equal(2.0 / 3, r.F1[2], 12);
        Assert.Equal(new[] { 2, 2, 2 }, r.Support);
        Assert.Empty(r.ExcludedClasses);
    }

    [Fact]
    public void ClassAbsentFromTruthAndPredictionIsExcludedByDefaultOrCountedAsZero()
    {
        var excluded = Multiclass.Evaluate(Truth, Pred, 4);
        Assert.Equal(new[] { 3 }, excluded.ExcludedClasses);
        Assert.Equal((0.5 + 0.8 + 2.0 / 3) / 3, excluded.MacroF1, 12);

        var zero = Multiclass.Evaluate(Truth, Pred, 4, AbsentClassRule.CountAsZero);
        Assert.Empty(zero.ExcludedClasses);
        Assert.Equal((0.5 + 0.8 + 2.0 / 3 + 0) / 4, zero.MacroF1, 12);
        Assert.Equal((0.5 + 1 + 0.5 + 0) / 4, zero.MacroAccuracy, 12);
    }

    [Fact]
    public void ClassPredictedButNeverTrueStaysInTheMeanWithZero()
    {
        // class 2: TP0 FP1 FN0 -> kept (torchmetrics keeps tp+fp+fn > 0), F1 = 0, recall 0/0 = 0.
        int[] t = [0, 0, 1], p = [0, 2, 1];
        var r = Multiclass.Evaluate(t, p, 3);
        Assert.Empty(r.ExcludedClasses);
        Assert.Equal((2.0 / 3 + 1 + 0) / 3, r.MacroF1, 12);
        Assert.Equal((0.5 + 1 + 0) / 3, r.MacroAccuracy, 12);
        // Acc_0 of Eq. 2 averages only over classes present in the truth.
        Assert.Equal((0.5 + 1) / 2, Multiclass.AccWithin(t, p, 0, 3), 12);
    }

    [Fact]
    public void AccWithinCountsNeighbouringClassesAsCorrect()
    {
        int[] t = [0, 1, 2, 3, 3, 8], p = [1, 1, 4, 2, 3, 6];
        // per class within 1: 0:1/1, 1:1/1, 2:0/1, 3:2/2, 8:0/1
        Assert.Equal(3.0 / 5, Multiclass.AccWithin(t, p, 1, 9), 12);
        Assert.Equal(4.0 / 6, Multiclass.AccWithin(t, p, 1, 9, AccWithinAverage.Micro), 12);
        // exact: 0:0, 1:1, 2:0, 3:1/2, 8:0
        Assert.Equal(1.5 / 5, Multiclass.AccWithin(t, p, 0, 9), 12);
        Assert.Equal(2.0 / 6, Multiclass.AccWithin(t, p, 0, 9, AccWithinAverage.Micro), 12);
        // with no class predicted outside the truth, Acc_0 is torchmetrics' macro accuracy
        Assert.Equal(Multiclass.MacroAccuracy(Truth, Pred, 3), Multiclass.AccWithin(Truth, Pred, 0, 3), 12);
    }

    [Fact]
    public void ProbabilityMatrixIsReducedByArgmaxWithLowestIndexOnTies()
    {
        double[,] probs = { { 0.7, 0.3 }, { 0.5, 0.5 }, { 0.2, 0.8 } };
        Assert.Equal(new[] { 0, 0, 1 }, Scores.Argmax(probs));
        var r = Multiclass.Evaluate([0, 1, 1], probs);
        Assert.Equal(2.0 / 3, r.Accuracy, 12);
    }

    [Fact]
    public void FlatTensorBufferBecomesRowMajorMatrix()
    {
        var m = Scores.FromFlat(new float[] { 1, 2, 3, 4, 5, 6 }, 3);
        Assert.Equal((2, 3), (m.GetLength(0), m.GetLength(1)));
        Assert.Equal(4.0, m[1, 0]);
        Assert.Throws<ArgumentException>(() => Scores.FromFlat(new float[] { 1, 2, 3, 4 }, 3));
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        var empty = Assert.Throws<ArgumentException>(() => Multiclass.Evaluate([], [], 3));
        Assert.Contains("empty", empty.Message);
        var range = Assert.Throws<ArgumentException>(() => Multiclass.Evaluate([0, 3], [0, 1], 3));
        Assert.Contains("'truth'[1] = 3", range.Message);
        var length = Assert.Throws<ArgumentException>(() => Multiclass.Accuracy([0, 1], [0]));
        Assert.Contains("2 items", length.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Multiclass.AccWithin([0], [0], -1, 3));
    }
}
