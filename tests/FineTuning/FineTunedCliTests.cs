namespace PianoJudges.Tests.FineTuning;

using System.Text.Json.Nodes;
using PianoJudges.Data;
using PianoJudges.Synthesis;
using PianoJudges.Tests.Reliability;
using PianoJudges.Tests.Support;

/// <summary>PLD-synth tiny, made once with `pianojudges synth` for the tests below (their data folder).</summary>
public sealed class TinySynthFolder : IDisposable
{
    private readonly TempDir dir = new();

    public TinySynthFolder()
    {
        // The Salamander samples are fetched once per machine (as the synthesis tests do) and shared through a link.
        var shared = DataPaths.Resolve();
        _ = new SalamanderSamples(shared, PldSynthConfig.ForSize(PldSynthSizes.Tiny).Samples with { SampleRate = PldSynth.OutputSampleRate });
        Directory.CreateSymbolicLink(System.IO.Path.Combine(dir.Path, "samples"), shared.Samples);
        var synth = Cli.Run(dir.Path, "synth", "--size", "tiny");
        if (synth.ExitCode != 0) throw new InvalidOperationException("synth --size tiny failed: " + synth.Tail());
    }

    public string Path => dir.Path;
    public string Audio => System.IO.Path.Combine(dir.Path, "pld-synth", "tiny", "audio");
    public string Expertise => System.IO.Path.Combine(dir.Path, "pld-synth", "tiny", "manifests", "expertise.csv");

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// The fine-tuning path as a user runs it (the built CLI as processes): finetune → embed --weights &lt;run&gt; (no other
/// flag: the checkpoint says which model it is) → table3 with the pretrained and fine-tuned rows side by side.
/// At toy size the "pretrained" row is the run's own starting point (encoder-start.safetensors, step 0): the same model
/// and front end, differing only by the fine-tuning steps.
/// </summary>
public class FineTunedCliTests(TinySynthFolder data) : IClassFixture<TinySynthFolder>
{
    private static ProcessResult Ok(string dataDir, params string[] args)
    {
        var r = Cli.Run(dataDir, args);
        Assert.True(r.ExitCode == 0, $"pianojudges {string.Join(' ', args)} exited {r.ExitCode}: {r.Tail()}");
        return r;
    }

    [Fact]
    public void AudioMaeFineTunedAtToySizeIsEmbeddedAndProbedBesideItsStartingPoint()
    {
        string run = System.IO.Path.Combine(data.Path, "runs", "ft-audiomae");
        Ok(data.Path, "finetune", "--encoder", "audiomae", "--size", "toy", "--steps", "3", "--corpus", data.Audio, "--out", run, "--threads", "1");
        var before = Ok(data.Path, "embed", "--encoder", "audiomae", "--weights", System.IO.Path.Combine(run, "encoder-start.safetensors"), "--manifest", data.Expertise);
        var after = Ok(data.Path, "embed", "--encoder", "audiomae", "--weights", run, "--manifest", data.Expertise);
        Assert.Contains(System.IO.Path.Combine("embeddings", "audiomae") + System.IO.Path.DirectorySeparatorChar, Cli.Flat(before));
        Assert.Contains(System.IO.Path.Combine("embeddings", "audiomae-ft") + System.IO.Path.DirectorySeparatorChar, Cli.Flat(after));

        var table = Ok(data.Path, "table3", "--dataset", "pld-synth:tiny", "--profile", "tiny", "--task", "expertise-2way", "--encoders", "audiomae,audiomae-ft");
        string csv = File.ReadAllText(System.IO.Path.Combine(data.Path, "runs", "pld-synth-tiny", "tiny", "table3.csv"));
        int pretrainedRow = csv.IndexOf("\naudiomae,expertise-2way,accuracy,", StringComparison.Ordinal);
        int fineTunedRow = csv.IndexOf("\naudiomae-ft,expertise-2way,accuracy,", StringComparison.Ordinal);
        Assert.True(pretrainedRow > 0 && fineTunedRow > pretrainedRow, csv); // both rows, side by side
        Assert.Contains("audiomae-ft", Cli.Flat(table));

        JsonNode Results(string encoder) => JsonNode.Parse(File.ReadAllText(Directory.GetFiles(
            System.IO.Path.Combine(data.Path, "runs", "pld-synth-tiny", "tiny", encoder, "expertise-2way"), "results.json", SearchOption.AllDirectories).Single()))!;
        var (p, f) = (Results("audiomae"), Results("audiomae-ft"));
        Assert.Equal(("audiomae", "audiomae-ft"), ((string?)p["Encoder"], (string?)f["Encoder"]));
        Assert.Contains("len=64|mels=32|d=32x2", (string?)f["EncoderConfig"]); // the toy model, read from the checkpoint
        Assert.Contains("weights=encoder-start.safetensors@", (string?)p["EncoderConfig"]);
        Assert.Contains("weights=encoder.safetensors@", (string?)f["EncoderConfig"]);
        // Different embeddings: the probes trained on them differ from the first epoch on.
        Assert.NotEqual((double)p["Curve"]![0]!["TrainLoss"]!, (double)f["Curve"]![0]!["TrainLoss"]!);
    }

    [Fact]
    public void DacFineTunedAtToySizeIsEmbeddedUnderItsOwnNameAndOtherEncodersRefuseIt()
    {
        string run = System.IO.Path.Combine(data.Path, "runs", "ft-dac");
        Ok(data.Path, "finetune", "--encoder", "dac", "--size", "toy", "--steps", "2", "--corpus", data.Audio, "--out", run, "--threads", "1");
        Ok(data.Path, "embed", "--encoder", "dac", "--weights", run, "--manifest", data.Expertise, "--max-segments", "1");
        var cache = Assert.Single(EmbeddingCache.Discover(new DataPaths(data.Path), "dac-ft"));
        Assert.Contains("dac|sr=8000|", cache.ConfigKey); // the toy codec at 8 kHz, from the checkpoint's metadata
        var index = cache.ReadIndex();
        Assert.Equal(9, index.Count);
        Assert.True(cache.TryRead(index.Values.First(), out var embedding, out _));
        Assert.Equal(32, embedding!.Dim); // the toy latent (8 channels x 2^2 blocks)

        var wrong = Cli.Run(data.Path, "embed", "--encoder", "audiomae", "--weights", run, "--manifest", data.Expertise);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("holds fine-tuned dac weights, not audiomae; use --encoder dac", Cli.Flat(wrong));
    }
}
