namespace PianoJudges.Tests.Probing;

using PianoJudges.Data;
using PianoJudges.Probing;
using PianoJudges.Reporting;
using PianoJudges.Tests.Support;

/// <summary>Table 3 with embeddings of pretrained and fine-tuned weights of one encoder: two rows, two run folders, no mixing.</summary>
[Collection("GlobalTorchSeed")]
public class Table3FineTunedTests
{
    [Fact]
    public void PretrainedAndFineTunedCachesGiveTwoRowsSideBySideInTheirOwnRunFolders()
    {
        using var tmp = new TempDir();
        var paths = new DataPaths(tmp.Path);
        // Same recordings, same manifest; the "fine-tuned" embeddings carry a different draw (another seed), as new weights would.
        var (_, manifest) = PlantedExpertise.Write(paths, perLevel: 14, seed: 1, encoder: "audiomae", configKey: "audiomae|weights=released");
        PlantedExpertise.Write(paths, perLevel: 14, seed: 2, encoder: "audiomae-ft", configKey: "audiomae|weights=encoder.safetensors@run1");
        PlantedExpertise.Write(paths, perLevel: 14, seed: 1, encoder: "spectrogram");
        var dataset = new ProbeDataset("planted", new Dictionary<string, Manifest> { [ManifestTask.Expertise] = manifest }, tmp.Path);
        var options = new Table3Options(Tasks: [ProbeTaskNames.Expertise2], Profile: ProbeProfile.Tiny, MaxEpochs: 2,
            Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 50));

        var all = Table3.Run(paths, dataset, options);
        Assert.Equal(["spectrogram", "audiomae", "audiomae-ft"], all.Results.Select(r => r.Encoder));
        Assert.DoesNotContain(all.Skipped, s => s.StartsWith("dac-ft", StringComparison.Ordinal)); // a variant nobody made is not a note
        Assert.NotEqual(all.Results[1].Curve[0].TrainLoss, all.Results[2].Curve[0].TrainLoss);
        foreach (var encoder in new[] { "audiomae", "audiomae-ft" })
        {
            string results = Directory.GetFiles(Path.Combine(all.RunsDirectory, encoder, ProbeTaskNames.Expertise2), "results.json", SearchOption.AllDirectories).Single();
            Assert.Contains($"\"Encoder\": \"{encoder}\"", File.ReadAllText(results));
            Assert.Contains($"expertise-2way,{encoder},accuracy,", File.ReadAllText(Path.Combine(Path.GetDirectoryName(results)!, "metrics.csv")));
        }
        var headline = Table3Report.Headline(all);
        Assert.Equal(["spectrogram", "audiomae", "audiomae-ft"], headline.Rows.Select(r => (string)r[0]!));

        var selected = Table3.Run(paths, dataset, options with { Encoders = ["audiomae-ft", "audiomae"] });
        Assert.Equal(["audiomae-ft", "audiomae"], selected.Results.Select(r => r.Encoder)); // probed as asked …
        Assert.Equal(["audiomae", "audiomae-ft"], Table3.Rows(selected).Select(r => r.Encoder).Distinct()); // … shown side by side
    }

    [Fact]
    public void SeveralFineTunedCachesAreNotMergedTheNewestIsProbedWithANote()
    {
        using var tmp = new TempDir();
        var paths = new DataPaths(tmp.Path);
        var (older, _) = PlantedExpertise.Write(paths, perLevel: 2, seed: 1, encoder: "dac-ft", configKey: "dac|weights=encoder.safetensors@run1");
        var (newer, _) = PlantedExpertise.Write(paths, perLevel: 1, seed: 2, encoder: "dac-ft", configKey: "dac|weights=encoder.safetensors@run2");
        File.SetLastWriteTimeUtc(older.IndexPath, DateTime.UtcNow.AddHours(-1));

        var (found, note) = Table3.FindCache(paths, "dac-ft");
        Assert.Equal(newer.Directory, found!.Directory); // although the older one has more entries
        Assert.Contains("2 embedding caches of fine-tuned weights", note);
        Assert.Contains("encoder.safetensors@run2", note);

        var (none, why) = Table3.FindCache(paths, "audiomae-ft");
        Assert.Null(none);
        Assert.Contains("pianojudges finetune --encoder audiomae", why);
    }
}
