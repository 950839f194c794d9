namespace PianoJudges.Tests.Competition;

using PianoJudges.Competition;
using PianoJudges.Data;
using PianoJudges.Probing;
using PianoJudges.Synthesis;
using PianoJudges.Tests.Synthesis;

/// <summary>
/// The whole workflow once, through rendered audio: a tiny synthetic competition (8 candidates, 3-4 s recitals) and
/// the tiny PLD-synth expertise set (already rendered by the synthesis fixture) with real Salamander samples, the
/// spectrogram encoder, one epoch of expertise training and one of fitting.
/// </summary>
[Collection(SynthCollection.Name)]
public class StudyEndToEndTests(SynthFixture fixture)
{
    [Fact]
    public void TinySyntheticCompetitionRunsEndToEndAndReusesItsCaches()
    {
        var paths = fixture.Output;
        var tiny = CompetitionConfig.ForSize(PldSynthSizes.Tiny);
        var config = tiny with { Name = tiny.Name + "-8", Candidates = 8 };
        var training = ProbePresets.Ranking with { BatchSize = 4, MemoryBudgetBytes = 400L << 20, Device = "cpu", Patience = null };
        var options = new CompetitionWorkflowOptions(Size: PldSynthSizes.Tiny, Synthetic: config, ExpertiseEpochs: 1, ExpertiseTraining: training,
            Study: new CompetitionStudyOptions(FitEpochs: 1, Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 50)));
        var logs = new List<string>();
        var result = CompetitionWorkflow.Run(paths, options, log: logs.Add, samples: fixture.Samples);

        var manifest = ManifestIO.Read(Path.Combine(paths.PldSynth(config.Name), "manifests", "icpc2015.csv"));
        int[] scores = manifest.Rows.Select(r => r.Label!.Value).ToArray();
        Assert.Equal(config.Candidates, result.Study.Field.Candidates);
        Assert.Empty(result.WithoutAudio);
        Assert.Equal(config.Candidates, result.PartEmbedding.Computed);
        Assert.All(result.PartEmbedding.PartCounts.Values, n => Assert.Equal(1, n));
        int equal = scores.GroupBy(s => s).Sum(g => g.Count() * (g.Count() - 1));
        Assert.Equal(equal, result.Study.Field.EqualScorePairsExcluded);
        Assert.Equal(scores.Length * (scores.Length - 1) - equal, result.Study.Field.OrderedPairs);
        Assert.Equal(config.StageSizes, result.Study.Field.RoundSizes);
        Assert.Equal(4, result.Study.Table4.Count);
        Assert.All(result.Study.Table4, r => Assert.InRange(r.Accuracy, 0, 1));
        Assert.Single(result.Model.Curve);
        Assert.True(File.Exists(Path.Combine(result.OutputDirectory, CompetitionResults.JsonFile)));
        string workflow = File.ReadAllText(Path.Combine(result.OutputDirectory, CompetitionWorkflow.WorkflowFile));
        Assert.Contains(result.Study.Field.ManifestHash, workflow);
        Assert.Contains($"\"Seed\": {config.Seed}", workflow);
        Assert.Equal(result.Study.Table4, CompetitionResults.Read(Path.Combine(result.OutputDirectory, CompetitionResults.JsonFile)).Table4);

        // A second run renders, embeds and trains nothing new, and finds the same predictions.
        string checkpoint = Path.Combine(result.Model.Origin, "last.ckpt");
        var written = File.GetLastWriteTimeUtc(checkpoint);
        var again = CompetitionWorkflow.Run(paths, options with { Study = options.Study! with { Fitting = [] } }, samples: fixture.Samples);
        Assert.Equal(config.Candidates, again.PartEmbedding.Cached);
        Assert.Equal(result.Model.Origin, again.Model.Origin);
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(result.Study.Settings[0].Pairs, again.Study.Settings[0].Pairs);
    }
}
