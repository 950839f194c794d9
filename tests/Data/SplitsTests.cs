namespace PianoJudges.Tests.Data;

using PianoJudges.Data;

public class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequence()
    {
        // Vigna's splitmix64.c, seed 1234567 (the values Java's SplittableRandom also gives).
        var rng = new SplitMix64(1234567);
        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => rng.NextUInt64()).ToArray());
    }

    [Fact]
    public void NextIntIsInRangeAndCoversIt()
    {
        var rng = new SplitMix64(7);
        var counts = new int[6];
        for (int i = 0; i < 6000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void SampleDrawsDistinctItems()
    {
        var s = new SplitMix64(3).Sample(Enumerable.Range(0, 100).ToList(), 40);
        Assert.Equal(40, s.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(3).Sample(new[] { 1, 2 }, 3));
    }
}

public class SplitsTests
{
    private static readonly Manifest Expertise = ManifestCatalog.Load("expertise");
    private static readonly Manifest Difficulty = ManifestCatalog.Load("difficulty");

    private static IEnumerable<string> Ids(SplitAssignment s) => s.Train.Concat(s.Validation).Concat(s.Test).Select(r => r.Id);

    [Fact]
    public void TheSameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var a = Splits.Expertise(Expertise, seed: 5);
        var b = Splits.Expertise(Expertise, seed: 5);
        var c = Splits.Expertise(Expertise, seed: 6);
        Assert.Equal(a.Train.Select(r => r.Id), b.Train.Select(r => r.Id));
        Assert.Equal(a.Test.Select(r => r.Id), b.Test.Select(r => r.Id));
        Assert.NotEqual(a.Train.Select(r => r.Id).Order(), c.Train.Select(r => r.Id).Order());
    }

    [Fact]
    public void ExpertiseSplitHasTheConfiguredSizesPerLevel()
    {
        var s = Splits.Expertise(Expertise, new SplitFractions(0.7, 0.15, 0.15), seed: 1);
        foreach (int level in new[] { 0, 1, 2 })
        {
            int n = Expertise.Rows.Count(r => r.Label == level);
            int train = (int)Math.Round(n * 0.7, MidpointRounding.AwayFromZero);
            int val = (int)Math.Round(n * 0.15, MidpointRounding.AwayFromZero);
            Assert.Equal(train, s.Train.Count(r => r.Label == level));
            Assert.Equal(val, s.Validation.Count(r => r.Label == level));
            Assert.Equal(n - train - val, s.Test.Count(r => r.Label == level));
        }
        Assert.Equal(Expertise.Rows.Select(r => r.Id).Order(), Ids(s).Order());
    }

    [Fact]
    public void DifficultySplitNeverPutsAPieceOrARecordingInTwoSplits()
    {
        var s = Splits.Difficulty(Difficulty, new SplitFractions(0.6, 0.2, 0.2), seed: 11);
        var parts = new[] { s.Train, s.Validation, s.Test };
        for (int i = 0; i < 3; i++)
            for (int j = i + 1; j < 3; j++)
            {
                Assert.Empty(parts[i].Select(r => r.Group).Intersect(parts[j].Select(r => r.Group)));
                Assert.Empty(parts[i].Select(r => r.AudioId).Intersect(parts[j].Select(r => r.AudioId)));
            }
        Assert.Equal(Difficulty.Rows.Count, Ids(s).Distinct().Count());
        // Grouped sizes land within one piece's rows of the target.
        int largest = Splits.Units(Difficulty.Rows).Max(u => u.Count);
        Assert.InRange(s.Train.Count, Difficulty.Rows.Count * 0.6 - 9 * largest, Difficulty.Rows.Count * 0.6 + 9 * largest);
    }

    [Fact]
    public void RowsSharingARecordingAcrossPiecesFormOneUnit()
    {
        var rows = new List<ManifestRow>
        {
            new("p1_r1", "r1", ManifestTask.Difficulty, 5, null, "p1", null, null, "youtube", null),
            new("p2_r1", "r1", ManifestTask.Difficulty, 5, null, "p2", null, null, "youtube", null),
            new("p2_r2", "r2", ManifestTask.Difficulty, 5, null, "p2", null, null, "youtube", null),
            new("p3_r3", "r3", ManifestTask.Difficulty, 5, null, "p3", null, null, "youtube", null),
        };
        var units = Splits.Units(rows);
        Assert.Equal(2, units.Count);
        Assert.Equal(["p1_r1", "p2_r1", "p2_r2"], units[0].Select(r => r.Id));
    }

    [Fact]
    public void PublishedSplitIsThePapers()
    {
        var s = Splits.Published(Difficulty);
        Assert.Equal((444, 152, 141), (s.Train.Count, s.Validation.Count, s.Test.Count));
    }

    [Fact]
    public void FaithfulExpertiseBalancesLevelsAndSplitsEightyTwenty()
    {
        var s = Splits.FaithfulExpertise(Expertise);
        // After the released code's duration filter the smallest level has 562 recordings; int(562 * 0.8) = 449.
        foreach (int level in new[] { 0, 1, 2 })
        {
            Assert.Equal(449, s.Train.Count(r => r.Label == level));
            Assert.Equal(113, s.Validation.Count(r => r.Label == level));
        }
        Assert.Empty(s.Test);
        Assert.All(s.Train.Concat(s.Validation), r => Assert.Equal("1", r.Extra!["paper_keep"]));
        Assert.Equal(Ids(s).Count(), Ids(s).Distinct().Count());
        Assert.Equal(s.Train.Select(r => r.Id), Splits.FaithfulExpertise(Expertise).Train.Select(r => r.Id));
    }

    [Fact]
    public void CrossValidationFoldsPartitionTheRows()
    {
        var folds = Splits.CrossValidation(Difficulty, ManifestCatalog.LoadDifficultyFolds(), out var unassigned);
        Assert.Equal(5, folds.Count);
        Assert.Empty(unassigned);
        foreach (var f in folds)
        {
            Assert.Equal(Difficulty.Rows.Count, f.Train.Count + f.Validation.Count + f.Test.Count);
            Assert.Empty(f.Train.Select(r => r.Group).Intersect(f.Test.Select(r => r.Group)));
        }
    }

    [Fact]
    public void BadFractionsAreRefused() =>
        Assert.Throws<ArgumentException>(() => Splits.Expertise(Expertise, new SplitFractions(0.7, 0.2, 0.2)));
}
