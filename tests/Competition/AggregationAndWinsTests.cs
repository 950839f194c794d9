namespace PianoJudges.Tests.Competition;

using PianoJudges.Competition;

public class AggregationAndWinsTests
{
    [Fact]
    public void MajorityVoteAndMeanProbabilityCanDisagree()
    {
        // two parts mildly for the first, one strongly for the second.
        double[,] parts = { { 0.55, 0.45 }, { 0.55, 0.45 }, { 0.0, 1.0 } };
        Assert.Equal(PairLabel.FirstBetter, PartAggregator.Aggregate(parts, PartAggregation.MajorityVote));
        Assert.Equal(PairLabel.SecondBetter, PartAggregator.Aggregate(parts, PartAggregation.MeanProbability));
    }

    [Fact]
    public void TiedVoteFallsBackToMeanProbabilityThenToFirst()
    {
        Assert.Equal(PairLabel.SecondBetter, PartAggregator.Aggregate(new[,] { { 0.6, 0.4 }, { 0.3, 0.7 } }));
        Assert.Equal(PairLabel.FirstBetter, PartAggregator.Aggregate(new[,] { { 0.8, 0.2 }, { 0.3, 0.7 } }));
        Assert.Equal(PairLabel.FirstBetter, PartAggregator.Aggregate(new[,] { { 0.6, 0.4 }, { 0.4, 0.6 } }));
    }

    [Fact]
    public void FourWayClassesMapToTwoWayAsTheReleasedCode()
    {
        Assert.Equal(new[] { 0, 0, 1, 1 }, Enumerable.Range(0, 4).Select(c => PartAggregator.ToTwoWay(c, 4)));
        // part argmaxes 1 (first better) and 3 (second better), 1 again: majority first.
        double[,] parts = { { 0.1, 0.5, 0.2, 0.2 }, { 0.1, 0.1, 0.1, 0.7 }, { 0.3, 0.4, 0.2, 0.1 } };
        Assert.Equal(PairLabel.FirstBetter, PartAggregator.Aggregate(parts));
        // mean over parts: (0.167, 0.333, 0.167, 0.333): argmax 1 (lowest on tie) -> first.
        Assert.Equal(PairLabel.FirstBetter, PartAggregator.Aggregate(parts, PartAggregation.MeanProbability));
        Assert.Throws<ArgumentException>(() => PartAggregator.Aggregate(new double[,] { { 0.2, 0.3, 0.5 } }));
    }

    // Five candidates, all 20 ordered pairs, some predictions inconsistent across the two orders.
    private static readonly PairPrediction[] Five =
    [
        new(0, 1, 0), new(1, 0, 1), new(0, 2, 0), new(2, 0, 0), new(0, 3, 0), new(3, 0, 1), new(0, 4, 1), new(4, 0, 0),
        new(1, 2, 0), new(2, 1, 1), new(1, 3, 0), new(3, 1, 1), new(1, 4, 0), new(4, 1, 1),
        new(2, 3, 1), new(3, 2, 0), new(2, 4, 0), new(4, 2, 0), new(3, 4, 0), new(4, 3, 1),
    ];

    [Fact]
    public void WinCountsAndRankingByHand()
    {
        // 0: (0,1)(1,0)(0,2)(0,3)(3,0); 1: (1,2)(2,1)(1,3)(3,1)(1,4)(4,1); 2: (2,0)(2,4); 3: (2,3)(3,2)(3,4)(4,3); 4: (0,4)(4,0)(4,2)
        var wins = WinCounts.Count(5, Five);
        Assert.Equal(new[] { 5, 6, 2, 4, 3 }, wins);
        Assert.Equal(Five.Length, wins.Sum());
        Assert.Equal(new[] { 1, 0, 3, 4, 2 }, WinCounts.Ranking(wins));
        Assert.Equal(new[] { 8, 8, 8, 8, 8 }, WinCounts.Appearances(5, Five));
        Assert.Equal(new[] { 2, 2, 0 }, WinCounts.Appearances(3, [new(0, 1, 0), new(1, 0, 0)]));
    }

    [Fact]
    public void FaithfulWinCountsLoseTheWinsOfACandidateWhoNeverWonInOnePosition()
    {
        // candidate 2 won only as first (2,0),(2,4): the released code's NaN -> 0 drops both wins.
        Assert.Equal(new[] { 5, 6, 0, 4, 3 }, WinCounts.Count(5, Five, WinCountMode.Faithful));
    }

    [Fact]
    public void HitRateCurveByHand()
    {
        bool[] passed = [true, true, false, false, true];
        var curve = WinCounts.HitRate(WinCounts.Count(5, Five), passed);
        Assert.Equal(new[] { 2, 3, 4, 5, 6 }, curve.Points.Select(p => p.Threshold));
        Assert.Equal(new[] { 5, 4, 3, 2, 1 }, curve.Points.Select(p => p.AtOrAbove));
        Assert.Equal(new[] { 3.0 / 5, 3.0 / 4, 2.0 / 3, 1, 1 }, curve.Points.Select(p => p.HitRate));
        // half the field: the 3rd best (ceil(5/2)) has 4 wins.
        Assert.Equal(4, curve.CutoffThreshold);
        Assert.Equal(2.0 / 3, curve.AtCutoff.HitRate);
    }

    [Fact]
    public void RankCorrelationsWithTiesByHand()
    {
        // x ties (1,2); y ties (2,3). C = 3 (0-1, 0-2, 0-3), D = 1 (1-3): tau_b = 2 / sqrt((6-1)(6-1)) = 0.4.
        // ranks x (1, 2.5, 2.5, 4), y (1, 4, 2.5, 2.5): cov 2.25, var 4.5 each -> rho = 0.5.
        double[] x = [1, 2, 2, 3], y = [1, 3, 2, 2];
        Assert.Equal(0.4, RankCorrelation.KendallTauB(x, y), 12);
        Assert.Equal(0.5, RankCorrelation.SpearmanRho(x, y), 12);
        Assert.Equal(-1.0, RankCorrelation.KendallTauB(new[] { 1, 2, 3 }, new[] { 3, 2, 1 }), 12);
        Assert.Equal(1.0, RankCorrelation.SpearmanRho(new[] { 1, 5, 9 }, new[] { 2, 3, 100 }), 12);
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB(new[] { 1, 1 }, new[] { 1, 2 })));
    }
}
