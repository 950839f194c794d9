namespace PianoJudges.Tests.Competition;

using PianoJudges.Audio;
using PianoJudges.Competition;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Native;
using PianoJudges.Probing;
using PianoJudges.Tests.Probing;
using PianoJudges.Tests.Support;

/// <summary>The competition study on small fields of synthetic embeddings with a planted skill signal.</summary>
public class StudyTests
{
    private const int T = 20, D = 25;

    public StudyTests() => TorchRuntime.EnsureInitialised();

    /// <summary>A manifest of candidates with these scores (rows named c0, c1 …), audio ids a0, a1 ….</summary>
    private static Manifest Manifest(int[] scores, Dictionary<int, int>? prizes = null) => new("test field",
        scores.Select((s, i) => new ManifestRow($"c{i}", $"a{i}", ManifestTask.Icpc2015, s, null, $"c{i}", null, null, "test", $"Candidate {i}",
            prizes is not null && prizes.TryGetValue(i, out int p) ? new Dictionary<string, string> { ["prize"] = p.ToString() } : null)).ToList());

    /// <summary>
    /// Embeddings of every part: Gaussian noise plus <paramref name="signal"/> x skill on the first half of the dims, where
    /// skill rises with the score (and a little within a score), so the better candidate's half of a pair is brighter.
    /// </summary>
    private static (CompetitionField Field, InMemoryEmbeddingSource Source) Field(int[] scores, int[] parts, float signal, int seed)
    {
        var rng = new Random(seed);
        var field = CompetitionField.FromManifest(Manifest(scores), "test", id => parts[int.Parse(id[1..])]);
        var source = new InMemoryEmbeddingSource();
        foreach (var e in field.Entrants)
        {
            float skill = e.Score + (float)rng.NextDouble() * 0.5f;
            for (int p = 1; p <= e.Parts; p++)
                source.Add(e.PartId(p), Synthetic.Embedding(rng, 3, T, D, 3, (_, _, k) => k < D / 2 ? signal * skill : 0f));
        }
        return (field, source);
    }

    private static AudioCNNTransformer Model(long seed = 13)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var model = new AudioCNNTransformer(new ProbeHeadConfig(2 * T, D, 2));
        model.eval();
        return model;
    }

    private static CompetitionStudyOptions Fast(IReadOnlyList<FittingSplitMode> fitting, int fitEpochs = 1, PartAggregation aggregation = PartAggregation.MajorityVote) =>
        new(aggregation, fitting, fitEpochs, Training: Synthetic.Fast(1), Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 50));

    [Fact]
    public void PairsAreEveryOrderedPairWithDifferentScoresInBothOrders()
    {
        int[] scores = [0, 0, 0, 1, 1, 2, 3, 4];
        var (field, source) = Field(scores, [1, 2, 1, 2, 2, 1, 2, 2], 0.5f, 1);
        using var model = Model();
        var result = CompetitionStudy.Run(new CompetitionStudyInput("synthetic", field, source, model, "untrained"), Fast([]));

        // 8 x 7 = 56 ordered pairs, less 3 x 2 (score 0) and 2 x 1 (score 1) equal-score ones.
        Assert.Equal(8, result.Field.EqualScorePairsExcluded);
        Assert.Equal(48, result.Field.OrderedPairs);
        Assert.Equal(CompetitionStudy.EqualScoreReason, result.Field.EqualScoreReason);
        var pairs = result.Settings.Single().Pairs;
        Assert.Equal(48, pairs.Count);
        Assert.DoesNotContain(pairs, p => scores[p.First] == scores[p.Second]);
        var ordered = pairs.Select(p => (p.First, p.Second)).ToHashSet();
        Assert.Equal(48, ordered.Count);
        Assert.All(pairs, p => Assert.Contains((p.Second, p.First), ordered));
        Assert.All(pairs, p => Assert.Equal(scores[p.First] > scores[p.Second] ? PairLabel.FirstBetter : PairLabel.SecondBetter, p.Label));
        // Parts compared = the smaller part count of the two.
        Assert.All(pairs, p => Assert.Equal(Math.Min(field.Entrants[p.First].Parts, field.Entrants[p.Second].Parts), p.Parts));
        // Round sizes and score counts come from the manifest.
        Assert.Equal(new[] { 3, 2, 1, 1, 1 }, result.Field.ScoreCounts);
        Assert.Equal(new[] { 5, 3, 2, 1 }, result.Field.RoundSizes);
    }

    [Fact]
    public void PartExamplesPairPartIOfTheFirstWithPartIOfTheSecond()
    {
        var field = CompetitionField.FromManifest(Manifest([0, 1]), "test", id => id == "a0" ? 3 : 2);
        var examples = PairwiseRanker.PartExamples([new CandidatePair(0, 1, PairLabel.SecondBetter), new CandidatePair(1, 0, PairLabel.FirstBetter)], field.Entrants);
        Assert.Equal(new[] { "0|1#1", "0|1#2", "1|0#1", "1|0#2" }, examples.Select(e => e.Id));
        Assert.Equal(new[] { "a0#part2", "a1#part2" }, examples[1].AudioIds);
        Assert.Equal(new[] { "a1#part1", "a0#part1" }, examples[2].AudioIds);
        Assert.Equal(new[] { 1, 1, 0, 0 }, examples.Select(e => e.Label));
    }

    [Fact]
    public void CandidatesWithoutAudioOrScoreAreLeftOutAndNamed()
    {
        var m = Manifest([0, 1, 2, 1]);
        var rows = m.Rows.ToList();
        rows[1] = rows[1] with { Label = null };
        var field = CompetitionField.FromManifest(m with { Rows = rows }, "test", id => id == "a2" ? null : 1);
        Assert.Equal(new[] { "c0", "c3" }, field.Entrants.Select(e => e.Key));
        Assert.Equal(new[] { 0, 1 }, field.Entrants.Select(e => e.Id));
        Assert.Contains(field.Excluded, e => e.Key == "c1" && e.Score is null);
        Assert.Contains(field.Excluded, e => e.Key == "c2" && e.Score == 2 && e.Reason.Contains("a2"));
        // Round sizes count every scored row, with or without audio.
        Assert.Equal(new[] { 1, 1, 1 }, field.ScoreCounts);
        Assert.Equal(new[] { 2, 1 }, field.RoundSizes);
    }

    /// <summary>
    /// Five candidates, scores [0, 1, 0, 2, 1]; the model believes in strengths [5, 1, 4, 3, 2] on every part, except that
    /// in the pair (3, 4) two of three parts favour 3 mildly and one favours 4 strongly. Wins by hand:
    /// games (pairs with a different score, both orders) 6, 6, 6, 8, 6; wins 6, 0, 6, 4, 0 (vote).
    /// Hit rate: wins >= 0: 3 of 5 passed; >= 4: {0, 2, 3}, 1 passed; >= 6: {0, 2}, none; cut-off (3rd best) = 4.
    /// Mean probability turns (3, 4) to candidate 4: wins 6, 0, 6, 3, 1.
    /// </summary>
    [Fact]
    public void WinCountsAndHitRateOfAFiveCandidateFieldMatchTheHandCount()
    {
        int[] scores = [0, 1, 0, 2, 1];
        double[] belief = [5, 1, 4, 3, 2];
        var field = CompetitionField.FromManifest(Manifest(scores), "five", _ => 3);
        var pairs = CompetitionPairs.Build(scores);
        Assert.Equal(16, pairs.Pairs.Length);
        Assert.Equal(4, pairs.EqualScorePairsExcluded);
        var probabilities = pairs.Pairs.Select(p =>
        {
            var m = new double[3, 2];
            for (int i = 0; i < 3; i++)
            {
                double pFirst = belief[p.First] > belief[p.Second] ? 0.9 : 0.1;
                if (p.First == 3 && p.Second == 4) pFirst = i < 2 ? 0.6 : 0.0;
                m[i, PairLabel.FirstBetter] = pFirst;
                m[i, PairLabel.SecondBetter] = 1 - pFirst;
            }
            return m;
        }).ToArray();

        var vote = CompetitionStudy.Outcomes(pairs.Pairs, probabilities, PartAggregation.MajorityVote);
        var ranking = CompetitionStudy.Rank("vote", field, vote, new CompetitionStudyOptions());
        Assert.Equal(new[] { 6, 0, 6, 4, 0 }, ranking.Entrants.Select(e => e.Wins));
        Assert.Equal(new[] { 6, 6, 6, 8, 6 }, ranking.Entrants.Select(e => e.Games));
        Assert.Equal(new[] { 1, 4, 2, 3, 5 }, ranking.Entrants.Select(e => e.Rank));
        Assert.Equal(new[] { 0, 4, 6 }, ranking.HitRate.Points.Select(p => p.Threshold));
        Assert.Equal(new[] { 5, 3, 2 }, ranking.HitRate.Points.Select(p => p.AtOrAbove));
        Assert.Equal(new[] { 3, 1, 0 }, ranking.HitRate.Points.Select(p => p.Passed));
        Assert.Equal(new[] { 0.6, 1.0 / 3, 0.0 }, ranking.HitRate.Points.Select(p => p.HitRate));
        Assert.Equal(4, ranking.HitRate.CutoffThreshold);
        Assert.Equal(new[] { true, false, true, true, false }, ranking.Entrants.Select(e => e.WithinHalf));
        var pair34 = vote.Single(o => o.First == 3 && o.Second == 4);
        Assert.Equal((3, 2, PairLabel.FirstBetter), (pair34.Parts, pair34.FirstVotes, pair34.Predicted));
        Assert.Equal(0.4, pair34.MeanFirstProbability, 12);

        var mean = CompetitionStudy.Outcomes(pairs.Pairs, probabilities, PartAggregation.MeanProbability);
        var meanRanking = CompetitionStudy.Rank("mean", field, mean, new CompetitionStudyOptions());
        Assert.Equal(new[] { 6, 0, 6, 3, 1 }, meanRanking.Entrants.Select(e => e.Wins));
        // Real rounds (1: three passed, 2: one) against the replay keeping the 3 and then 1 most-winning candidates.
        Assert.Equal(new[] { 3, 1 }, ranking.Simulation.RoundSizes);
        Assert.Equal(new[] { 2, 0, 1, 1, 0 }, ranking.Simulation.RoundsPassed);
    }

    [Fact]
    public void FittingByCandidateTestsOnlyCandidatesItDidNotFitOnAndFaithfulTestsAll()
    {
        int[] scores = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 0];
        var (field, source) = Field(scores, Enumerable.Repeat(1, scores.Length).ToArray(), 0.5f, 3);
        using var model = Model();
        var before = PairwiseRanker.Copy(model);
        var result = CompetitionStudy.Run(new CompetitionStudyInput("synthetic", field, source, model, "untrained"),
            Fast([FittingSplitMode.ByCandidate, FittingSplitMode.Faithful]));

        var byCandidate = result.Settings.Single(s => s.Fitting == FittingSplitMode.ByCandidate);
        Assert.Empty(byCandidate.TrainCandidates.Intersect(byCandidate.TestCandidates));
        Assert.Equal(scores.Length, byCandidate.TrainCandidates.Length + byCandidate.TestCandidates.Length);
        Assert.All(byCandidate.Pairs, p => Assert.True(byCandidate.TestCandidates.Contains(p.First) && byCandidate.TestCandidates.Contains(p.Second)));
        Assert.True(byCandidate.TrainPairs > 0);
        Assert.Single(byCandidate.FitCurve);

        // The unfitted model on the same test pairs, for comparison.
        var baseline = result.Settings.Single(s => s.Setting == StudySettings.WithoutFittingOnByCandidateTest);
        Assert.Equal(byCandidate.Pairs.Select(p => (p.First, p.Second)), baseline.Pairs.Select(p => (p.First, p.Second)));

        var faithful = result.Settings.Single(s => s.Fitting == FittingSplitMode.Faithful);
        Assert.Equal(Enumerable.Range(0, scores.Length / 2), faithful.TrainCandidates);
        Assert.Equal(result.Field.OrderedPairs, faithful.Pairs.Count);
        Assert.Equal(CompetitionPairs.Build(scores, Enumerable.Range(0, scores.Length / 2).ToArray()).Pairs.Length, faithful.TrainPairs);

        // Table 4 has a row per setting; the rankings cover the whole field (without fitting, faithful).
        Assert.Equal(new[] { StudySettings.WithoutFitting, StudySettings.WithoutFittingOnByCandidateTest, StudySettings.WithFitting(FittingSplitMode.ByCandidate), StudySettings.WithFitting(FittingSplitMode.Faithful) },
            result.Table4.Select(r => r.Setting));
        Assert.Equal(new[] { StudySettings.WithoutFitting, StudySettings.WithFitting(FittingSplitMode.Faithful) }, result.Ranking.Select(r => r.Setting));

        // Fitting trains a copy: the caller's model keeps its weights.
        var a = model.parameters().Select(p => p.data<float>().ToArray()).ToArray();
        var b = before.parameters().Select(p => p.data<float>().ToArray()).ToArray();
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i]);
    }

    [Fact]
    public void FittingLearnsAPlantedSkillSignalOnUnseenCandidates()
    {
        int[] scores = Enumerable.Range(0, 24).Select(i => i % 5).ToArray();
        var (field, source) = Field(scores, Enumerable.Repeat(2, scores.Length).ToArray(), 0.8f, 7);
        using var model = Model();
        var options = Fast([FittingSplitMode.ByCandidate], fitEpochs: 4) with { Training = Synthetic.Fast(1) with { LearningRate = 2e-3 } };
        var result = CompetitionStudy.Run(new CompetitionStudyInput("synthetic", field, source, model, "untrained"), options);
        var fitted = result.Table4.Single(r => r.Setting == StudySettings.WithFitting(FittingSplitMode.ByCandidate));
        Assert.True(fitted.Accuracy > 0.8, $"by-candidate accuracy after fitting {fitted.Accuracy:F3} (chance 0.5); fit curve " +
            string.Join(", ", result.Settings.Single(s => s.Fitting is not null).FitCurve.Select(e => $"{e.TrainLoss:F3}")));
    }

    [Fact]
    public void ResultsAreWrittenAsJsonAndCsvAndReadBack()
    {
        int[] scores = [0, 1, 0, 2, 1, 3];
        var (field, source) = Field(scores, [1, 1, 2, 1, 1, 1], 0.5f, 4);
        using var model = Model();
        var result = CompetitionStudy.Run(new CompetitionStudyInput("synthetic", field, source, model, "untrained"), Fast([FittingSplitMode.Faithful]));
        using var dir = new TempDir();
        var files = CompetitionResults.Write(result, dir.Path);

        Assert.Contains(files, f => Path.GetFileName(f) == CompetitionResults.JsonFile);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        var back = CompetitionResults.Read(Path.Combine(dir.Path, CompetitionResults.JsonFile));
        Assert.Equal(result.Field.ManifestHash, back.Field.ManifestHash);
        Assert.Equal(64, back.Field.ManifestHash.Length);
        Assert.Equal(result.Config.SplitSeed, back.Config.SplitSeed);
        Assert.Equal(result.Config.TrainingSeed, back.Config.TrainingSeed);
        Assert.Equal(result.Table4, back.Table4);
        Assert.Equal(result.Settings.Select(s => s.Fitting), back.Settings.Select(s => s.Fitting));
        Assert.Equal(result.Settings[0].Pairs, back.Settings[0].Pairs);
        Assert.Equal(result.Ranking[0].Entrants, back.Ranking[0].Entrants);
        Assert.Equal(result.Ranking[0].HitRate.Points, back.Ranking[0].HitRate.Points);

        var table4 = File.ReadAllLines(Path.Combine(dir.Path, CompetitionResults.Table4File));
        Assert.Equal("encoder,setting,candidates,pairs,train_pairs,accuracy,f1,paper_accuracy,paper_f1", table4[0]);
        Assert.Equal(result.Table4.Count + 1, table4.Length);
        var entrants = File.ReadAllLines(Path.Combine(dir.Path, $"entrants-{CompetitionResults.Slug(StudySettings.WithoutFitting)}.csv"));
        Assert.Equal(scores.Length + 1, entrants.Length);
        var hit = File.ReadAllLines(Path.Combine(dir.Path, "hitrate-without-fitting.csv"));
        Assert.Equal(result.Ranking[0].HitRate.Points.Length + 1, hit.Length);
        var pairs = File.ReadAllLines(Path.Combine(dir.Path, "pairs-with-fitting-faithful.csv"));
        Assert.Equal(result.Field.OrderedPairs + 1, pairs.Length);
    }

    [Fact]
    public void PartsCutARecordingIntoFiveMinuteBlocksAndDropAShortTail()
    {
        const int rate = 100;
        // 71 segments of 10 s: parts of 30, 30 and an 11-segment tail (110 s < 150 s: dropped).
        var audio = Segmenter.Split(new float[71 * 10 * rate], rate, new SegmentingOptions(MaxSegments: int.MaxValue));
        var parts = RecordingParts.Split(audio, PartOptions.Paper);
        Assert.Equal(new[] { 30, 30 }, parts.Select(p => p.Count));
        Assert.Equal(3, RecordingParts.Split(audio, PartOptions.Paper with { MinPartSeconds = 100 }).Count);
        Assert.Single(RecordingParts.Split(audio, PartOptions.Paper with { MaxParts = 1 }));
        // A short recording still has its one part.
        var shortAudio = Segmenter.Split(new float[5 * rate], rate, new SegmentingOptions(MaxSegments: int.MaxValue));
        Assert.Single(RecordingParts.Split(shortAudio, PartOptions.Paper));
        Assert.Equal(("abc#x", 12), RecordingParts.Parse(RecordingParts.PartId("abc#x", 12)));
        Assert.Throws<ArgumentException>(() => RecordingParts.Parse("abc"));
    }

    [Fact]
    public void PartEmbeddingsAreCachedPerPartAndReused()
    {
        using var dir = new TempDir();
        const int rate = 24000;
        var mono = new float[75 * rate];
        var rng = new Random(5);
        for (int i = 0; i < mono.Length; i++) mono[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
        string wav = dir.File("rec.wav");
        WavWriter.WriteMono(wav, mono, rate);
        var paths = new DataPaths(dir.File("data"));
        var encoder = new SpectrogramEncoder();
        // Parts of 3 segments: 75 s = 8 segments -> 3, 3, and a 2-segment tail (15 s of audio, kept above 10 s).
        var options = new PartOptions(SegmentsPerPart: 3, MinPartSeconds: 10);
        var cache = CompetitionPartEmbedder.CreateCache(paths, encoder, options);
        var run = new CompetitionPartEmbedder(encoder, cache, options).Run([new EmbeddingJob("rec", wav)]);
        Assert.Equal(1, run.Computed);
        Assert.Equal(3, run.PartCounts["rec"]);
        var source = new CachedEmbeddingSource(cache);
        Assert.Equal(3, source.Load("rec#part2").Segments);
        var tail = source.Load("rec#part3");
        Assert.Equal(new[] { true, true }, tail.Mask);
        var again = new CompetitionPartEmbedder(encoder, cache, options).Run([new EmbeddingJob("rec", wav)]);
        Assert.Equal((1, 3), (again.Cached, again.PartCounts["rec"]));
        var missing = Assert.Throws<KeyNotFoundException>(() => source.Load("rec#part4"));
        Assert.Contains("rec#part4", missing.Message);
    }

    [Fact]
    public void ReleasedDacPredictionsScoreAsCounted()
    {
        var (acc, f1, n) = PaperTable4.ReleasedDac();
        Assert.Equal(8418, n);
        Assert.Equal(4552.0 / 8418, acc, 12);
        // F1 per class: 2 TP / (2 TP + FP + FN) = 4528 / 8394 and 4576 / 8442.
        Assert.Equal((4528.0 / 8394 + 4576.0 / 8442) / 2, f1, 12);
        Assert.All(PaperTable4.Printed, e => Assert.Null(e.Accuracy));
    }
}
