namespace PianoJudges.Tests.FineTuning;

using PianoJudges.Data;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Weights;
using PianoJudges.FineTuning;
using PianoJudges.FineTuning.AudioMae;
using PianoJudges.Native;
using PianoJudges.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Seeds torch's global generator: runs in the non-parallel GlobalTorchSeed collection (tests/Encoders/AudioMaeTests.cs).</summary>
[Collection("GlobalTorchSeed")]
public class AudioMaePretrainingTests
{
    public AudioMaePretrainingTests() => FineTuningTestSetup.Initialise();

    private static readonly AudioMaePretrainConfig Toy = AudioMaePretrainConfig.Toy with { WarmupFraction = 0 };

    /// <summary>The release's 64 x 8 patch grid with a narrow, shallow model, so that masking is tested at the real size cheaply.</summary>
    private static AudioMaePretrainConfig RealGrid(AudioMaeMasking masking) => AudioMaePretrainConfig.Release with
    {
        Encoder = AudioMaePretrainConfig.EncoderPreset with { EmbedDim = 32, Depth = 1, NumHeads = 4 },
        DecoderEmbedDim = 32, DecoderNumHeads = 4, Masking = masking,
    };

    private static float[][] Excerpts(int count, int samples)
    {
        var result = new float[count][];
        for (int i = 0; i < count; i++) result[i] = PianoFixture.Note(50 + 5 * i, samples / 16000.0 + 0.01, 16000).Take(samples).ToArray();
        return result;
    }

    [Fact]
    public void UnstructuredMaskingMasksTheConfiguredRatioAndKeepsTheRightTokens()
    {
        using var model = new AudioMaeMaskedAutoencoder(RealGrid(AudioMaeMasking.Unstructured));
        manual_seed(3);
        var x = randn(64, 512, 5);
        var (kept, mask, restore) = model.RandomMasking(x);
        // int(512 x 0.2) = 102 kept per clip, so 410 of 512 (80.08 %) masked in every clip.
        Assert.Equal(new long[] { 64, 102, 5 }, kept.shape);
        Assert.All(mask.sum(1).data<float>().ToArray(), c => Assert.Equal(410f, c));
        // Kept tokens are exactly the unmasked ones, in the shuffled order that ids_restore undoes.
        var unmasked = (mask == 0);
        Assert.True(kept.sum().item<float>() - (x * unmasked.unsqueeze(-1)).sum().item<float>() is > -1e-2f and < 1e-2f);
        var full = cat([kept, zeros(64, 410, 5)], 1).gather(1, restore.unsqueeze(-1).expand(64, 512, 5));
        Assert.True(full.allclose(x * unmasked.unsqueeze(-1)));
        // Positions are uniform: over 64 clips every patch is masked about 80 % of the time.
        var perPatch = mask.mean([0]).data<float>().ToArray();
        Assert.InRange(perPatch.Average(), 0.79, 0.81);
        Assert.InRange(perPatch.Min(), 0.4, 1.0);
    }

    [Fact]
    public void TimeFrequencyMaskingMasksWholeRowsAndColumns()
    {
        using var model = new AudioMaeMaskedAutoencoder(RealGrid(AudioMaeMasking.TimeFrequency));
        manual_seed(4);
        var x = randn(8, 512, 3);
        var (kept, mask, _) = model.RandomMasking(x);
        // int(64 x 0.3) = 19 time rows and int(8 x 0.7) = 5 frequency columns stay: 95 patches.
        Assert.Equal(95, kept.shape[1]);
        var grid = mask.reshape(8, 64, 8);
        for (int b = 0; b < 8; b++)
        {
            var g = grid[b];
            var keptRows = (g.min(1).values == 0).sum().item<long>();
            var keptCols = (g.min(0).values == 0).sum().item<long>();
            Assert.Equal(19, keptRows);
            Assert.Equal(5, keptCols);
            Assert.Equal(95f, (1 - g).sum().item<float>());
        }
    }

    [Theory]
    [InlineData(TrainingPrecision.Fp32)]
    [InlineData(TrainingPrecision.Bf16)]
    [InlineData(TrainingPrecision.Fp16)]
    public void LossFallsWhenOverfittingOneBatch(TrainingPrecision precision)
    {
        using var objective = new AudioMaePretraining(Toy with { BaseLearningRate = 0.2 }, totalSteps: 1000, effectiveBatch: 4, precision: precision);
        var batch = Excerpts(4, objective.CropSamples);
        var losses = new List<double>();
        for (int step = 0; step < 40; step++)
        {
            manual_seed(11); // the same mask every step: a fixed problem to overfit
            losses.Add(objective.Step([batch], step + 1, new SplitMix64(5))["loss"]);
        }
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:F3} -> {losses[^1]:F3}");
        // The trained weights (and so the checkpoints) stay float32 whatever computed the passes.
        Assert.All(objective.TrainingState(), kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
    }

    [Fact]
    public void GradientAccumulationMatchesOneLargeBatch()
    {
        // Global decoder: no dropout, so the only randomness is the mask, drawn by torch.rand row after row; one rand(4, L)
        // and two rand(2, L) give the same masks, and every clip masks the same count, so the mean losses agree.
        var config = Toy with { DecoderMode = AudioMaeDecoderMode.Global };
        var batch = Excerpts(4, config.CropSamples);
        Dictionary<string, Tensor> Gradients(IReadOnlyList<float[][]> micro)
        {
            manual_seed(21);
            using var objective = new AudioMaePretraining(config, totalSteps: 10, effectiveBatch: 4);
            manual_seed(22);
            objective.Step(micro, 3, new SplitMix64(8));
            return objective.Model.named_parameters().Where(p => p.parameter.grad is not null)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }
        var whole = Gradients([batch]);
        var split = Gradients([batch[..2], batch[2..]]);
        Assert.NotEmpty(whole);
        foreach (var (name, g) in whole)
            Assert.True(g.allclose(split[name], 1e-4, 1e-7), $"{name}: max diff {(g - split[name]).abs().max().item<float>()}");
        Assert.True(whole["decoder_pred.weight"].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void LearningRateWarmsUpLinearlyThenFollowsAHalfCosine()
    {
        var config = Toy with { WarmupFraction = 0.1, BaseLearningRate = 2.56, MinLearningRate = 0.0 };
        using var objective = new AudioMaePretraining(config, totalSteps: 100, effectiveBatch: 10);
        double peak = 2.56 * 10 / 256; // blr x batch / 256
        Assert.Equal(0.0, objective.LearningRate(0));
        Assert.Equal(peak / 2, objective.LearningRate(5), 12);
        Assert.Equal(peak, objective.LearningRate(10), 12);
        Assert.Equal(peak / 2, objective.LearningRate(55), 12);
        Assert.Equal(0.0, objective.LearningRate(100), 12);
    }

    [Fact]
    public void SwinBlockAttendsWithinWindowsAndMasksTheWrapAround()
    {
        manual_seed(2);
        // An 8 x 4 grid, 2 x 2 windows, shifted by one time row: rows 7 and 0 share a window but not a region.
        using var block = new AudioMaeSwinBlock(16, 4, (8, 4), (2, 2), (1, 0), 4, 1e-6, 8, 0.0);
        block.eval();
        using var noGrad = no_grad();
        var x = randn(1, 32, 16);
        var y = block.call(x);
        var x2 = x.clone();
        x2[0, 0] += 1.0f; // patch (t 0, f 0)
        var y2 = block.call(x2);
        var changed = (y2 - y).abs().amax([2])[0].data<float>().ToArray();
        int At(int t, int f) => t * 4 + f;
        Assert.True(changed[At(0, 1)] > 1e-3, "same window and region");
        Assert.True(changed[At(7, 0)] < 1e-6, "same window across the wrap: masked");
        Assert.True(changed[At(1, 0)] < 1e-6, "next window");
        Assert.True(changed[At(0, 2)] < 1e-6, "window to the side");
    }

    [Fact]
    public void StateDictHasTheReleaseKeyLayout()
    {
        using var model = new AudioMaeMaskedAutoencoder(Toy);
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var key in new[]
                 {
                     "cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "norm.weight", "decoder_embed.weight",
                     "mask_token", "decoder_pos_embed", "decoder_blocks.15.attn.meta_mlp.fc1.weight", "decoder_blocks.1.attn.tau",
                     "decoder_blocks.0.norm1.weight", "decoder_blocks.0.mlp.fc2.bias", "decoder_norm.weight", "decoder_pred.weight",
                 })
            Assert.Contains(key, keys);
        using var global = new AudioMaeMaskedAutoencoder(Toy with { DecoderMode = AudioMaeDecoderMode.Global });
        Assert.Contains("decoder_blocks.1.attn.qkv.weight", global.state_dict().Keys);
        Assert.DoesNotContain("decoder_blocks.2.attn.qkv.weight", global.state_dict().Keys);
    }

    [Fact]
    public void CheckpointRoundTripsAndLoadsIntoTheEncoder()
    {
        using var dir = new TempDir();
        using var objective = new AudioMaePretraining(Toy, totalSteps: 10, effectiveBatch: 2);
        objective.Step([Excerpts(2, objective.CropSamples)], 1, new SplitMix64(1));
        string path = dir.File("mae.safetensors");
        Safetensors.Save(path, objective.EncoderCheckpoint());

        // Back into the encoder of lib/Encoders, as `embed --weights` loads it: same tensors, same tokens.
        using var sd = Safetensors.Load(path);
        using var encoder = AudioMaeEncoder.FromStateDict(Toy.EncoderConfig, sd, path);
        var mine = objective.Model.state_dict();
        foreach (var (key, value) in encoder.Model.state_dict())
            Assert.True(value.allclose(mine[key], 0, 0), key);

        // And as the starting point of another run (the path a released models_mae checkpoint takes).
        using var again = new AudioMaePretraining(Toy, totalSteps: 10, effectiveBatch: 2, weights: sd, source: path);
        Assert.Empty(again.LoadReport!.Missing);
        foreach (var (key, value) in again.Model.state_dict()) Assert.True(value.allclose(mine[key], 0, 0), key);

        // An encoder-only checkpoint (no decoder) starts the encoder and reports the decoder as missing.
        var encoderOnly = sd.Where(kv => !kv.Key.StartsWith("decoder_") && kv.Key != "mask_token").ToDictionary(kv => kv.Key, kv => kv.Value);
        using var partial = new AudioMaePretraining(Toy, 10, 2, weights: encoderOnly, source: "encoder-only");
        Assert.Contains("decoder_pred.weight", partial.LoadReport!.Missing);
        var broken = encoderOnly.Where(kv => kv.Key != "blocks.1.mlp.fc1.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        var error = Assert.Throws<InvalidDataException>(() => new AudioMaePretraining(Toy, 10, 2, weights: broken, source: "broken.pth"));
        Assert.Contains("blocks.1.mlp.fc1.weight", error.Message);
    }
}
