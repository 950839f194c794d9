namespace PianoJudges.Tests.Probing;

using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Reporting;
using PianoJudges.Tests.Support;

/// <summary>The Table 3 runner end to end: cached embeddings on disk -> training -> metrics -> files, and back.</summary>
[Collection("GlobalTorchSeed")]
public class Table3Tests
{
    /// <summary>An expertise manifest whose embeddings carry the level as a planted offset, cached like `embed` does.</summary>
    private static (ProbeDataset Dataset, EmbeddingCache Cache) Setup(TempDir tmp)
    {
        var (cache, manifest) = PlantedExpertise.Write(new DataPaths(tmp.Path), perLevel: 14, seed: 7);
        return (new ProbeDataset("planted", new Dictionary<string, Manifest> { [ManifestTask.Expertise] = manifest }, tmp.Path), cache);
    }

    [Fact]
    public void TrainsFromTheCacheWritesResultsAndEvaluatesTheSavedHeadToTheSameNumbers()
    {
        using var tmp = new TempDir();
        var (dataset, cache) = Setup(tmp);
        var paths = new DataPaths(tmp.Path);
        var options = new Table3Options(Tasks: [ProbeTaskNames.Expertise2], Profile: ProbeProfile.Tiny, Caches: [cache],
            MaxEpochs: 4, Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 200));

        var first = Table3.Run(paths, dataset, options);
        var result = Assert.Single(first.Results);
        Assert.Equal("spectrogram", result.Encoder);
        Assert.True(result.Metrics["accuracy"].Value >= 0.8, $"planted signal not learnt: accuracy {result.Metrics["accuracy"].Value}");
        Assert.InRange(result.Metrics["accuracy"].Value, result.Metrics["accuracy"].Lower, result.Metrics["accuracy"].Upper);
        Assert.Equal(4, result.Curve.Count);
        Assert.Equal(64, result.ManifestSha256.Length);
        string runDir = Directory.GetDirectories(Path.Combine(first.RunsDirectory, "spectrogram", ProbeTaskNames.Expertise2)).Single();
        Assert.True(File.Exists(Path.Combine(runDir, "seed13", "results.json")));
        Assert.Contains("expertise-2way,spectrogram,accuracy,", File.ReadAllText(Path.Combine(runDir, "seed13", "metrics.csv")));

        var evaluated = Assert.Single(Table3.Run(paths, dataset, options with { EvaluateOnly = true }).Results);
        Assert.Equal(result.Metrics["accuracy"].Value, evaluated.Metrics["accuracy"].Value);
        Assert.Equal(result.Metrics["macro_f1"].Value, evaluated.Metrics["macro_f1"].Value);

        var files = Table3Report.Write(first, tmp.File("tables"));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Contains("0.936", File.ReadAllText(files[0])); // the paper's headline number stands beside ours
    }

    [Fact]
    public void EvaluatingARunThatNeverTrainedSaysSo()
    {
        using var tmp = new TempDir();
        var (dataset, cache) = Setup(tmp);
        var options = new Table3Options(Tasks: [ProbeTaskNames.Expertise2], Profile: ProbeProfile.Tiny, Caches: [cache], EvaluateOnly: true);
        var e = Assert.Throws<FileNotFoundException>(() => Table3.Run(new DataPaths(tmp.Path), dataset, options));
        Assert.Contains("best.pt", e.Message);
    }

    [Fact]
    public void DiscoveryPrefersTheDefaultSpectrogramSettingsAndSaysWhenThereWasAChoice()
    {
        using var tmp = new TempDir();
        var paths = new DataPaths(tmp.Path);
        var defaultKey = EmbeddingPipeline.CacheConfigKey(EncoderRegistry.Create(EncoderRegistry.Spectrogram), PianoJudges.Audio.SegmentingOptions.Paper);
        var other = new EmbeddingCache(paths, "spectrogram", "spectrogram;log=db");
        var standard = new EmbeddingCache(paths, "spectrogram", defaultKey);
        other.UpdateIndex(new Dictionary<string, string> { ["a"] = "h1", ["b"] = "h2" });
        standard.UpdateIndex(new Dictionary<string, string> { ["a"] = "h3" });

        var (found, note) = Table3.FindCache(paths, "spectrogram");
        Assert.Equal(standard.Directory, found!.Directory);
        Assert.Contains("2 embedding caches", note);
        var (none, why) = Table3.FindCache(paths, "mert");
        Assert.Null(none);
        Assert.Contains("pianojudges embed --encoder mert", why);
    }
}
