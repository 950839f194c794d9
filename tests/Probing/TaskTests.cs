namespace PianoJudges.Tests.Probing;

using PianoJudges.Data;
using PianoJudges.Probing;
using PianoJudges.Probing.Tasks;

public class TaskTests
{
    private static List<LabelledRecording> Levels(int perLevel) =>
        Enumerable.Range(0, 3).SelectMany(l => Enumerable.Range(0, perLevel).Select(i => new LabelledRecording($"L{l}-{i}", l))).ToList();

    [Fact]
    public void PairLabelsFollowEquationOne()
    {
        // d = level(second) - level(first): -2 -> 0, -1 -> 1, +1 -> 2, +2 -> 3; R2 = 0 when the first is better.
        var table = new (int A, int B, int R2, int R4)[]
        {
            (2, 0, 0, 0), (1, 0, 0, 1), (2, 1, 0, 1), (0, 1, 1, 2), (1, 2, 1, 2), (0, 2, 1, 3),
        };
        foreach (var (a, b, r2, r4) in table)
        {
            Assert.Equal(r2, ExpertiseRanking.PairLabel(a, b, 2));
            Assert.Equal(r4, ExpertiseRanking.PairLabel(a, b, 4));
            Assert.Equal(r2, r4 >= 2 ? 1 : 0);
        }
        Assert.Throws<ArgumentException>(() => ExpertiseRanking.PairLabel(1, 1, 2));
        Assert.Throws<ArgumentException>(() => ExpertiseRanking.PairLabel(0, 3, 2));
        Assert.Throws<ArgumentException>(() => ExpertiseRanking.PairLabel(0, 1, 3));
    }

    [Fact]
    public void PaperSizeGivesTwentySixHundredNinetyFourTrainingPairs()
    {
        // The smallest level has 562 recordings after filtering; 80 % of it is 449 per level.
        var data = ExpertiseRanking.Build(Levels(562), new ExpertiseRankingOptions(TrainFraction: 0.8, ValidationFraction: 0.2));
        Assert.Equal(2694, data.Train.Count);
    }

    [Theory]
    [InlineData(2, PairingMode.OncePerLevelPair)]
    [InlineData(4, PairingMode.OncePerLevelPair)]
    [InlineData(2, PairingMode.OncePerRecording)]
    [InlineData(4, PairingMode.OncePerRecording)]
    public void PairsJoinDifferentLevelsInBothOrdersAndNeverCrossSplits(int ways, PairingMode pairing)
    {
        var recordings = Levels(40).Concat([new LabelledRecording("extra-virtuoso", 2)]).ToList();
        var level = recordings.ToDictionary(r => r.AudioId, r => r.Label);
        var data = ExpertiseRanking.Build(recordings, new ExpertiseRankingOptions(ways, pairing));

        var splitOf = new Dictionary<string, string>();
        foreach (var (name, pairs) in new[] { ("train", data.Train), ("validation", data.Validation), ("test", data.Test) })
        {
            Assert.NotEmpty(pairs);
            var ordered = pairs.ToDictionary(p => (p.AudioIds[0], p.AudioIds[1]), p => p.Label);
            foreach (var p in pairs)
            {
                string a = p.AudioIds[0], b = p.AudioIds[1];
                Assert.NotEqual(level[a], level[b]);
                Assert.Equal(ExpertiseRanking.PairLabel(level[a], level[b], ways), p.Label);
                Assert.Equal(ways - 1 - p.Label, ordered[(b, a)]); // the reversed pair is there with the mirrored label
                foreach (var id in p.AudioIds)
                    Assert.Equal(name, splitOf.TryAdd(id, name) ? name : splitOf[id]);
            }
            // Each recording meets each other level at most once (OncePerLevelPair) or appears once (OncePerRecording).
            var unordered = pairs.Where(p => string.CompareOrdinal(p.AudioIds[0], p.AudioIds[1]) < 0).ToList();
            Assert.Equal(pairs.Count, 2 * unordered.Count);
            foreach (var g in unordered.SelectMany(p => p.AudioIds).GroupBy(id => id))
            {
                var partnerLevels = unordered.Where(p => p.AudioIds.Contains(g.Key))
                    .Select(p => level[p.AudioIds[0] == g.Key ? p.AudioIds[1] : p.AudioIds[0]]).ToList();
                if (pairing == PairingMode.OncePerRecording) Assert.Single(partnerLevels);
                else Assert.Equal(partnerLevels.Count, partnerLevels.Distinct().Count());
            }
            // Labels are balanced by construction.
            var counts = pairs.GroupBy(p => p.Label).ToDictionary(g => g.Key, g => g.Count());
            for (int y = 0; y < ways / 2; y++) Assert.Equal(counts.GetValueOrDefault(y), counts.GetValueOrDefault(ways - 1 - y));
        }
        // Levels are balanced down to 40 (the extra virtuoso recording is dropped), then every recording is paired.
        var used = splitOf.Keys.GroupBy(id => level[id]).ToList();
        Assert.Equal(3, used.Count);
        Assert.All(used, g => Assert.Equal(40, g.Count()));
    }

    [Fact]
    public void RecordingsOfOneGroupStayInOneSplit()
    {
        var recordings = Enumerable.Range(0, 3).SelectMany(l => Enumerable.Range(0, 30)
            .Select(i => new LabelledRecording($"L{l}-{i}", l, Group: $"channel-{l}-{i / 3}"))).ToList();
        var (tr, va, te) = GroupSplit.Assign(recordings, r => r.AudioId, r => r.Group, r => r.Split, 0.6, 0.2, 5);
        var sides = new[] { tr, va, te }.SelectMany((s, k) => s.Select(r => (r.Group, k)))
            .GroupBy(x => x.Group).Select(g => g.Select(x => x.k).Distinct().Count());
        Assert.All(sides, n => Assert.Equal(1, n));
        Assert.Equal(recordings.Count, tr.Count + va.Count + te.Count);
    }

    [Fact]
    public void PublishedSplitIsKeptAndAPartialOneIsAnError()
    {
        var items = new[] { new LabelledRecording("a", 3, Split: "train"), new LabelledRecording("b", 5, Split: "test"), new LabelledRecording("c", 9, Split: "validation") };
        var data = PieceDifficulty.Build(items, new PieceDifficultyOptions(3));
        Assert.Equal([0], data.Train.Select(e => e.Label));
        Assert.Equal([2], data.Validation.Select(e => e.Label));
        Assert.Equal([1], data.Test.Select(e => e.Label));
        var e = Assert.Throws<ArgumentException>(() => PieceDifficulty.Build([.. items, new LabelledRecording("d", 2)], new PieceDifficultyOptions()));
        Assert.Contains("'d'", e.Message);
    }

    [Fact]
    public void DifficultyClassesAreHenleMinusOneOrItsThirds()
    {
        for (int h = 1; h <= 9; h++)
        {
            Assert.Equal(h - 1, PieceDifficulty.ClassOf(h, 9));
            Assert.Equal((int)Math.Floor((h - 1) / 3.0), PieceDifficulty.ClassOf(h, 3));
        }
        Assert.Throws<ArgumentException>(() => PieceDifficulty.ClassOf(0, 9));
        Assert.Throws<ArgumentException>(() => PieceDifficulty.ClassOf(10, 3));
    }

    private static List<LabelledRecording> Unbalanced() =>
        Enumerable.Range(0, 60).Select(i => new LabelledRecording($"r{i}", i < 40 ? 1 : i < 55 ? 5 : 9, Split: i % 5 == 0 ? "test" : i % 5 == 1 ? "validation" : "train")).ToList();

    [Fact]
    public void BalancedSamplingTouchesOnlyTheTrainingSplit()
    {
        var plain = PieceDifficulty.Build(Unbalanced(), new PieceDifficultyOptions(3));
        var balanced = PieceDifficulty.Build(Unbalanced(), new PieceDifficultyOptions(3, DifficultyBalancing.BalancedSampling));
        var counts = balanced.Train.GroupBy(e => e.Label).Select(g => g.Count()).ToList();
        Assert.Equal(3, counts.Count);
        Assert.Single(counts.Distinct());
        Assert.Equal(plain.Validation.Select(e => (e.Id, e.Label)), balanced.Validation.Select(e => (e.Id, e.Label)));
        Assert.Equal(plain.Test.Select(e => (e.Id, e.Label)), balanced.Test.Select(e => (e.Id, e.Label)));

        var weighted = PieceDifficulty.Build(Unbalanced(), new PieceDifficultyOptions(3, DifficultyBalancing.ClassWeights));
        var w = weighted.Objective.ClassWeights!;
        var n = plain.Train.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        for (int c = 0; c < 3; c++) Assert.Equal(plain.Train.Count / (3.0 * n[c]), w[c], 5);

        var released = PieceDifficulty.Build(Unbalanced(), new PieceDifficultyOptions(3, DifficultyBalancing.ReleasedOversampling));
        Assert.Equal(120, released.Train.Count + released.Validation.Count + released.Test.Count); // 3 classes x 40
    }

    [Fact]
    public void TechniquePosWeightIsNegativesPerPositiveOrTheReleasedConstants()
    {
        var items = Enumerable.Range(0, 50).Select(i => new MultiLabelledRecording($"t{i}",
            Enumerable.Range(0, 7).Select(j => i % (j + 2) == 0).ToArray(), Split: i < 40 ? "train" : i < 45 ? "validation" : "test")).ToList();
        var data = TechniqueRecognition.Build(items, new TechniqueRecognitionOptions());
        for (int j = 0; j < 7; j++)
        {
            int p = items.Take(40).Count(r => r.Labels[j]);
            Assert.Equal((40.0 - p) / p, data.Objective.PosWeight![j], 5);
        }
        var released = TechniqueRecognition.Build(items, new TechniqueRecognitionOptions(ReleasedPosWeight: true));
        Assert.Equal(3.625 * 1.4, released.Objective.PosWeight![0], 5);
        Assert.Equal(4.41 * 1.4, released.Objective.PosWeight![6], 5);
        Assert.Equal(Techniques.Names.Count, data.Objective.Classes);
        var bad = Assert.Throws<ArgumentException>(() => TechniqueRecognition.Build([new MultiLabelledRecording("x", [true])], new TechniqueRecognitionOptions()));
        Assert.Contains("'x'", bad.Message);
    }

    [Fact]
    public void ManifestRowsBecomeLabelledRecordings()
    {
        var row = new ManifestRow("r1", "vid1", ManifestTask.Technique, null, "1010000", "g", "train", null, "youtube", null);
        var m = MultiLabelledRecording.FromManifest(row);
        Assert.Equal([true, false, true, false, false, false, false], m.Labels);
        var e = Assert.Throws<ArgumentException>(() => LabelledRecording.FromManifest(row));
        Assert.Contains("'r1'", e.Message);
    }
}
