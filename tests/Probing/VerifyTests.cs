namespace PianoJudges.Tests.Probing;

using System.Text.Json.Nodes;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Tests.Support;

/// <summary>`verify`: a Table 3 result re-run from its recorded dataset, cache, seed and options matches bit for bit,
/// a tampered number is named, and missing inputs are said to be missing.</summary>
[Collection("GlobalTorchSeed")]
public class VerifyTests
{
    [Fact]
    public void ARerunMatchesBitForBit_ATamperedMetricIsNamed_AMissingCacheCannotBeVerified()
    {
        using var tmp = new TempDir();
        var paths = new DataPaths(tmp.Path);
        var (dataset, cache) = PlantedExpertise.WriteDataset(paths);
        var options = new Table3Options(Tasks: [ProbeTaskNames.Expertise2], Profile: ProbeProfile.Tiny, Caches: [cache],
            MaxEpochs: 3, Bootstrap: new PianoJudges.Metrics.BootstrapOptions(Resamples: 100));
        var run = Table3.Run(paths, dataset, options);
        var result = Assert.Single(run.Results);
        Assert.Equal("pld-synth:planted", result.Dataset);
        Assert.Contains("libtorch", result.Libraries!.Keys);
        string runDir = Path.Combine(Directory.GetDirectories(Path.Combine(run.RunsDirectory, "spectrogram", ProbeTaskNames.Expertise2)).Single(), "seed13");
        string resultsPath = Path.Combine(runDir, "results.json");
        var before = Directory.GetFiles(runDir).ToDictionary(f => f, File.ReadAllBytes);

        var match = ResultVerification.Verify(paths, resultsPath);
        Assert.True(match.Verdict == VerificationVerdict.Match, string.Join("; ", match.Differences.Append(match.Problem ?? "")));
        Assert.Equal(0, match.ExitCode);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(runDir).Order()); // the original run is untouched
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));

        var json = JsonNode.Parse(File.ReadAllText(resultsPath))!;
        double accuracy = json["Metrics"]!["accuracy"]!["Value"]!.GetValue<double>();
        json["Metrics"]!["accuracy"]!["Value"] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(accuracy) + 1); // one ulp
        string tampered = tmp.File("tampered.json");
        File.WriteAllText(tampered, json.ToJsonString());
        var mismatch = ResultVerification.Verify(paths, tampered);
        Assert.Equal(VerificationVerdict.Mismatch, mismatch.Verdict);
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("metric accuracy value", Assert.Single(mismatch.Differences));

        Directory.Delete(cache.Directory, recursive: true);
        var missing = ResultVerification.Verify(paths, resultsPath);
        Assert.Equal(VerificationVerdict.CannotVerify, missing.Verdict);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("planted-signal-v1", missing.Problem);
    }
}
