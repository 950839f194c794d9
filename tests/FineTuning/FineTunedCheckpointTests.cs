namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Encoders;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Weights;
using PianoJudges.FineTuning;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.FineTuning.Dac;
using PianoJudges.Tests.Support;
using static TorchSharp.torch;

/// <summary>
/// encoder.safetensors describes itself: `embed --encoder X --weights <run>` builds the model the run trained (toy or
/// real) from the checkpoint's metadata and names its embeddings X-ft, with no other flag.
/// </summary>
[Collection("GlobalTorchSeed")]
public class FineTunedCheckpointTests
{
    public FineTunedCheckpointTests() => FineTuningTestSetup.Initialise();

    private static bool Foreign(string key) =>
        key.StartsWith("decoder_", StringComparison.Ordinal) || key == "mask_token";

    [Fact]
    public void RealSizeAudioMaeCheckpointLoadsThroughTheRegistryWithItsConfigAndEveryEncoderKey()
    {
        using var dir = new TempDir();
        string file = dir.File(FineTuner.EncoderFile);
        var options = new FineTuneOptions(dir.Path, Steps: 10, BatchSize: 2, Seed: 5, Corpus: "piano/");
        Tensor qkv;
        using (var objective = FineTuningObjectives.Create("audiomae", FineTuningSize.Real, options.Steps, 2, CPU))
        {
            FineTuner.SaveEncoder(objective, file, options, stepsDone: 4); // the code path of every checkpoint of a run
            qkv = ((AudioMaePretraining)objective).Model.state_dict()["blocks.11.attn.qkv.weight"].clone();
        }

        var meta = FineTunedCheckpoint.Read(file)!;
        Assert.Equal(("audiomae", "real", FineTunedCheckpoint.AudioMaeLayout, 4L, 10L, 5UL, "piano/", "random"),
            (meta.Encoder, meta.Size, meta.Layout, meta.StepsDone, meta.TotalSteps, meta.Seed, meta.Corpus, meta.StartingWeights));

        // The run folder is enough: the registry finds encoder.safetensors and builds the models_mae encoder (final norm).
        using var encoder = Assert.IsType<AudioMaeEncoder>(EncoderRegistry.Create("audiomae", new EncoderOptions(Weights: dir.Path)));
        Assert.Equal(AudioMaeConfig.OriginalPretrained, encoder.Model.Config);
        Assert.Equal(AudioMaeEncoder.Describe(AudioMaeConfig.OriginalPretrained) with { Name = "audiomae-ft" }, encoder.Info);
        var keys = Safetensors.ReadIndex(file).Select(k => k.Name).ToList();
        var report = encoder.LoadReport!;
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(keys.Where(k => !Foreign(k)).Order(), report.Loaded.Order()); // every encoder key is used …
        Assert.Contains(keys, Foreign); // … and only the decoder's are left
        Assert.True(qkv.eq(encoder.Model.state_dict()["blocks.11.attn.qkv.weight"]).all().item<bool>());
        Assert.Contains("weights=encoder.safetensors@", encoder.ConfigKey);
    }

    [Fact]
    public void ToyRunsWriteTheirConfigAndTheStartingWeightsForBothEncoders()
    {
        using var dir = new TempDir();
        PianoFixture.WriteCorpus(dir.File("corpus"));
        foreach (string name in new[] { "audiomae", "dac" })
        {
            string run = dir.File($"run-{name}");
            var options = new FineTuneOptions(run, Steps: 2, BatchSize: 2, Seed: 3, Corpus: dir.File("corpus"));
            FineTuner.SeedInitialisation(options.Seed);
            using (var objective = FineTuningObjectives.Create(name, FineTuningSize.Toy, options.Steps, 2, CPU))
                FineTuner.Run(objective, PianoCorpus.Open(dir.File("corpus"), objective.SampleRate), options);

            var after = FineTunedCheckpoint.Read(Path.Combine(run, FineTuner.EncoderFile))!;
            var before = FineTunedCheckpoint.Read(Path.Combine(run, FineTuner.StartFile))!;
            Assert.Equal((name, "toy", 2L, 0L), (after.Encoder, after.Size, after.StepsDone, before.StepsDone));
            Assert.Equal(dir.File("corpus"), after.Corpus);
            Assert.Equal(after with { StepsDone = 0 }, before);

            using var ft = (IDisposable)EncoderRegistry.Create(name, new EncoderOptions(Weights: run));
            using var start = (IDisposable)EncoderRegistry.Create(name, new EncoderOptions(Weights: Path.Combine(run, FineTuner.StartFile)));
            var (ftEncoder, startEncoder) = ((IAudioEncoder)ft, (IAudioEncoder)start);
            Assert.Equal($"{name}-ft", ftEncoder.Info.Name);
            Assert.Equal(name, startEncoder.Info.Name); // step 0 is the "before" row, cached under the encoder's own name
            Assert.NotEqual(ftEncoder.ConfigKey, startEncoder.ConfigKey);
            if (name == "audiomae")
            {
                Assert.Equal(AudioMaePretrainConfig.Toy.EncoderConfig, ((AudioMaeEncoder)ft).Model.Config);
                Assert.Equal(32, ftEncoder.Info.FramesPerSegment); // the toy 8 x 4 patch grid
            }
            else
            {
                var c = ((DacEncoder)ft).Model.Config;
                var toy = DacTrainingConfig.Toy.CodecConfig;
                Assert.Equal((toy.SampleRate, toy.EncoderDim, toy.Latent, toy.NCodebooks, toy.CodebookSize, toy.CodebookDim, toy.ChunkSeconds),
                    (c.SampleRate, c.EncoderDim, c.Latent, c.NCodebooks, c.CodebookSize, c.CodebookDim, c.ChunkSeconds));
                Assert.Equal(toy.Rates, c.Rates);
                Assert.Empty(((DacEncoder)ft).LoadReport!.Missing);
            }
        }
    }

    [Fact]
    public void AnotherEncodersCheckpointIsAClearErrorAndFaithfulKeepsTheTrainedModel()
    {
        using var dir = new TempDir();
        var options = new FineTuneOptions(dir.Path, Steps: 1, BatchSize: 1);
        FineTuner.SeedInitialisation(0);
        using (var objective = FineTuningObjectives.Create("dac", FineTuningSize.Toy, 1, 1, CPU))
            FineTuner.SaveEncoder(objective, dir.File(FineTuner.EncoderFile), options, 1);
        foreach (string other in new[] { "audiomae", "jukebox", "mert" })
        {
            var e = Assert.Throws<ArgumentException>(() => EncoderRegistry.Create(other, new EncoderOptions(Weights: dir.Path)));
            Assert.Contains("holds fine-tuned dac weights", e.Message);
            Assert.Contains("--encoder dac", e.Message);
        }

        // --faithful on fine-tuned weights: the released code's 1 s chunks around the trained toy codec.
        using var faithful = (DacEncoder)EncoderRegistry.Create("dac", new EncoderOptions(Weights: dir.Path, Faithful: true));
        Assert.Equal((1.0, DacTrainingConfig.Toy.CodecConfig.SampleRate), (faithful.Model.Config.ChunkSeconds, faithful.Model.Config.SampleRate));
    }

    [Fact]
    public void ACheckpointWithoutMetadataIsReadAsBefore()
    {
        using var dir = new TempDir();
        string file = dir.File(FineTuner.EncoderFile);
        FineTuner.SeedInitialisation(0);
        using (var objective = FineTuningObjectives.Create("audiomae", FineTuningSize.Toy, 1, 1, CPU))
            Safetensors.Save(file, objective.EncoderCheckpoint()); // as runs before the metadata wrote it
        Assert.Null(FineTunedCheckpoint.Read(file));

        // The registry's default config (the AudioSet fine-tuned ViT-B/16) is used, so the toy weights do not fit …
        Assert.Throws<StateDictMismatchException>(() => EncoderRegistry.Create("audiomae", new EncoderOptions(Weights: file)));
        // … and the explicit config loads them, as it always did.
        using var encoder = AudioMaeEncoder.FromCheckpoint(AudioMaePretrainConfig.Toy.EncoderConfig, file);
        Assert.Equal("audiomae", encoder.Info.Name);
    }
}
