namespace PianoJudges.Tests.Competition;

using PianoJudges.Competition;

public class PairsAndSplitTests
{
    private static readonly int[] Scores = [2, 0, 1, 1, 3];

    [Fact]
    public void EveryOrderedPairWithDifferentScoresBothOrders()
    {
        var set = CompetitionPairs.Build(Scores);
        // 10 unordered pairs, one tied (candidates 2 and 3): 9 kept x 2 orders, 2 ordered pairs excluded.
        Assert.Equal(18, set.Pairs.Length);
        Assert.Equal(2, set.EqualScorePairsExcluded);
        Assert.DoesNotContain(set.Pairs, p => Scores[p.First] == Scores[p.Second]);
        Assert.All(set.Pairs, p => Assert.Contains(new CandidatePair(p.Second, p.First, 1 - p.Label), set.Pairs));
        Assert.Equal(set.Pairs.Length, set.Pairs.Distinct().Count());
    }

    [Fact]
    public void LabelIsZeroWhenTheFirstCandidateScoredHigher()
    {
        var pairs = CompetitionPairs.Build(Scores).Pairs;
        Assert.Contains(new CandidatePair(0, 1, 0), pairs); // 2 > 0
        Assert.Contains(new CandidatePair(1, 0, 1), pairs);
        Assert.Contains(new CandidatePair(4, 0, 0), pairs); // 3 > 2
        Assert.All(pairs, p => Assert.Equal(Scores[p.First] > Scores[p.Second] ? 0 : 1, p.Label));
    }

    [Fact]
    public void NegativeScoreIsRejectedWithItsIndex()
    {
        var e = Assert.Throws<ArgumentException>(() => CompetitionPairs.Build([1, -1, 0]));
        Assert.Contains("scores[1] = -1", e.Message);
    }

    [Fact]
    public void ByCandidateSplitLeaksNoCandidateAndSplitsEveryScoreLevel()
    {
        var scores = Enumerable.Range(0, 40).Select(i => i % 4 == 0 ? 2 : i % 3 == 0 ? 1 : 0).ToArray();
        var split = FittingSplit.Create(scores, FittingSplitMode.ByCandidate, seed: 5);
        Assert.Empty(split.TrainCandidates.Intersect(split.TestCandidates));
        Assert.Equal(Enumerable.Range(0, 40), split.TrainCandidates.Concat(split.TestCandidates).Order());
        Assert.Equal(20, split.TrainCandidates.Length);
        var train = split.TrainCandidates.ToHashSet();
        Assert.All(split.Train.Pairs, p => Assert.True(train.Contains(p.First) && train.Contains(p.Second)));
        Assert.All(split.Test.Pairs, p => Assert.False(train.Contains(p.First) || train.Contains(p.Second)));
        foreach (int level in scores.Distinct())
        {
            int total = scores.Count(s => s == level), inTrain = split.TrainCandidates.Count(c => scores[c] == level);
            Assert.InRange(inTrain, total / 2, (total + 1) / 2);
        }
        Assert.NotEqual(split.TrainCandidates, FittingSplit.Create(scores, seed: 6).TrainCandidates);
    }

    [Fact]
    public void FaithfulSplitTrainsOnTheFirstHalfAndTestsOnAllPairs()
    {
        var split = FittingSplit.Create(Scores, FittingSplitMode.Faithful);
        Assert.Equal(new[] { 0, 1 }, split.TrainCandidates); // int(5 * 0.5) = 2, file order
        Assert.Equal(Enumerable.Range(0, 5), split.TestCandidates);
        Assert.Equal(CompetitionPairs.Build(Scores).Pairs, split.Test.Pairs);
        Assert.Equal(new[] { new CandidatePair(0, 1, 0), new CandidatePair(1, 0, 1) }, split.Train.Pairs);
        Assert.All(split.Train.Pairs, p => Assert.Contains(p, split.Test.Pairs)); // the released code's leak
    }
}
