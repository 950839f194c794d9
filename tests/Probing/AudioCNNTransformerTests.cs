namespace PianoJudges.Tests.Probing;

using PianoJudges.Native;
using PianoJudges.Probing;
using TorchSharp;
using static TorchSharp.torch;

public class AudioCNNTransformerTests
{
    public AudioCNNTransformerTests() => TorchRuntime.EnsureInitialised();

    // (T, D) per 10 s segment of each encoder (paper Table 1 / released code).
    public static TheoryData<string, int, int> Encoders => new()
    {
        { "spectrogram", 1500, 128 },
        { "mert", 749, 1024 },
        { "audiomae", 512, 768 },
        { "dac", 870, 1024 },
        { "jukebox", 3445, 64 },
    };

    private static long Conv(long n) => (n + 2 * 1 - 7) / 5 + 1;

    /// <summary>Parameter count of the released AudioCNNTransformer, written out layer by layer.</summary>
    private static long ExpectedParameters(long t, long d, long classes)
    {
        long flat = Conv(Conv(t)) * Conv(Conv(d));
        long convBlock1 = (1 * 2 * 7 * 7 + 2) + (2 + 2);          // conv 1->2, BatchNorm2d(2) weight+bias
        long convBlock2 = (2 * 1 * 7 * 7 + 1) + (1 + 1);          // conv 2->1, BatchNorm2d(1)
        long fc = flat * 128 + 128;
        long attention = (3 * 128 * 128 + 3 * 128) + (128 * 128 + 128);
        long feedForward = (128 * 64 + 64) + (64 * 128 + 128);
        long norms = 2 * (128 + 128);
        long regression = 128 * 30 * classes + classes;
        return convBlock1 + convBlock2 + fc + attention + feedForward + norms + regression;
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void ParameterCountMatchesTheLayerFormulaForEveryEncoderSingleAndPaired(string encoder, int t, int d)
    {
        foreach (var (frames, classes) in new[] { (t, 9), (t, 7), (2 * t, 2), (2 * t, 4) })
        {
            using var model = new AudioCNNTransformer(new ProbeHeadConfig(frames, d, classes));
            long count = model.parameters().Sum(p => p.numel());
            Assert.True(ExpectedParameters(frames, d, classes) == count, $"{encoder} T={frames} D={d} K={classes}: {count}");
        }
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void ForwardOnTheEncodersRealShapeGivesOneRowOfLogitsPerRecording(string encoder, int t, int d)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var model = new AudioCNNTransformer(new ProbeHeadConfig(t, d, 4));
        model.eval();
        using var _ = no_grad();
        var y = model.forward(randn(1, 30, t, d), ones(1, 30, dtype: ScalarType.Bool));
        Assert.Equal(new long[] { 1, 4 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>(), encoder);
    }

    [Fact]
    public void StateDictKeysAreTheReleasedModulesNames()
    {
        using var model = new AudioCNNTransformer(new ProbeHeadConfig(100, 50, 2));
        var keys = model.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "conv_block1.conv.weight", "conv_block1.conv.bias", "conv_block1.bn.weight", "conv_block1.bn.bias",
            "conv_block1.bn.running_mean", "conv_block1.bn.running_var", "conv_block1.bn.num_batches_tracked",
            "conv_block2.conv.weight", "conv_block2.conv.bias", "conv_block2.bn.weight", "conv_block2.bn.bias",
            "conv_block2.bn.running_mean", "conv_block2.bn.running_var", "conv_block2.bn.num_batches_tracked",
            "fc.weight", "fc.bias",
            "transformer_encoder.layers.0.self_attn.in_proj_weight", "transformer_encoder.layers.0.self_attn.in_proj_bias",
            "transformer_encoder.layers.0.self_attn.out_proj.weight", "transformer_encoder.layers.0.self_attn.out_proj.bias",
            "transformer_encoder.layers.0.linear1.weight", "transformer_encoder.layers.0.linear1.bias",
            "transformer_encoder.layers.0.linear2.weight", "transformer_encoder.layers.0.linear2.bias",
            "transformer_encoder.layers.0.norm1.weight", "transformer_encoder.layers.0.norm1.bias",
            "transformer_encoder.layers.0.norm2.weight", "transformer_encoder.layers.0.norm2.bias",
            "regression.weight", "regression.bias",
        ];
        Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal), keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void TooSmallAnInputIsRefusedWithTheMinimumSize()
    {
        var e = Assert.Throws<ArgumentException>(() => new AudioCNNTransformer(new ProbeHeadConfig(10, 50, 2)));
        Assert.Contains("T=10", e.Message);
        Assert.Contains("25", e.Message);
    }

    private static (AudioCNNTransformer Corrected, AudioCNNTransformer Faithful) Twins()
    {
        random.manual_seed(7);
        var corrected = new AudioCNNTransformer(new ProbeHeadConfig(50, 40, 3, ProbeMode.Corrected));
        var faithful = new AudioCNNTransformer(new ProbeHeadConfig(50, 40, 3, ProbeMode.Faithful));
        faithful.load_state_dict(corrected.state_dict());
        corrected.eval();
        faithful.eval();
        return (corrected, faithful);
    }

    [Fact]
    public void PaddedSegmentContentChangesTheFaithfulOutputButNotTheCorrectedOne()
    {
        using var scope = NewDisposeScope();
        var (corrected, faithful) = Twins();
        random.manual_seed(3);
        var x = randn(2, 30, 50, 40);
        var mask = ones(2, 30, dtype: ScalarType.Bool);
        mask[.., 20..] = tensor(false);
        x[.., 20..] = zeros(2, 10, 50, 40);
        var x2 = x.clone();
        x2[.., 20..] = randn(2, 10, 50, 40) * 3;
        using var _ = no_grad();
        Assert.True(corrected.forward(x, mask).allclose(corrected.forward(x2, mask), rtol: 0, atol: 1e-6));
        Assert.False(faithful.forward(x, mask).allclose(faithful.forward(x2, mask), rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void WithoutPaddingBothModesGiveTheSameLogits()
    {
        using var scope = NewDisposeScope();
        var (corrected, faithful) = Twins();
        random.manual_seed(4);
        var x = randn(2, 30, 50, 40);
        var mask = ones(2, 30, dtype: ScalarType.Bool);
        using var _ = no_grad();
        Assert.True(corrected.forward(x, mask).allclose(faithful.forward(x, mask), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void FaithfulLossActivatesTwiceCorrectedLossTakesLogits()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2f, 0f, -1f }, [1, 3]);
        var y = tensor(new long[] { 0 });
        var obj = new ProbeObjective(ObjectiveKind.SingleLabel, 3);
        double[] p = [Math.Exp(2), 1, Math.Exp(-1)];
        double z = p.Sum();
        p = p.Select(v => v / z).ToArray();
        double logitsLoss = -Math.Log(p[0]);
        double q0 = Math.Exp(p[0]) / p.Sum(Math.Exp);
        Assert.Equal(logitsLoss, obj.Loss(logits, y, ProbeMode.Corrected).item<float>(), 5);
        Assert.Equal(-Math.Log(q0), obj.Loss(logits, y, ProbeMode.Faithful).item<float>(), 5);

        var ml = new ProbeObjective(ObjectiveKind.MultiLabel, 1, PosWeight: [3f]);
        var l = tensor(new float[] { 0.5f }, [1, 1]);
        var t = tensor(new float[] { 1f }, [1, 1]);
        double s = 1 / (1 + Math.Exp(-0.5));
        Assert.Equal(-3 * Math.Log(s), ml.Loss(l, t, ProbeMode.Corrected).item<float>(), 5);
        double ss = 1 / (1 + Math.Exp(-s));
        Assert.Equal(-3 * Math.Log(ss), ml.Loss(l, t, ProbeMode.Faithful).item<float>(), 5);
    }
}
