namespace PianoJudges.Tests.Synthesis;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Synthesis;

[Collection(SynthCollection.Name)]
public sealed class PldSynthTests(SynthFixture fx)
{
    private static IEnumerable<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal);

    [Fact]
    public void SameSeedGivesByteIdenticalFiles_AndOtherSeedDiffers()
    {
        var b = new DataPaths(Path.Combine(fx.Temp, "b"));
        PldSynth.Generate(b, fx.Tiny, samples: fx.Samples);
        string rootA = fx.Output.PldSynth(PldSynthSizes.Tiny), rootB = b.PldSynth(PldSynthSizes.Tiny);
        var files = Files(rootA).ToList();
        Assert.Equal(files, Files(rootB));
        Assert.Contains(files, f => f.EndsWith(".wav", StringComparison.Ordinal));
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(rootA, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(rootB, f))), $"{f} differs between two runs with the same seed");

        // Another seed: other labels draws, other audio (two recordings are enough to show it).
        var other = PldSynth.Plan(fx.Tiny with { Seed = fx.Tiny.Seed + 1 });
        var same = PldSynth.Plan(fx.Tiny);
        foreach (int i in new[] { 0, 20 })
        {
            var x = PldSynth.RenderItem(other[i], fx.Samples, fx.Tiny.Seed + 1);
            var y = PldSynth.RenderItem(same[i], fx.Samples, fx.Tiny.Seed);
            Assert.False(x.AsSpan().SequenceEqual(y), $"{same[i].Row.Id} is the same with seeds {fx.Tiny.Seed} and {fx.Tiny.Seed + 1}");
        }
    }

    [Fact]
    public void RerunSkipsExistingRecordings_AndRendersOnlyMissingOnes()
    {
        var paths = new DataPaths(Path.Combine(fx.Temp, "rerun"));
        var config = fx.Tiny with { ExpertisePerLevel = [1, 1, 1], DifficultyPerGrade = [1, 0, 0, 0, 0, 0, 0, 0, 1], TechniqueClips = 2 };
        var first = PldSynth.Generate(paths, config, samples: fx.Samples);
        Assert.Equal(first.Recordings, first.Rendered);
        string audio = Path.Combine(paths.PldSynth(config.Size), "audio");
        var stamps = Directory.GetFiles(audio).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        string victim = Directory.GetFiles(audio).Order(StringComparer.Ordinal).First();
        File.Delete(victim);
        var second = PldSynth.Generate(paths, config, samples: fx.Samples);
        Assert.Equal(1, second.Rendered);
        Assert.True(File.Exists(victim));
        foreach (var (f, t) in stamps.Where(kv => kv.Key != victim))
            Assert.Equal(t, File.GetLastWriteTimeUtc(f));
        var third = PldSynth.Generate(paths, config, samples: fx.Samples);
        Assert.Equal(0, third.Rendered);
    }

    [Fact]
    public void ManifestsFollowTheSchema_AndAudioIsSaneAndAsLongAsListed()
    {
        Assert.Equal(3, fx.TinyResult.Manifests.Count);
        string audioDir = Path.Combine(fx.Output.PldSynth(PldSynthSizes.Tiny), "audio");
        var counts = new Dictionary<string, int>();
        foreach (var (task, path) in fx.TinyResult.Manifests)
        {
            var manifest = ManifestIO.Read(path);
            counts[task] = manifest.Rows.Count;
            Assert.All(manifest.Rows, r => Assert.Equal(PldSynth.Source, r.Source));
            Assert.All(manifest.Rows, r => Assert.NotNull(r.Split));
            foreach (var row in manifest.Rows)
            {
                var clip = AudioReader.Read(Path.Combine(audioDir, row.AudioId + ".wav"));
                Assert.Equal(PldSynth.OutputSampleRate, clip.SampleRate);
                Assert.Single(clip.Channels);
                Assert.InRange(clip.DurationSeconds, row.DurationSeconds!.Value - 0.001, row.DurationSeconds.Value + 0.001);
                var x = clip.Channels[0];
                Assert.All(x, v => Assert.True(float.IsFinite(v) && v is >= -1f and <= 1f));
                double rms = Math.Sqrt(x.Average(v => (double)v * v));
                Assert.True(rms > 3e-3, $"{row.Id} is nearly silent (RMS {rms:g3})");
            }
        }
        Assert.Equal(fx.Tiny.ExpertisePerLevel.Sum(), counts[ManifestTask.Expertise]);
        Assert.Equal(fx.Tiny.DifficultyPerGrade.Sum(), counts[ManifestTask.Difficulty]);
        Assert.Equal(fx.Tiny.TechniqueClips, counts[ManifestTask.Technique]);
        // Difficulty rows of one piece never cross splits: group = piece id.
        var diff = ManifestIO.Read(fx.TinyResult.Manifests[ManifestTask.Difficulty]);
        Assert.All(diff.Rows.GroupBy(r => r.Group), g => Assert.Single(g.Select(r => r.Split).Distinct()));
    }

    [Fact]
    public void TechniqueLabelSetsFollowTheConfiguredProportions()
    {
        var reference = PldPaperCounts.TechniqueCombinations;
        int refTotal = reference.Sum(c => c.Count);
        foreach (var size in new[] { PldSynthSizes.Small, PldSynthSizes.Paper })
        {
            var config = PldSynthConfig.ForSize(size);
            var rows = PldSynth.Plan(config).Where(x => x.Row.Task == ManifestTask.Technique).Select(x => x.Row).ToList();
            Assert.Equal(config.TechniqueClips, rows.Count);
            double tolerance = size == PldSynthSizes.Paper ? 0.006 : 0.03;
            for (int k = 0; k < Techniques.Names.Count; k++)
            {
                double expected = reference.Where(c => c.Labels[k] == '1').Sum(c => c.Count) / (double)refTotal;
                double actual = rows.Count(r => r.LabelVector[k]) / (double)rows.Count;
                Assert.True(Math.Abs(expected - actual) <= tolerance, $"{size}: {Techniques.Names[k]} on {actual:P1} of clips, configured {expected:P1}");
            }
            double multi = rows.Count(r => r.LabelVector.Count(v => v) > 1) / (double)rows.Count;
            double refMulti = reference.Where(c => c.Labels.Count(ch => ch == '1') > 1).Sum(c => c.Count) / (double)refTotal;
            Assert.True(Math.Abs(multi - refMulti) <= tolerance, $"{size}: {multi:P1} multi-label clips, configured {refMulti:P1}");
        }
    }

    [Fact]
    public void CompetitionRoundsShrinkAsConfigured_AndFavourSkill()
    {
        var config = CompetitionConfig.ForSize(PldSynthSizes.Tiny);
        var result = PldSynth.GenerateCompetition(fx.Output, config, samples: fx.Samples);
        var manifest = ManifestIO.Read(result.Manifests[ManifestTask.Icpc2015]);
        Assert.Equal(config.Candidates, manifest.Rows.Count);
        var sizes = config.StageSizes;
        for (int r = 0; r < sizes.Count; r++)
            Assert.Equal(sizes[r], manifest.Rows.Count(x => x.Label > r));
        var prizes = manifest.Rows.Where(x => x.Extra!.ContainsKey("prize")).ToList();
        Assert.Equal(Math.Min(CompetitionConfig.Prizes, sizes[^1]), prizes.Count);
        Assert.All(prizes, x => Assert.Equal(4, x.Label));
        // Over a paper-sized field (planning only), more rounds go with more skill.
        var field = PldSynth.PlanCompetition(CompetitionConfig.ForSize(PldSynthSizes.Small));
        Assert.Equal(CompetitionConfig.PaperField, field.Count);
        double Skill(PldItem x) => double.Parse(x.Row.Extra!["skill"], System.Globalization.CultureInfo.InvariantCulture);
        var finalists = field.Where(x => x.Row.Label == 4).Select(Skill).Average();
        var out0 = field.Where(x => x.Row.Label == 0).Select(Skill).Average();
        Assert.True(finalists > out0 + 0.03, $"finalists' mean skill {finalists:0.000} vs eliminated {out0:0.000}");
        Assert.All(field, x => Assert.InRange(Skill(x), 0.7, 1.0));
    }

    [Fact]
    public void MissingNpmGivesAClearError()
    {
        var empty = new DataPaths(Path.Combine(fx.Temp, "no-samples"));
        var e = Assert.Throws<InvalidOperationException>(() => SalamanderSamples.EnsureLayer(empty, 7, npm: "npm-that-does-not-exist-" + Guid.NewGuid().ToString("N")));
        Assert.Contains("npm is required to fetch the piano samples", e.Message);
        Assert.False(Directory.Exists(SalamanderSamples.LayerDirectory(empty, 7)), "a failed fetch must not leave a layer folder behind");
    }

    [Fact]
    public void ExpertiseLevelsPlayRepertoireOfSeparateGrades_AndSmallFillsTheHeadsSegments()
    {
        var small = PldSynthConfig.ForSize(PldSynthSizes.Small);
        var expertise = PldSynth.Plan(small).Where(x => x.Row.Task == ManifestTask.Expertise).ToList();
        for (int l = 0; l + 1 < 3; l++)
        {
            int top = expertise.Where(x => x.Row.Label == l).Max(x => x.Grade);
            int next = expertise.Where(x => x.Row.Label == l + 1).Min(x => x.Grade);
            Assert.True(top < next, $"level {l} plays up to grade {top}, level {l + 1} from grade {next}: the levels' repertoire overlaps");
        }
        // Every test split holds enough recordings per class for a ranking accuracy worth reading (>= 20 pairs per level pair).
        Assert.All(Enumerable.Range(0, 3), l => Assert.True(expertise.Count(x => x.Row.Label == l && x.Row.Split == "test") >= 20));
        Assert.All(PldSynth.Plan(small), x => Assert.True(x.Seconds >= 10, $"{x.Row.Id} is {x.Seconds} s, shorter than one 10 s segment"));
    }

    [Fact]
    public void TyingRecordingsToLevelMakesQualityFollowTheLabel()
    {
        double Quality(PldItem x) => x.RecordingQuality ?? double.NaN;
        var tied = PldSynth.Plan(PldSynthConfig.ForSize(PldSynthSizes.Small) with { TieRecordingToLevel = true })
            .Where(x => x.Row.Task == ManifestTask.Expertise).ToList();
        var means = Enumerable.Range(0, 3).Select(l => tied.Where(x => x.Row.Label == l).Average(Quality)).ToList();
        Assert.True(means[0] + 0.3 < means[1] && means[1] + 0.3 < means[2], $"mean recording quality per level: {string.Join(", ", means.Select(m => m.ToString("0.00")))}");
        Assert.All(PldSynth.Plan(fx.Tiny), x => Assert.Null(x.RecordingQuality));
    }
}

public sealed class PldSynthConfigTests
{
    [Fact]
    public void BadConfigsAreRefusedWithTheFieldNamed()
    {
        Assert.Contains("unknown PLD-synth size 'huge'", Assert.Throws<ArgumentException>(() => PldSynthConfig.ForSize("huge")).Message);
        var tiny = PldSynthConfig.ForSize(PldSynthSizes.Tiny);
        Assert.Contains("grades 1..9", Assert.Throws<ArgumentException>(() => PldSynth.Plan(tiny with { DifficultyPerGrade = [1, 2] })).Message);
        Assert.Contains("'0000000'", Assert.Throws<ArgumentException>(() => PldSynth.Plan(tiny with { TechniqueCombinations = [("0000000", 3)] })).Message);
        Assert.Contains("layer 17", Assert.Throws<ArgumentOutOfRangeException>(() => PldSynth.Plan(tiny with { Samples = new SalamanderOptions([17]) })).Message);
    }
}
