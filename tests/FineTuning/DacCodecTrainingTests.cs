namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Weights;
using PianoJudges.FineTuning;
using PianoJudges.FineTuning.Dac;
using PianoJudges.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Seeds torch's global generator: runs in the non-parallel GlobalTorchSeed collection (tests/Encoders/AudioMaeTests.cs).</summary>
[Collection("GlobalTorchSeed")]
public class DacCodecTrainingTests
{
    public DacCodecTrainingTests() => FineTuningTestSetup.Initialise();

    private static readonly DacTrainingConfig Toy = DacTrainingConfig.Toy;

    private static float[][] Excerpts(int count, int samples, int rate) =>
        Enumerable.Range(0, count).Select(i => PianoFixture.Note(55 + 4 * i, samples / (double)rate + 0.01, rate).Take(samples).ToArray()).ToArray();

    [Fact]
    public void CodecKeysFollowTheReleaseAndReconstructionKeepsTheLength()
    {
        using var codec = new DacCodec(Toy);
        var keys = codec.state_dict().Keys.ToHashSet();
        foreach (var key in new[]
                 {
                     "encoder.block.0.weight_v", "encoder.block.1.block.0.block.1.weight_g", "quantizer.quantizers.2.codebook.weight",
                     "quantizer.quantizers.0.in_proj.weight_v", "decoder.model.0.weight_g", "decoder.model.1.block.0.alpha",
                     "decoder.model.1.block.1.weight_g", "decoder.model.1.block.2.block.1.weight_v", "decoder.model.3.alpha", "decoder.model.4.bias",
                 })
            Assert.Contains(key, keys);
        // The transposed convolution's gain is per input channel: (in, 1, 1).
        Assert.Equal(new long[] { 32, 1, 1 }, codec.state_dict()["decoder.model.1.block.1.weight_g"].shape);
        using var noGrad = no_grad();
        codec.eval();
        var output = codec.call(randn(2, 1, 1000) * 0.1);
        Assert.Equal(new long[] { 2, 1, 1000 }, output.Audio.shape);
        Assert.True(output.Audio.abs().max().item<float>() <= 1f); // tanh
    }

    [Fact]
    public void QuantizerDropoutUsesFewerCodebooksForPartOfTheBatch()
    {
        using var rvq = new DacResidualVectorQuantize(Toy.CodecConfig, quantizerDropout: 1.0);
        using var noGrad = no_grad();
        manual_seed(7);
        var z = randn(24, Toy.CodecConfig.Latent, 5);
        rvq.eval();
        var full = rvq.call(z).z;
        rvq.train();
        var dropped = rvq.call(z).z;
        var same = ((dropped - full).abs().amax([1, 2]) < 1e-6).data<bool>().ToArray();
        // randint(1, 4): an item keeps all 3 quantisers with probability 1/3.
        Assert.Contains(true, same);
        Assert.Contains(false, same);

        using var noDropout = new DacResidualVectorQuantize(Toy.CodecConfig, quantizerDropout: 0.0);
        noDropout.train();
        var (zq, _, _, commitment, codebook) = noDropout.call(z);
        Assert.True(commitment.item<float>() > 0 && codebook.item<float>() > 0);
        noDropout.eval();
        Assert.True(noDropout.call(z).z.allclose(zq));
    }

    [Fact]
    public void DiscriminatorStepsBeforeTheGeneratorAndBothLearn()
    {
        using var training = new DacCodecTraining(Toy);
        var d0 = training.Discriminator.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var g0 = training.Generator.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        manual_seed(1);
        var values = training.Step([Excerpts(2, Toy.CropSamples, 8000)], 0, new SplitMix64(1));
        Assert.Equal(["discriminator", "generator"], training.LastStepOrder);
        Assert.Contains(training.Discriminator.state_dict(), kv => !kv.Value.allclose(d0[kv.Key], 0, 0));
        Assert.Contains(training.Generator.state_dict(), kv => !kv.Value.allclose(g0[kv.Key], 0, 0));
        foreach (var key in new[] { "mel/loss", "adv/gen_loss", "adv/feat_loss", "vq/commitment_loss", "vq/codebook_loss", "adv/disc_loss" })
            Assert.True(double.IsFinite(values[key]) && values[key] >= 0, key);
        double weighted = 15 * values["mel/loss"] + values["adv/gen_loss"] + 2 * values["adv/feat_loss"]
                          + 0.25 * values["vq/commitment_loss"] + values["vq/codebook_loss"];
        Assert.Equal(weighted, values["loss"], 3);
        Assert.Equal(1e-4, values["lr"], 12);
        Assert.Equal(1e-4 * Math.Pow(0.999996, 10), training.LearningRate(10), 15);
    }

    [Fact]
    public void ExcerptsAreLoudnessNormalisedRescaledAndPhaseShifted()
    {
        var batch = Excerpts(3, Toy.CropSamples, 8000);
        batch[2] = new float[Toy.CropSamples];
        batch[2][500] = 0.5f; // a click: at -16 LUFS its peak would be far above 1
        using var plain = new DacCodecTraining(Toy with { ShiftPhase = false });
        using var unshifted = plain.Prepare(batch, new SplitMix64(5));
        var meter = new LoudnessMeter(8000, LoudnessMeterOptions.Audiotools);
        for (int b = 0; b < 3; b++)
        {
            var x = unshifted[b, 0].data<float>().ToArray();
            double peak = x.Max(Math.Abs);
            // Each excerpt reads -16 LUFS, unless RescaleAudio had to bring its peak down to 1 (then it is quieter).
            if (peak < 0.999) Assert.Equal(-16.0, meter.Integrated(x), 4);
            else Assert.True(peak <= 1.0 + 1e-6 && meter.Integrated(x) < -16.0, $"excerpt {b}: peak {peak}");
        }
        Assert.True(unshifted[2, 0].abs().max().item<float>() >= 0.999f);
        // ShiftPhase rotates each excerpt by its own uniform angle drawn from the step's generator.
        using var training = new DacCodecTraining(Toy);
        using var shifted = training.Prepare(batch, new SplitMix64(5));
        var rng = new SplitMix64(5);
        var angles = Enumerable.Range(0, 3).Select(_ => Math.PI * (2 * rng.NextDouble() - 1)).ToArray();
        using var expected = DacTransforms.ShiftPhase(unshifted, angles, 8000);
        Assert.True(shifted.allclose(expected, 0, 1e-6));
        Assert.False(shifted.allclose(unshifted, 0, 1e-3));
    }

    [Theory]
    [InlineData(TrainingPrecision.Fp32)]
    [InlineData(TrainingPrecision.Bf16)]
    [InlineData(TrainingPrecision.Fp16)]
    public void MelLossFallsWhenOverfittingOneBatch(TrainingPrecision precision)
    {
        using var training = new DacCodecTraining(Toy with { LearningRate = 1e-3 }, precision: precision);
        var batch = Excerpts(2, Toy.CropSamples, 8000);
        var mel = new List<double>();
        for (int step = 0; step < 30; step++)
        {
            manual_seed(3);
            mel.Add(training.Step([batch], step, new SplitMix64(2))["mel/loss"]);
        }
        Assert.True(mel.Skip(25).Average() < 0.8 * mel.Take(3).Average(), $"mel loss {string.Join(" ", mel.Select(m => m.ToString("F2")))}");
        Assert.All(training.TrainingState(), kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
        Assert.All(training.EncoderCheckpoint(), kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
    }

    [Fact]
    public void SlaneyMelFiltersMatchLibrosa()
    {
        // librosa.filters.mel(sr=16000, n_fft=64, n_mels=4) rows' peaks and areas are fixed by the Slaney scale:
        // mel points 0 .. hz_to_mel(8000) in 5 steps; a filter's integral (sum x bin width) is 1 under slaney norm
        // when it is resolved by the bins.
        var f = DacMelLoss.SlaneyMelFilters(16000, 512, 8, 0, 8000).data<float>().ToArray();
        double binHz = 16000.0 / 512;
        for (int m = 0; m < 8; m++)
        {
            double area = f.Skip(m * 257).Take(257).Sum(v => (double)v) * binHz;
            Assert.InRange(area, 0.97, 1.03);
        }
        Assert.Equal(1000.0, DacMelLoss.MelToHz(15.0), 9);
        Assert.Equal(15.0, DacMelLoss.HzToMel(1000.0), 9);
        Assert.Equal(200.0 / 3, DacMelLoss.MelToHz(1.0), 9);
    }

    [Fact]
    public void CheckpointRoundTripsAndLoadsIntoTheEncoder()
    {
        using var dir = new TempDir();
        using var training = new DacCodecTraining(Toy);
        training.Step([Excerpts(2, Toy.CropSamples, 8000)], 0, new SplitMix64(1));
        string path = dir.File("dac.safetensors");
        Safetensors.Save(path, training.EncoderCheckpoint());

        using var sd = Safetensors.Load(path);
        using var encoder = DacEncoder.FromStateDict(Toy.CodecConfig, sd, path);
        var audio = PianoFixture.Note(60, 0.5, 8000);
        using var noGrad = no_grad();
        training.Generator.eval();
        var z = training.Generator.call(tensor(audio).reshape(1, 1, -1)).Z[0].t();
        var zEncoder = encoder.EncodeSegment(audio);
        Assert.True(z.allclose(zEncoder, 1e-4, 1e-5), $"max diff {(z - zEncoder).abs().max().item<float>()}");

        // The same file (the DAC .pth "state_dict" layout) starts a new run with identical weights.
        using var again = new DacCodecTraining(Toy, generatorWeights: sd, source: path);
        var mine = training.Generator.state_dict();
        foreach (var (key, value) in again.Generator.state_dict()) Assert.True(value.allclose(mine[key], 0, 0), key);
    }
}
