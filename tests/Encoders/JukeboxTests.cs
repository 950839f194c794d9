namespace PianoJudges.Tests.Encoders;

using PianoJudges.Audio;
using PianoJudges.Encoders.Jukebox;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class JukeboxTests
{
    public JukeboxTests() => TorchRuntime.EnsureInitialised();

    /// <summary>The config of tools/parity/jukebox_reference.py; 301 samples make 18 frames.</summary>
    private static JukeboxConfig Tiny(bool quantised = false, JukeboxPeakNormalisation peak = JukeboxPeakNormalisation.None) => new(
        SampleRate: 301, DownsT: [2, 1, 1], StridesT: [2, 2, 2], EmbWidth: 6, Width: 4, Depth: 2, LBins: 10,
        Quantised: quantised, PeakNormalisation: peak, SegmentSeconds: 1.0);

    private static JukeboxVqvaeEncoder LoadTiny(ParityFixture fx, JukeboxConfig config)
    {
        var model = new JukeboxVqvaeEncoder(config);
        model.LoadCheckpoint(fx.Weights(), fx.Path);
        model.eval();
        return model;
    }

    [Fact]
    public void MatchesPythonReferenceLayerByLayer()
    {
        var fx = new ParityFixture("Jukebox", "jukebox_tiny.safetensors");
        using var scope = NewDisposeScope();
        using var model = LoadTiny(fx, Tiny());
        using var noGrad = no_grad();
        var z32 = model.call(fx.Tensor("in.audio"));
        model.to(ScalarType.Float64);
        var hidden = model.ForwardHidden(fx.Tensor("in.audio").to(ScalarType.Float64));
        Assert.Equal(3, hidden.Count);
        for (int level = 0; level < 3; level++)
        {
            double err = ParityFixture.MaxRelativeError(hidden[level], fx.Tensor($"out.level_{level}"));
            Assert.True(err < 1e-9, $"level {level}: largest relative error {err:E2}");
        }
        double err32 = ParityFixture.MaxRelativeError(z32, fx.Tensor("out.level_2"));
        Assert.True(err32 < 1e-5, $"float32: largest relative error {err32:E2}");
    }

    [Fact]
    public void QuantisedOutputIsTheNearestCodebookEntry()
    {
        var fx = new ParityFixture("Jukebox", "jukebox_tiny.safetensors");
        using var scope = NewDisposeScope();
        using var model = LoadTiny(fx, Tiny(quantised: true));
        using var noGrad = no_grad();
        var z = model.call(fx.Tensor("in.audio"));
        Assert.True(ParityFixture.MaxRelativeError(z, fx.Tensor("out.quantised")) < 1e-6);
    }

    [Fact]
    public void EncoderGivesTimeMajorFramesAndFaithfulModeScalesTheRecordingToUnitPeak()
    {
        var fx = new ParityFixture("Jukebox", "jukebox_tiny.safetensors");
        var wave = fx.Floats("in.audio");
        using var plain = new JukeboxEncoder(LoadTiny(fx, Tiny()), "tiny");
        var e = plain.Encode(new SegmentedAudio([wave, new float[301]], [301, 0], 301));
        Assert.Equal((2, 18, 6), (e.Segments, e.Frames, e.Dim));
        Assert.Equal(new[] { true, false }, e.Mask);
        var expected = fx.Tensor("out.level_2")[0].t().to(ScalarType.Float32).data<float>().ToArray();
        Assert.True(e.Segment(0).ToArray().Zip(expected, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max() < 1e-5);

        using var faithful = new JukeboxEncoder(LoadTiny(fx, Tiny(peak: JukeboxPeakNormalisation.Recording)), "tiny");
        var loud = faithful.Encode(new SegmentedAudio([wave.Select(v => 3 * v).ToArray()], [301], 301));
        var unit = wave.Select(v => v / wave.Max(Math.Abs)).ToArray();
        var reference = plain.Encode(new SegmentedAudio([unit], [301], 301));
        Assert.True(loud.Data.Zip(reference.Data, (a, b) => Math.Abs(a - b)).Max() < 1e-4);
    }

    [Fact]
    public void RealConfigIsTheFiveBTopLevelWithTheCheckpointKeys()
    {
        var c = JukeboxConfig.Paper;
        Assert.Equal((128, 3445, 32, 4), (c.HopLength, c.FramesPerSegment, c.LevelWidth, c.LevelDepth));
        using var model = new JukeboxVqvaeEncoder(c);
        var state = model.state_dict();
        Assert.Equal(new long[] { 32, 1, 4 }, state["level_blocks.0.model.0.0.weight"].shape);
        Assert.Equal(new long[] { 32, 32, 3 }, state["level_blocks.0.model.2.1.model.3.model.1.weight"].shape);
        Assert.Equal(new long[] { 64, 32, 3 }, state["level_blocks.0.model.3.weight"].shape);
        Assert.Equal(new long[] { 32, 64, 4 }, state["level_blocks.2.model.0.0.weight"].shape);
        Assert.Equal(new long[] { 64 }, state["level_blocks.2.model.2.bias"].shape);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("level_blocks.3.", StringComparison.Ordinal));
        using var encoder = new JukeboxEncoder(model, "random");
        Assert.Equal(new PianoJudges.Encoders.EncoderInfo("jukebox", 44100, 44100 / 128.0, 64, 3445, encoder.Info.Description), encoder.Info);
        // hvqvae_multipliers (2, 1, 1): the bottom level's encoder is twice as wide and deep.
        Assert.Equal((64, 8, 8), ((c with { Level = 0 }).LevelWidth, (c with { Level = 0 }).LevelDepth, (c with { Level = 0 }).HopLength));
    }

    [Fact]
    public void LoadsAVqvaeCheckpointTakingOnlyItsLevelsEncoder()
    {
        // {"model": encoders.*, bottleneck.*, decoders.*, "step"} re-saved in the zip format (tools/parity/make_checkpoints.py).
        var fx = new ParityFixture("Jukebox", "jukebox_tiny.safetensors");
        string path = PianoJudges.Tests.Encoders.Weights.WeightsFixtures.Path_("Jukebox", "jukebox_tiny_vqvae.pth.tar");
        using var encoder = JukeboxEncoder.FromCheckpoint(Tiny(quantised: true), path);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = encoder.Model.call(fx.Tensor("in.audio"));
        Assert.True(ParityFixture.MaxRelativeError(z, fx.Tensor("out.quantised")) < 1e-6);
    }

    [Fact]
    public void LoadingNamesMissingKeysAndNeedsTheCodebookWhenQuantised()
    {
        var fx = new ParityFixture("Jukebox", "jukebox_tiny.safetensors");
        var weights = fx.Weights();
        weights.Remove("encoders.2.level_blocks.1.model.1.weight");
        using var model = new JukeboxVqvaeEncoder(Tiny());
        Assert.Contains("level_blocks.1.model.1.weight", Assert.Throws<StateDictMismatchException>(() => model.LoadCheckpoint(weights, "vqvae.pth.tar")).Message);
        weights = fx.Weights();
        weights.Remove("bottleneck.level_blocks.2.k");
        using var quantised = new JukeboxVqvaeEncoder(Tiny(quantised: true));
        Assert.Contains("bottleneck.level_blocks.2.k", Assert.Throws<InvalidDataException>(() => quantised.LoadCheckpoint(weights, "vqvae.pth.tar")).Message);
    }
}

[Collection("GlobalTorchSeed")]
public class JukeboxSeededTests
{
    public JukeboxSeededTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void SameSeedGivesTheSameLatentAndAnotherSeedDoesNot()
    {
        var config = new JukeboxConfig(SampleRate: 301, DownsT: [2, 1, 1], EmbWidth: 6, Width: 4, Depth: 2, SegmentSeconds: 1.0);
        var rng = new Random(3);
        var segment = Enumerable.Range(0, 301).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] Run(int seed)
        {
            torch.manual_seed(seed);
            using var encoder = new JukeboxEncoder(new JukeboxVqvaeEncoder(config), $"random-{seed}");
            return encoder.Encode(new SegmentedAudio([segment], [301], 301)).Data;
        }
        var first = Run(4);
        Assert.Equal(18 * 6, first.Length);
        Assert.Equal(first, Run(4));
        Assert.NotEqual(first, Run(5));
    }
}
