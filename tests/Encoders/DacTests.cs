namespace PianoJudges.Tests.Encoders;

using PianoJudges.Audio;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Layers;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using TorchSharp;
using static TorchSharp.torch;

public class DacTests
{
    public DacTests() => TorchRuntime.EnsureInitialised();

    /// <summary>The config of tools/parity/dac_reference.py.</summary>
    private static DacConfig Tiny(double? chunkSeconds = null) => new(
        SampleRate: 400, EncoderDim: 4, EncoderRates: [2, 4], NCodebooks: 3, CodebookSize: 16, CodebookDim: 4,
        ChunkSeconds: chunkSeconds, SegmentSeconds: 1.5);

    private static DacModel LoadTiny(ParityFixture fx, DacConfig config, Func<string, string>? rename = null)
    {
        var model = new DacModel(config);
        var weights = fx.Weights().ToDictionary(kv => rename?.Invoke(kv.Key) ?? kv.Key, kv => kv.Value);
        model.LoadCheckpoint(weights, fx.Path);
        model.eval();
        return model;
    }

    [Fact]
    public void MatchesPythonReferenceLayerByLayer()
    {
        // The reference is float64 (this random net's float32 rounding alone reaches ~3e-5); run in float64 to test
        // the architecture at 1e-9, and check the float32 model against the same numbers at float32 accuracy.
        var fx = new ParityFixture("Dac", "dac_tiny.safetensors");
        using var scope = NewDisposeScope();
        using var model = LoadTiny(fx, Tiny());
        using var noGrad = no_grad();
        var audio32 = fx.Tensor("in.audio");
        var (z32, codes32, _, _) = model.Encode(audio32);
        model.to(ScalarType.Float64);
        var audio = audio32.to(ScalarType.Float64);
        var stages = model.EncoderNet.ForwardHidden(nn.functional.pad(audio, [0, 5])); // 1003 -> 1008, as DAC.preprocess
        Assert.Equal(5, stages.Count);
        for (int i = 0; i < stages.Count; i++)
        {
            double err = ParityFixture.MaxRelativeError(stages[i], fx.Tensor($"out.stage_{i}"));
            Assert.True(err < 1e-9, $"encoder stage {i}: largest relative error {err:E2}");
        }
        var (z, codes, latents, encoded) = model.Encode(audio);
        Assert.True(codes.eq(fx.Tensor("out.codes")).all().item<bool>(), "codebook indices differ");
        foreach (var (name, t) in new[] { ("out.encoded", encoded), ("out.latents", latents), ("out.z", z) })
        {
            double err = ParityFixture.MaxRelativeError(t, fx.Tensor(name));
            Assert.True(err < 1e-9, $"{name}: largest relative error {err:E2}");
        }
        Assert.True(codes32.eq(fx.Tensor("out.codes")).all().item<bool>(), "float32 codebook indices differ");
        double err32 = ParityFixture.MaxRelativeError(z32, fx.Tensor("out.z"));
        Assert.True(err32 < 1e-4, $"float32 z: largest relative error {err32:E2}");
    }

    [Fact]
    public void ParametrizationsStyleWeightNormKeysLoadTheSame()
    {
        var fx = new ParityFixture("Dac", "dac_tiny.safetensors");
        using var scope = NewDisposeScope();
        static string NewStyle(string k) => k
            .Replace(".weight_g", ".parametrizations.weight.original0")
            .Replace(".weight_v", ".parametrizations.weight.original1");
        using var model = LoadTiny(fx, Tiny(), NewStyle);
        using var noGrad = no_grad();
        var z = model.call(fx.Tensor("in.audio"));
        Assert.True(ParityFixture.MaxRelativeError(z, fx.Tensor("out.z")) < 1e-4);
    }

    [Theory]
    [InlineData(0.51, "out.z_chunked", 76)]
    [InlineData(null, "out.z_whole", 75)]
    public void EncoderChunksAsTheReleasedCodeOrEncodesWholeSegments(double? chunk, string expected, int frames)
    {
        var fx = new ParityFixture("Dac", "dac_tiny.safetensors");
        using var encoder = new DacEncoder(LoadTiny(fx, Tiny(chunk)), "tiny");
        Assert.Equal(frames, encoder.Info.FramesPerSegment);
        var segment = fx.Floats("in.segment");
        var embedding = encoder.Encode(new SegmentedAudio([segment, new float[600]], [600, 0], 400));
        Assert.Equal((2, frames, 16), (embedding.Segments, embedding.Frames, embedding.Dim));
        Assert.Equal(new[] { true, false }, embedding.Mask);
        var want = fx.Floats(expected);
        double worst = embedding.Segment(0).ToArray().Zip(want, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b))).Max();
        Assert.True(worst < 1e-4, $"largest relative error {worst:E2}");
    }

    [Fact]
    public void RealConfigHasTheReleasedGeometryAndKeys()
    {
        Assert.Equal((512, 1024, 862, 870), (DacConfig.Paper.HopLength, DacConfig.Paper.Latent,
            DacConfig.Paper.FramesPerSegment, DacConfig.PaperFaithful.FramesPerSegment));
        Assert.Equal(87, DacConfig.PaperFaithful.FramesFor(44100));
        using var model = new DacModel(DacConfig.PaperFaithful);
        var state = model.state_dict();
        Assert.Equal(new long[] { 64, 1, 7 }, state["encoder.block.0.weight_v"].shape);
        Assert.Equal(new long[] { 64, 1, 1 }, state["encoder.block.0.weight_g"].shape);
        Assert.Equal(new long[] { 1, 64, 1 }, state["encoder.block.1.block.0.block.0.alpha"].shape);
        Assert.Equal(new long[] { 128, 64, 4 }, state["encoder.block.1.block.4.weight_v"].shape);
        Assert.Equal(new long[] { 1024, 512, 16 }, state["encoder.block.4.block.4.weight_v"].shape);
        Assert.Equal(new long[] { 1, 1024, 1 }, state["encoder.block.5.alpha"].shape);
        Assert.Equal(new long[] { 1024, 1024, 3 }, state["encoder.block.6.weight_v"].shape);
        Assert.Equal(new long[] { 8, 1024, 1 }, state["quantizer.quantizers.8.in_proj.weight_v"].shape);
        Assert.Equal(new long[] { 1024, 8, 1 }, state["quantizer.quantizers.8.out_proj.weight_v"].shape);
        Assert.Equal(new long[] { 1024, 8 }, state["quantizer.quantizers.8.codebook.weight"].shape);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("quantizer.quantizers.9.", StringComparison.Ordinal));
        using var encoder = new DacEncoder(model, "random");
        Assert.Equal((44100, 1024, 870, 44100 / 512.0), (encoder.Info.SampleRate, encoder.Info.Dim, encoder.Info.FramesPerSegment, encoder.Info.FrameRate));
    }

    [Fact]
    public void LoadingNamesUnexpectedAndMissingKeysAndSkipsTheDecoder()
    {
        var fx = new ParityFixture("Dac", "dac_tiny.safetensors");
        using var model = new DacModel(Tiny());
        var weights = fx.Weights();
        weights["decoder.model.0.weight_v"] = zeros(3); // the decoder is not part of the encoder: skipped
        model.LoadCheckpoint(weights, "dac.pth");
        weights["encoder.block.9.alpha"] = zeros(1);
        Assert.Contains("encoder.block.9.alpha", Assert.Throws<StateDictMismatchException>(() => model.LoadCheckpoint(weights, "dac.pth")).Message);
        weights = fx.Weights();
        weights.Remove("quantizer.quantizers.2.codebook.weight");
        Assert.Contains("quantizer.quantizers.2.codebook.weight", Assert.Throws<StateDictMismatchException>(() => model.LoadCheckpoint(weights, "dac.pth")).Message);
    }

    [Fact]
    public void SnakeAndWeightNormFollowTheirFormulas()
    {
        using var scope = NewDisposeScope();
        var snake = new Snake1d(2);
        using (no_grad()) snake.get_parameter("alpha")!.copy_(tensor(new float[] { 0.5f, 2f }).reshape(1, 2, 1));
        var x = tensor(new float[] { 1f, -3f, 0.25f, 4f }).reshape(1, 2, 2);
        var y = snake.call(x).data<float>().ToArray();
        double S(double a, double v) => v + Math.Pow(Math.Sin(a * v), 2) / (a + 1e-9);
        Assert.Equal(new[] { S(0.5, 1), S(0.5, -3), S(2, 0.25), S(2, 4) }, y.Select(v => (double)v), new ToleranceComparer(1e-6));
        // With gradients wanted, the out-of-place path gives the same values and d/dx = 1 + sin(2 alpha x).
        var xg = x.detach().requires_grad_(true);
        var yg = snake.call(xg);
        Assert.Equal(y, yg.detach().data<float>().ToArray());
        yg.sum().backward();
        Assert.Equal(1 + Math.Sin(2 * 0.5 * 1), xg.grad!.data<float>()[0], 5);

        var conv = new WeightNormConv1d(3, 2, 5);
        using (no_grad()) conv.get_parameter("weight_g")!.copy_(tensor(new float[] { 2f, 0.5f }).reshape(2, 1, 1));
        var w = conv.Weight();
        Assert.Equal(new[] { 2.0, 0.5 }, w.pow(2).sum([1, 2]).sqrt().data<float>().ToArray().Select(v => (double)v), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void LoadsAReleasedStyleWeightsFile()
    {
        // {"state_dict" (parametrizations spelling, decoder included), "metadata": {"kwargs": ...}} (tools/parity/make_checkpoints.py).
        var fx = new ParityFixture("Dac", "dac_tiny.safetensors");
        string path = PianoJudges.Tests.Encoders.Weights.WeightsFixtures.Path_("Dac", "dac_tiny_weights.pth.tar");
        using var encoder = DacEncoder.FromCheckpoint(Tiny(), path);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var z = encoder.Model.call(fx.Tensor("in.audio"));
        Assert.True(ParityFixture.MaxRelativeError(z, fx.Tensor("out.z")) < 1e-4);
    }

    [Fact]
    public void WrongRateOrSegmentLengthIsRejected()
    {
        using var encoder = new DacEncoder(new DacModel(Tiny()), "random");
        Assert.Contains("400 Hz", Assert.Throws<ArgumentException>(() => encoder.Encode(new SegmentedAudio([new float[600]], [600], 800))).Message);
        Assert.Contains("600 samples", Assert.Throws<ArgumentException>(() => encoder.Encode(new SegmentedAudio([new float[500]], [500], 400))).Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));
        public int GetHashCode(double v) => 0;
    }
}

[Collection("GlobalTorchSeed")]
public class DacSeededTests
{
    public DacSeededTests() => TorchRuntime.EnsureInitialised();

    [Fact]
    public void SameSeedGivesTheSameLatentAndAnotherSeedDoesNot()
    {
        var config = new DacConfig(SampleRate: 400, EncoderDim: 4, EncoderRates: [2, 4], NCodebooks: 3, CodebookSize: 16, CodebookDim: 4, SegmentSeconds: 1.5);
        var rng = new Random(2);
        var segment = Enumerable.Range(0, 600).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] Run(int seed)
        {
            torch.manual_seed(seed);
            using var encoder = new DacEncoder(new DacModel(config), $"random-{seed}");
            return encoder.Encode(new SegmentedAudio([segment], [600], 400)).Data;
        }
        var first = Run(4);
        Assert.Equal(75 * 16, first.Length);
        Assert.Equal(first, Run(4));
        Assert.NotEqual(first, Run(5));
    }
}
