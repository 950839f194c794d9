namespace PianoJudges.Tests.Encoders;

using PianoJudges.Audio;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class AudioMaeTests
{
    public AudioMaeTests() => TorchRuntime.EnsureInitialised();

    /// <summary>The config of tools/parity/audiomae_reference.py.</summary>
    private static AudioMaeConfig Tiny(AudioMaeCheckpoint checkpoint, AudioMaeTokenOutput tokens) => new(
        SampleRate: 16000, Normalisation: FbankNormalisation.AudioSet, Checkpoint: checkpoint, TokenOutput: tokens,
        TargetLength: 64, NumMelBins: 32, PatchSize: 16, EmbedDim: 32, Depth: 2, NumHeads: 4, MlpRatio: 4);

    private static string ExpectedTokens(AudioMaeTokenOutput tokens) => tokens switch
    {
        AudioMaeTokenOutput.Blocks => "out.tokens_blocks",
        AudioMaeTokenOutput.Norm => "out.tokens_norm",
        _ => "out.tokens_fcnorm",
    };

    [Theory]
    [InlineData(AudioMaeCheckpoint.Pretrained, AudioMaeTokenOutput.Norm)]
    [InlineData(AudioMaeCheckpoint.Pretrained, AudioMaeTokenOutput.Blocks)]
    [InlineData(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.FcNorm)]
    [InlineData(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.Blocks)]
    public void MatchesPythonReferenceLayerByLayer(AudioMaeCheckpoint checkpoint, AudioMaeTokenOutput tokens)
    {
        // The reference stages are float64; run the model in float64 too, so that only the architecture can differ.
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        using var scope = NewDisposeScope();
        using var model = new AudioMaeVit(Tiny(checkpoint, tokens));
        model.LoadCheckpoint(fx.Weights(), fx.Path);
        model.eval();
        using var noGrad = no_grad();
        var names = new[] { "out.embed", "out.block_0", "out.block_1", ExpectedTokens(tokens) };
        var hidden32 = model.ForwardHidden(fx.Tensor("in.image"));
        model.to(ScalarType.Float64);
        var hidden64 = model.ForwardHidden(fx.Tensor("in.image").to(ScalarType.Float64));
        Assert.Equal(names.Length, hidden64.Count);
        for (int i = 0; i < names.Length; i++)
        {
            double err64 = ParityFixture.MaxRelativeError(hidden64[i], fx.Tensor(names[i]));
            Assert.True(err64 < 1e-9, $"{names[i]} (float64): largest relative error {err64:E2}");
            double err32 = ParityFixture.MaxRelativeError(hidden32[i], fx.Tensor(names[i]));
            Assert.True(err32 < 1e-5, $"{names[i]} (float32): largest relative error {err32:E2}");
        }
    }

    [Fact]
    public void FrontEndMatchesTorchaudioFbankPaddedAndNormalised()
    {
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        using var scope = NewDisposeScope();
        var config = Tiny(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.Blocks);
        var image = AudioMaeFrontEnd.Compute(fx.Floats("in.wave"), config);
        double err = ParityFixture.MaxRelativeError(image.reshape(1, 1, 64, 32), fx.Tensor("in.image"));
        Assert.True(err < 1e-4, $"largest relative error {err:E2}");
        // 0.5 s gives 48 frames; the 16 padded rows are zeros normalised: -mean / (2 std).
        float padded = image[63, 0].item<float>();
        Assert.Equal(4.2677393 / (2 * 4.5689974), padded, 5);
    }

    [Fact]
    public void EncoderGivesThePatchTokensPerSegmentAndMasksEmptySegments()
    {
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        var config = Tiny(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.FcNorm);
        var model = new AudioMaeVit(config);
        model.LoadCheckpoint(fx.Weights(), fx.Path);
        using var encoder = new AudioMaeEncoder(model, "tiny", batchSize: 2);
        var wave = fx.Floats("in.wave");
        var audio = new SegmentedAudio([wave, wave, new float[wave.Length]], [wave.Length, wave.Length, 0], 16000);
        var embedding = encoder.Encode(audio);
        Assert.Equal((3, 8, 32), (embedding.Segments, embedding.Frames, embedding.Dim));
        Assert.Equal(new[] { true, true, false }, embedding.Mask);
        var expected = fx.Floats("out.tokens_fcnorm");
        for (int s = 0; s < 2; s++)
        {
            var got = embedding.Segment(s).ToArray();
            double worst = got.Zip(expected, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max();
            Assert.True(worst < 1e-4, $"segment {s}: largest relative error {worst:E2}");
        }
        Assert.Throws<ArgumentException>(() => encoder.Encode(audio with { SampleRate = 32000 }));
    }

    [Fact]
    public void PositionEmbeddingIsAudioMaesTwoDimensionalSinCos()
    {
        // The reference computes it with numpy as get_2d_sincos_pos_embed_flexible does, over the (4, 2) grid.
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        using var scope = NewDisposeScope();
        var ours = AudioMaeVit.SinCosPositionEmbedding(Tiny(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.Blocks));
        double err = ParityFixture.MaxRelativeError(ours.unsqueeze(0), fx.Tensor("pos_embed"));
        Assert.True(err < 1e-6, $"largest error {err:E2}");
    }

    [Fact]
    public void LoadingNamesTheMissingOrMisshapenKey()
    {
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        using var model = new AudioMaeVit(Tiny(AudioMaeCheckpoint.Pretrained, AudioMaeTokenOutput.Norm));
        var weights = fx.Weights();
        weights.Remove("blocks.1.mlp.fc2.bias");
        var missing = Assert.Throws<StateDictMismatchException>(() => model.LoadCheckpoint(weights, "tiny.pth"));
        Assert.Contains("blocks.1.mlp.fc2.bias", missing.Message);
        weights = fx.Weights();
        weights["norm.weight"] = zeros(31);
        var shape = Assert.Throws<StateDictMismatchException>(() => model.LoadCheckpoint(weights, "tiny.pth"));
        Assert.Contains("norm.weight: checkpoint [31], module [32]", shape.Message);
    }

    [Fact]
    public void RealSizeModelHasTheCheckpointKeysAndTable1Geometry()
    {
        using var model = new AudioMaeVit(AudioMaeConfig.Paper);
        var state = model.state_dict();
        Assert.Equal(new long[] { 1, 513, 768 }, state["pos_embed"].shape);
        Assert.Equal(new long[] { 768, 1, 16, 16 }, state["patch_embed.proj.weight"].shape);
        Assert.Equal(new long[] { 2304, 768 }, state["blocks.11.attn.qkv.weight"].shape);
        Assert.Equal(new long[] { 3072 }, state["blocks.0.mlp.fc1.bias"].shape);
        Assert.Contains("fc_norm.weight", state.Keys);
        Assert.DoesNotContain("norm.weight", state.Keys);
        // ViT-B/16 on a 1-channel 1024x128 image: patch 768*256+768, pos 513*768, cls 768, 12 blocks, fc_norm.
        long perBlock = 4 * 768 + (768 * 2304 + 2304) + (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768);
        Assert.Equal(768 * 256 + 768 + 513 * 768 + 768 + 12 * perBlock + 2 * 768, model.parameters().Sum(p => p.numel()));
        using var encoder = new AudioMaeEncoder(model, "random");
        Assert.Equal(new PianoJudges.Encoders.EncoderInfo("audiomae", 16000, 51.2, 768, 512, encoder.Info.Description), encoder.Info);
    }

    [Fact]
    public void FaithfulFrontEndPeakNormalisesAndRoundsToHalf()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 8000).Select(_ => (float)(rng.NextDouble() * 0.2 + 0.1)).ToArray();
        var y = AudioMaeFrontEnd.PeakNormalised(x, 0.5);
        Assert.Equal(0.5, y.Max(v => Math.Abs(v)), 5);
        Assert.Equal(0.0, y.Average(v => (double)v), 5);
        var faithful = AudioMaeConfig.PaperFaithful with { TargetLength = 64, NumMelBins = 32, SampleRate = 16000 };
        using var image = AudioMaeFrontEnd.Compute(x, faithful);
        using var half = image.to(ScalarType.Float16).to(ScalarType.Float32);
        Assert.True(image.eq(half).all().item<bool>());
        Assert.Equal(0f, image[63, 5].item<float>()); // no normalisation: padding stays zero
    }

    [Fact]
    public void LoadsAReleasedStyleTorchCheckpoint()
    {
        // {"model", "optimizer", "epoch", "scaler", "args": argparse.Namespace}, as main_finetune_as.py saves (tools/parity/make_checkpoints.py).
        var fx = new ParityFixture("AudioMae", "audiomae_tiny.safetensors");
        string path = PianoJudges.Tests.Encoders.Weights.WeightsFixtures.Path_("AudioMae", "audiomae_tiny_checkpoint.pth.tar");
        using var encoder = AudioMaeEncoder.FromCheckpoint(Tiny(AudioMaeCheckpoint.FineTuned, AudioMaeTokenOutput.FcNorm), path);
        var wave = fx.Floats("in.wave");
        var tokens = encoder.Encode(new SegmentedAudio([wave], [wave.Length], 16000)).Data;
        var expected = fx.Floats("out.tokens_fcnorm");
        Assert.True(tokens.Zip(expected, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max() < 1e-4);
        Assert.Matches("weights=audiomae_tiny_checkpoint.pth.tar@[0-9a-f]{16}$", encoder.ConfigKey);
    }

    [Fact]
    public void InconsistentConfigsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new AudioMaeVit(AudioMaeConfig.Paper with { TokenOutput = AudioMaeTokenOutput.Norm }));
        Assert.Contains("Pretrained", e.Message);
        Assert.Throws<ArgumentException>(() => new AudioMaeVit(AudioMaeConfig.Paper with { NumMelBins = 120 }));
    }
}

/// <summary>Tests that seed torch's global generator: run alone, so no other test draws from it in between.</summary>
[CollectionDefinition("GlobalTorchSeed", DisableParallelization = true)]
public sealed class GlobalTorchSeedCollection;

[Collection("GlobalTorchSeed")]
public class AudioMaeSeededTests
{
    public AudioMaeSeededTests() => TorchRuntime.EnsureInitialised();

    private static AudioMaeConfig Tiny() => new(
        SampleRate: 16000, Normalisation: FbankNormalisation.AudioSet, TargetLength: 64, NumMelBins: 32,
        PatchSize: 16, EmbedDim: 32, Depth: 2, NumHeads: 4, MlpRatio: 4);

    [Fact]
    public void SameSeedGivesTheSameTokensAndConfigKeysSeparateTheModes()
    {
        var config = Tiny();
        var wave = new ParityFixture("AudioMae", "audiomae_tiny.safetensors").Floats("in.wave");
        var audio = new SegmentedAudio([wave], [wave.Length], 16000);
        float[] Run()
        {
            torch.manual_seed(3);
            using var encoder = new AudioMaeEncoder(new AudioMaeVit(config), "random-3");
            return encoder.Encode(audio).Data;
        }
        var first = Run();
        Assert.Equal(first, Run());
        Assert.Contains(first, v => v != 0);
        var keys = new[] { AudioMaeConfig.Paper, AudioMaeConfig.PaperFaithful, AudioMaeConfig.OriginalPretrained }
            .Select(c => new AudioMaeEncoder(new AudioMaeVit(c with { EmbedDim = 32, NumHeads = 4, Depth = 1 }), "w").ConfigKey).ToList();
        Assert.Equal(3, keys.Distinct().Count());
    }
}
