namespace PianoJudges.Tests.Encoders.Mert;

using PianoJudges.Audio;
using PianoJudges.Encoders.Mert;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using PianoJudges.Tests.Encoders.Weights;
using TorchSharp;
using static TorchSharp.torch;

public class MertEncoderTests
{
    public MertEncoderTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void PresetsGiveThePapersTable1Facts()
    {
        var info = MertEncoder.Describe(MertConfig.Mert330M, MertLayerSelection.Last);
        Assert.Equal(("mert", 24000, 75.0, 1024, 749), (info.Name, info.SampleRate, info.FrameRate, info.Dim, info.FramesPerSegment));
        Assert.Equal(768, MertConfig.Mert95M.HiddenSize);
        Assert.Equal(749, MertConfig.Mert95M.FrameCount(240_000));
        Assert.True(MertConfig.Mert330M.DoStableLayerNorm);
        Assert.False(MertConfig.Mert95M.DoStableLayerNorm);
        var e = Assert.Throws<ArgumentException>(() => (MertConfig.Mert95M with { NumAttentionHeads = 7 }).Validate());
        Assert.Contains("768", e.Message);
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void ModelKeysAreTheCheckpointKeys()
    {
        using var model = new MertModel(MertConfig.Mert95M with { NumHiddenLayers = 1 });
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var k in new[]
                 {
                     "feature_extractor.conv_layers.0.conv.weight", "feature_extractor.conv_layers.0.layer_norm.weight",
                     "feature_extractor.conv_layers.6.conv.weight", "feature_projection.layer_norm.bias",
                     "feature_projection.projection.weight", "encoder.pos_conv_embed.conv.weight_g",
                     "encoder.pos_conv_embed.conv.weight_v", "encoder.pos_conv_embed.conv.bias", "encoder.layer_norm.weight",
                     "encoder.layers.0.attention.q_proj.weight", "encoder.layers.0.attention.out_proj.bias",
                     "encoder.layers.0.feed_forward.intermediate_dense.weight", "encoder.layers.0.final_layer_norm.bias",
                     "masked_spec_embed",
                 })
            Assert.Contains(k, keys);
        Assert.DoesNotContain("feature_extractor.conv_layers.1.layer_norm.weight", keys); // group norm: first layer only
        Assert.DoesNotContain("feature_extractor.conv_layers.0.conv.bias", keys);         // conv_bias false
        Assert.Equal(new long[] { 1, 1, 128 }, model.state_dict()["encoder.pos_conv_embed.conv.weight_g"].shape);
        Assert.Equal(new long[] { 768, 48, 128 }, model.state_dict()["encoder.pos_conv_embed.conv.weight_v"].shape);
    }

    /// <summary>Lays the tiny model out as a hub snapshot folder (config.json + pytorch_model.bin or model.safetensors), as --weights would see it.</summary>
    private static WeightsFixtures.TempDir Snapshot(string name)
    {
        var dir = new WeightsFixtures.TempDir();
        if (File.Exists(WeightsFixtures.Mert($"tiny-{name}.bin"))) File.Copy(WeightsFixtures.Mert($"tiny-{name}.bin"), dir.File("pytorch_model.bin"));
        else File.Copy(WeightsFixtures.Mert($"tiny-{name}.safetensors"), dir.File("model.safetensors"));
        File.Copy(WeightsFixtures.Mert($"tiny-{name}.config.json"), dir.File("config.json"));
        return dir;
    }

    private static SegmentedAudio GoldenAudio(StateDict golden)
    {
        var wave = golden["wave"].data<float>().ToArray();
        return new SegmentedAudio([wave[..1600], wave[1600..]], [1600, 1600], 24000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EncodeNormalisesEachSegmentAndReturnsTheSelectedHiddenState(int batchSize)
    {
        using var dir = Snapshot("postnorm");
        using var golden = Safetensors.Load(WeightsFixtures.Mert("tiny-postnorm.golden.safetensors"));
        var audio = GoldenAudio(golden);
        float[] Expect(params int[] layers) =>
            torch.stack(layers.Select(l => golden[$"hidden_states.{l}"]), 0).mean([0]).contiguous().data<float>().ToArray();

        foreach (var (layer, expected) in new[]
                 {
                     (MertLayerSelection.Last, Expect(2)),
                     (MertLayerSelection.Layer(1), Expect(1)),
                     (MertLayerSelection.Average(), Expect(0, 1, 2)),
                     (MertLayerSelection.Parse("avg:1-2"), Expect(1, 2)),
                 })
        {
            using var enc = MertEncoder.Load(new MertEncoderOptions(Layer: layer, BatchSize: batchSize, WeightsPath: dir.Path));
            var emb = enc.Encode(audio);
            Assert.Equal((2, 79, 16), (emb.Segments, emb.Frames, emb.Dim));
            Assert.Equal([true, true], emb.Mask);
            double err = emb.Data.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(err <= 1e-5, $"layer {layer}: max difference {err:g3}");
            Assert.Contains($"layer={layer}", enc.ConfigKey);
        }
    }

    [Fact]
    public void BadInputsFailWithWhatIsWrong()
    {
        using var dir = Snapshot("stable");
        using var enc = MertEncoder.Load(new MertEncoderOptions(WeightsPath: dir.Path));
        var at16k = new SegmentedAudio([new float[1600]], [1600], 16000);
        Assert.Contains("24000 Hz", Assert.Throws<ArgumentException>(() => enc.Encode(at16k)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MertEncoder.Load(new MertEncoderOptions(Layer: MertLayerSelection.Layer(3), WeightsPath: dir.Path)));
        Assert.Contains("cuda", Assert.Throws<ArgumentException>(() => MertEncoder.Load(new MertEncoderOptions(Device: "cuda", WeightsPath: dir.Path))).Message);
        Assert.Throws<FormatException>(() => MertLayerSelection.Parse("top"));

        // Weights of another architecture: the error names the keys that do not fit.
        File.Delete(dir.File("model.safetensors"));
        File.Copy(WeightsFixtures.Mert("tiny-deepnorm.bin"), dir.File("pytorch_model.bin"));
        var e = Assert.Throws<StateDictMismatchException>(() => MertEncoder.Load(new MertEncoderOptions(WeightsPath: dir.Path)));
        Assert.Contains("feature_extractor.conv_layers.1.layer_norm.weight", e.Message);
    }

    [Fact]
    public void APaddedSegmentIsNormalisedOverItsRealSamplesAndAnEmptyOneIsMaskedOut()
    {
        using var dir = Snapshot("postnorm");
        using var golden = Safetensors.Load(WeightsFixtures.Mert("tiny-postnorm.golden.safetensors"));
        var wave = golden["wave"].data<float>().ToArray();
        var padded = wave[..1600];
        Array.Clear(padded, 900, 700); // the segmenter zero-pads after the last real sample
        var audio = new SegmentedAudio([wave[..1600], padded, new float[1600]], [1600, 900, 0], 24000);
        using var enc = MertEncoder.Load(new MertEncoderOptions(BatchSize: 3, WeightsPath: dir.Path));
        var emb = enc.Encode(audio);
        Assert.Equal([true, true, false], emb.Mask);

        var expectedInput = wave[..1600];
        MertEncoder.NormalizeInPlace(expectedInput.AsSpan(0, 900));
        Array.Clear(expectedInput, 900, 700);
        using var scope = NewDisposeScope();
        using var _ = torch.inference_mode();
        var expected = enc.Model.call(torch.tensor(expectedInput, [1, 1600])).contiguous().data<float>().ToArray();
        double err = emb.Segment(1).ToArray().Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(err <= 1e-5, $"padded segment differs by {err:g3}");
        // Normalising the whole padded segment (the processor without an attention mask) gives other numbers.
        var whole = padded.ToArray();
        MertEncoder.NormalizeInPlace(whole);
        var other = enc.Model.call(torch.tensor(whole, [1, 1600])).contiguous().data<float>().ToArray();
        Assert.True(emb.Segment(1).ToArray().Zip(other, (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public void AZeroPaddedTailIsNormalisedOverItsRealSamplesOnly()
    {
        var x = new float[] { 1, 2, 3, 4, 0, 0 };
        MertEncoder.NormalizeInPlace(x.AsSpan(0, 4));
        Assert.Equal(0, x.Take(4).Average(), 6);
        Assert.Equal(1, x.Take(4).Select(v => (double)v * v).Average(), 5);
        Assert.Equal([0f, 0f], x[4..]);
        var silent = new float[8];
        MertEncoder.NormalizeInPlace(silent);
        Assert.All(silent, v => Assert.Equal(0f, v));
    }
}
