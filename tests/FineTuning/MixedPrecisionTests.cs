namespace PianoJudges.Tests.FineTuning;

using PianoJudges.FineTuning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Seeds torch's global generator: runs in the non-parallel GlobalTorchSeed collection (tests/Encoders/AudioMaeTests.cs).</summary>
[Collection("GlobalTorchSeed")]
public class MixedPrecisionTests
{
    public MixedPrecisionTests() => FineTuningTestSetup.Initialise();

    private static Sequential Net() => nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 1));

    private static Dictionary<string, Tensor> Gradients(Sequential master) =>
        master.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());

    [Theory]
    [InlineData(TrainingPrecision.Bf16, 0.05)]
    [InlineData(TrainingPrecision.Fp16, 0.01)]
    public void CopyComputesInLowPrecisionAndHandsFloat32GradientsToTheMaster(TrainingPrecision precision, double tolerance)
    {
        manual_seed(5);
        var master = Net();
        var x = randn(32, 8);
        var y = randn(32, 1);
        nn.functional.mse_loss(master.call(x), y).backward();
        var reference = Gradients(master);
        master.zero_grad();

        var before = random.get_rng_state();
        using var mixed = new MixedPrecisionModel<Sequential>(master, precision, Net);
        Assert.True(random.get_rng_state().equal(before).all().item<bool>()); // building the copy draws nothing from the run's generator
        mixed.Sync();
        Assert.All(mixed.Compute.parameters(), p => Assert.Equal(precision.DType(), p.dtype));
        const double scale = 1024;
        var output = mixed.Compute.call(x.to(precision.DType())).to(ScalarType.Float32);
        (nn.functional.mse_loss(output, y) * scale).backward();
        Assert.True(mixed.GradientsToMaster(scale, checkFinite: true));
        foreach (var (name, g) in Gradients(master))
        {
            Assert.Equal(ScalarType.Float32, g.dtype);
            double error = (g - reference[name]).norm().item<float>() / Math.Max(1e-12, reference[name].norm().item<float>());
            Assert.True(error < tolerance, $"{name}: relative error {error}");
        }
        Assert.All(mixed.Compute.parameters(), p => Assert.Null(p.grad));
        Assert.All(master.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));

        // A scale that overflows float16 (bfloat16 has float32's range) is caught.
        if (precision == TrainingPrecision.Fp16)
        {
            mixed.Sync();
            (nn.functional.mse_loss(mixed.Compute.call(x.to(precision.DType())).to(ScalarType.Float32), y) * 1e30).backward();
            Assert.False(mixed.GradientsToMaster(1e30, checkFinite: true));
        }
    }

    [Fact]
    public void DacStepInBf16GivesTheFloat32GradientsOfEveryParameter()
    {
        // The weight-normalised convolutions once kept float32 parameters registered after Module.to(bfloat16): the
        // forward used converted copies, so most of the codec got no gradient. Every parameter must get one, close to float32's.
        var toy = PianoJudges.FineTuning.Dac.DacTrainingConfig.Toy;
        var batch = Enumerable.Range(0, 4).Select(i => PianoFixture.Note(55 + 4 * i, toy.CropSamples / 8000.0 + 0.01, 8000).Take(toy.CropSamples).ToArray()).ToArray();
        Dictionary<string, Tensor> Step(TrainingPrecision precision)
        {
            manual_seed(1);
            using var training = new PianoJudges.FineTuning.Dac.DacCodecTraining(toy, precision: precision);
            manual_seed(2);
            training.Step([batch], 0, new PianoJudges.Data.SplitMix64(3));
            return training.Generator.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }
        var full = Step(TrainingPrecision.Fp32);
        var half = Step(TrainingPrecision.Bf16);
        Assert.Equal(full.Keys.Order(), half.Keys.Order());
        var cosines = full.Select(kv => (kv.Key, cos: (kv.Value * half[kv.Key]).sum().item<float>() / (kv.Value.norm().item<float>() * half[kv.Key].norm().item<float>()))).ToList();
        Assert.All(cosines, c => Assert.True(c.cos > 0.8, $"{c.Key}: cosine {c.cos}"));
        Assert.True(cosines.Select(c => c.cos).Order().ElementAt(cosines.Count / 2) > 0.97);
    }

    [Fact]
    public void LossScaleBacksOffOnOverflowAndGrowsAfterTheInterval()
    {
        var scale = new DynamicLossScale(enabled: true, initialScale: 1024, growthInterval: 3);
        scale.Update(false);
        Assert.Equal(512, scale.Scale);
        Assert.Equal(1, scale.SkippedSteps);
        scale.Update(true);
        scale.Update(true);
        Assert.Equal(512, scale.Scale);
        scale.Update(true);
        Assert.Equal(1024, scale.Scale);
        Assert.Equal(0, scale.GoodSteps);
        var off = new DynamicLossScale(enabled: false);
        off.Update(false);
        Assert.Equal(1.0, off.Scale);

        using var dir = new PianoJudges.Tests.Support.TempDir();
        scale.Update(true);
        scale.Save(dir.Path);
        var back = new DynamicLossScale(enabled: true);
        back.Load(dir.Path);
        Assert.Equal((1024.0, 1), (back.Scale, back.GoodSteps));
        Assert.Throws<FileNotFoundException>(() => new DynamicLossScale(true).Load(dir.File("none")));
    }
}
