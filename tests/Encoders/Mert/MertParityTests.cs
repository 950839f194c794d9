namespace PianoJudges.Tests.Encoders.Mert;

using PianoJudges.Encoders.Mert;
using PianoJudges.Encoders.Weights;
using PianoJudges.Native;
using PianoJudges.Tests.Encoders.Weights;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Layer-by-layer parity with tools/parity/mert_reference.py (an independent torch 1.13 implementation
/// of the released MERT/HuBERT forward pass): same weights, same normalised input, every hidden state
/// within 1e-5. The golden files are committed, so this runs without Python, and a refactor that
/// changes the numbers fails here.
/// </summary>
public class MertParityTests
{
    private const double Tolerance = 1e-5;

    public MertParityTests() => TorchRuntime.EnsureInitialised();

    [Theory]
    [InlineData("postnorm", "tiny-postnorm.bin")]          // MERT-v1-95M layout, torch.save, weight_g/weight_v
    [InlineData("stable", "tiny-stable.safetensors")]      // MERT-v1-330M layout, parametrizations keys
    [InlineData("deepnorm", "tiny-deepnorm.bin")]          // layer-norm front end, DeepNorm, attention relax 32
    public void EveryHiddenStateMatchesTheReference(string name, string weights)
    {
        var config = MertConfig.FromJson(WeightsFixtures.Mert($"tiny-{name}.config.json"));
        using var model = new MertModel(config);
        using (var sd = StateDict.Load(WeightsFixtures.Mert(weights)))
            StateDictLoader.LoadInto(model, sd);
        model.eval();
        using var golden = Safetensors.Load(WeightsFixtures.Mert($"tiny-{name}.golden.safetensors"));
        using var scope = NewDisposeScope();
        using var _ = torch.inference_mode();
        var states = model.HiddenStates(golden["input_values"]);
        Assert.Equal(config.NumHiddenLayers + 1, states.Length);
        for (int i = 0; i < states.Length; i++)
        {
            var want = golden[$"hidden_states.{i}"];
            Assert.Equal(want.shape, states[i]!.shape);
            double err = (states[i]! - want).abs().max().item<float>();
            Assert.True(err <= Tolerance, $"{name}: hidden state {i} differs from the reference by {err:g3}");
        }
        // The hidden states move: a model that ignored its layers would not pass the per-layer check above.
        Assert.True((golden["hidden_states.0"] - golden[$"hidden_states.{config.NumHiddenLayers}"]).abs().max().item<float>() > 0.1);
    }

    [Fact]
    public void ProcessorNormalisationMatchesTheReference()
    {
        using var golden = Safetensors.Load(WeightsFixtures.Mert("tiny-postnorm.golden.safetensors"));
        var wave = golden["wave"].data<float>().ToArray();
        var expected = golden["input_values"].data<float>().ToArray();
        for (int s = 0; s < 2; s++)
        {
            var seg = wave.AsSpan(s * 1600, 1600);
            MertEncoder.NormalizeInPlace(seg);
        }
        for (int i = 0; i < wave.Length; i++) Assert.Equal(expected[i], wave[i], 5);
    }
}
