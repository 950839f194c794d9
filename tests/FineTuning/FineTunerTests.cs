namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Weights;
using PianoJudges.FineTuning;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.FineTuning.Dac;
using PianoJudges.Tests.Support;
using static TorchSharp.torch;

/// <summary>Seeds torch's global generator: runs in the non-parallel GlobalTorchSeed collection (tests/Encoders/AudioMaeTests.cs).</summary>
[Collection("GlobalTorchSeed")]
public class FineTunerTests
{
    public FineTunerTests() => FineTuningTestSetup.Initialise();

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to a context) and cancels after a given step.</summary>
    private sealed class StopAfter(long steps, CancellationTokenSource cts) : IProgress<FineTuneProgress>
    {
        public List<FineTuneProgress> Reports { get; } = [];
        public void Report(FineTuneProgress value)
        {
            Reports.Add(value);
            if (value.StepsDone == steps) cts.Cancel();
        }
    }

    /// <summary>A fresh objective whose random initialisation is fixed by the run seed (as the CLI does).</summary>
    private static IFineTuningObjective Make(string encoder, long steps, TrainingPrecision precision = TrainingPrecision.Fp32)
    {
        FineTuner.SeedInitialisation(42);
        return encoder == "audiomae"
            ? new AudioMaePretraining(AudioMaePretrainConfig.Toy, steps, effectiveBatch: 4, precision: precision)
            : new DacCodecTraining(DacTrainingConfig.Toy, precision: precision);
    }

    [Theory]
    [InlineData("audiomae", TrainingPrecision.Fp32)]
    [InlineData("dac", TrainingPrecision.Fp32)]
    [InlineData("dac", TrainingPrecision.Bf16)]
    [InlineData("audiomae", TrainingPrecision.Fp16)]
    public void ResumedRunEqualsUninterruptedRun(string encoder, TrainingPrecision precision)
    {
        using var dir = new TempDir();
        PianoFixture.WriteCorpus(dir.File("corpus"));
        // Mostly silence: DAC's salient excerpt redraws its quiet offsets (drawn from the step's generator too).
        var gap = new float[22050 * 3];
        PianoFixture.Note(64, 0.5, 22050).CopyTo(gap, 22050 * 2);
        WavWriter.WriteMono(Path.Combine(dir.File("corpus"), "gap.wav"), gap, 22050);
        const long steps = 4;
        var options = new FineTuneOptions(dir.File("whole"), steps, BatchSize: 2, AccumulationSteps: 2, CheckpointEvery: 2, Seed: 42);

        using (var objective = Make(encoder, steps, precision))
        {
            var corpus = PianoCorpus.Open(dir.File("corpus"), objective.SampleRate);
            FineTuner.Run(objective, corpus, options);
            if (encoder == "dac") Assert.True(corpus.QuietDraws > 0, "no excerpt was redrawn: the salient-excerpt path is not exercised");
        }

        // Interrupted after 3 steps (between checkpoints: the interruption writes its own), then resumed in a fresh process state.
        var split = options with { OutputDirectory = dir.File("split") };
        using (var cts = new CancellationTokenSource())
        using (var objective = Make(encoder, steps, precision))
        {
            var stop = new StopAfter(3, cts);
            Assert.Throws<OperationCanceledException>(() =>
                FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), objective.SampleRate), split, stop, cts.Token));
            Assert.True(Directory.Exists(Path.Combine(split.OutputDirectory, "checkpoints", "step-00000003")));
        }
        using (var objective = Make(encoder, steps, precision))
        {
            var result = FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), objective.SampleRate), split with { Resume = true });
            Assert.Equal(3, result.StartStep);
            Assert.Equal(4, result.StepsDone);
        }

        using var a = Safetensors.Load(Path.Combine(options.OutputDirectory, "checkpoints", "step-00000004", FineTuner.TrainingStateFile));
        using var b = Safetensors.Load(Path.Combine(split.OutputDirectory, "checkpoints", "step-00000004", FineTuner.TrainingStateFile));
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys) Assert.True(a[key].allclose(b[key], 0, 0), $"{key} differs after resume");
        var logA = FineTuner.ReadLog(Path.Combine(options.OutputDirectory, FineTuner.LogFile));
        var logB = FineTuner.ReadLog(Path.Combine(split.OutputDirectory, FineTuner.LogFile));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (double)i), logB.Select(l => l["step"]));
        Assert.Equal(logA.Select(l => l["loss"]), logB.Select(l => l["loss"]));
        Assert.Equal(logA.Select(l => l["lr"]), logB.Select(l => l["lr"]));
        if (precision == TrainingPrecision.Fp16) Assert.Equal(logA.Select(l => l["loss_scale"]), logB.Select(l => l["loss_scale"]));
        // Only the newest two checkpoint folders are kept.
        Assert.Equal(new[] { "step-00000002", "step-00000004" },
            Directory.GetDirectories(Path.Combine(options.OutputDirectory, "checkpoints")).Select(p => Path.GetFileName(p)!).Order().ToArray());
    }

    [Fact]
    public void RunWritesAnEncoderCheckpointThatTheEncoderLoads()
    {
        using var dir = new TempDir();
        PianoFixture.WriteCorpus(dir.File("corpus"));
        var options = new FineTuneOptions(dir.File("run"), Steps: 3, BatchSize: 2, CheckpointEvery: 2, Seed: 1);
        using var objective = new AudioMaePretraining(AudioMaePretrainConfig.Toy, 3, 2);
        var result = FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), objective.SampleRate), options);
        // As `embed --encoder audiomae --weights encoder.safetensors` opens it.
        using var encoder = AudioMaeEncoder.FromCheckpoint(AudioMaePretrainConfig.Toy.EncoderConfig, result.EncoderCheckpoint);
        var mine = objective.Model.state_dict();
        Assert.All(encoder.Model.state_dict(), kv => Assert.True(kv.Value.allclose(mine[kv.Key], 0, 0), kv.Key));

        var log = FineTuner.ReadLog(result.LogPath);
        Assert.Equal(3, log.Count);
        Assert.All(log, l => Assert.True(l.ContainsKey("loss") && l.ContainsKey("lr") && l.ContainsKey("seconds")));
        Assert.Equal(0.0, log[0]["lr"]); // the warm-up starts at zero

        // A second run into the same folder must be told to resume.
        var error = Assert.Throws<InvalidOperationException>(() => FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), 16000), options));
        Assert.Contains("resume", error.Message);
        var mismatch = Assert.Throws<InvalidDataException>(() =>
            FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), 16000), options with { Resume = true, Seed = 2 }));
        Assert.Contains("seed", mismatch.Message);
    }

    [Fact]
    public void DacRunCheckpointLoadsIntoTheDacEncoder()
    {
        using var dir = new TempDir();
        PianoFixture.WriteCorpus(dir.File("corpus"));
        using var objective = new DacCodecTraining(DacTrainingConfig.Toy);
        var result = FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), objective.SampleRate),
            new FineTuneOptions(dir.File("run"), Steps: 2, BatchSize: 2, Seed: 3));
        using var sd = StateDict.Load(result.EncoderCheckpoint);
        using var encoder = DacEncoder.FromCheckpoint(DacTrainingConfig.Toy.CodecConfig, result.EncoderCheckpoint);
        Assert.Contains(sd.Keys, k => k.StartsWith("decoder.model."));
        Assert.Equal(objective.Generator.state_dict()["encoder.block.0.weight_v"].data<float>().ToArray(),
            encoder.Model.state_dict()["encoder.block.0.weight_v"].data<float>().ToArray());
    }

    [Fact]
    public void CorpusScansFoldersListsAndManifestsAndSkipsWhatItCannotDecode()
    {
        using var dir = new TempDir();
        string root = dir.File("corpus");
        PianoFixture.WriteCorpus(root, files: 3);
        File.WriteAllBytes(Path.Combine(root, "broken.wav"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

        var corpus = PianoCorpus.Open(root, 16000);
        Assert.Equal(new[] { "broken.wav", "piece1.wav", "piece0.wav", "piece2.wav" }, corpus.Files.Select(p => Path.GetFileName(p)!).ToArray());
        Assert.Contains(corpus.Skipped, n => n.Path.EndsWith("README.txt") && n.Problem.Contains("not an audio file"));
        Assert.Contains(corpus.Skipped, n => n.Path.EndsWith("take.flac") && n.Problem.Contains("convert"));

        // Draws are fixed by the seed; the broken file is dropped with a note when it is drawn.
        static ExcerptRequest Uniform(int count, int samples) => new(ExcerptSampling.Uniform, 0, count, 0, count, samples);
        var first = corpus.Draw(Uniform(12, 8000), new SplitMix64(9));
        var second = PianoCorpus.Open(root, 16000).Draw(Uniform(12, 8000), new SplitMix64(9));
        Assert.All(first, x => Assert.Equal(8000, x.Length));
        Assert.Equal(first.SelectMany(x => x), second.SelectMany(x => x));
        Assert.Contains(corpus.Skipped, n => n.Path.EndsWith("broken.wav"));
        Assert.DoesNotContain(corpus.Files, f => f.EndsWith("broken.wav"));
        // 1.5 s files at 16 kHz are shorter than a 2 s crop: zero-padded.
        var padded = corpus.Draw(Uniform(1, 32000), new SplitMix64(1))[0];
        Assert.Equal(0f, padded[^1]);
        Assert.Contains(padded.Take(24000), v => v != 0);

        File.WriteAllText(dir.File("list.txt"), "# piano\ncorpus/piece0.wav\n\ncorpus/missing.wav\ncorpus/nested/piece1.wav\n");
        var listed = PianoCorpus.Open(dir.File("list.txt"), 16000);
        Assert.Equal(2, listed.Files.Count);
        Assert.Contains(listed.Skipped, n => n.Problem.Contains("line 4"));

        // A task manifest: its audio is found under the given root (AudioLocator); rows without audio are noted.
        ManifestIO.Write(dir.File("expertise.csv"), new Manifest("test rows", new List<ManifestRow>
        {
            new("r1", "piece0", ManifestTask.Expertise, 1, null, "g1", "train", null, "test", null),
            new("r2", "absent", ManifestTask.Expertise, 2, null, "g2", "train", null, "test", null),
        }));
        var fromManifest = PianoCorpus.Open(dir.File("expertise.csv"), 16000, audioRoot: root);
        Assert.Equal("piece0.wav", Path.GetFileName(Assert.Single(fromManifest.Files)));
        Assert.Contains(fromManifest.Skipped, n => n.Path == "absent");

        Assert.Single(PianoCorpus.Open(Path.Combine(root, "piece0.wav"), 16000).Files);
        Assert.Throws<InvalidDataException>(() => PianoCorpus.Open(Path.Combine(root, "nested", "take.flac"), 16000));
        File.WriteAllBytes(dir.File("binary.lst"), [0x50, 0, 0x51, 10]);
        Assert.Contains("line 1", Assert.Throws<InvalidDataException>(() => PianoCorpus.Open(dir.File("binary.lst"), 16000)).Message);
        Assert.Throws<FileNotFoundException>(() => PianoCorpus.Open(dir.File("nowhere"), 16000));
    }
}
