namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders;
using PianoJudges.Encoders.AudioMae;
using PianoJudges.Encoders.Dac;
using PianoJudges.Encoders.Jukebox;
using PianoJudges.Encoders.Mert;

public class EncoderRegistryTests
{
    [Fact]
    public void ListsThePapersFiveEncoders() =>
        Assert.Equal(["spectrogram", "mert", "audiomae", "dac", "jukebox"], EncoderRegistry.Names);

    [Fact]
    public void FramesPerSegmentFollowFromEachEncodersHop()
    {
        // spectrogram: hop 160 at 24 kHz, 1 + 240000 / 160 = 1501 centred frames, the last one cut.
        var spec = EncoderRegistry.Info("spectrogram");
        Assert.Equal(new MelSpectrogram().FrameCount(10 * spec.SampleRate) - 1, spec.FramesPerSegment);
        Assert.Equal(spec.FramesPerSegment, (int)(10 * spec.FrameRate));
        // DAC: whole segments ceil(441000 / 512) = 862 frames; faithful 1 s chunks, ceil(44100 / 512) = 87 frames each, ten chunks.
        var dac = EncoderRegistry.Info("dac");
        Assert.Equal((int)Math.Ceiling(10 * dac.FrameRate), dac.FramesPerSegment);
        Assert.Equal(10 * (int)Math.Ceiling(dac.FrameRate), EncoderRegistry.Info("dac", faithful: true).FramesPerSegment);
        // Jukebox: hop 128 at 44.1 kHz over 10 s.
        var jukebox = EncoderRegistry.Info("jukebox");
        Assert.Equal((int)(10 * jukebox.FrameRate), jukebox.FramesPerSegment);
        // MERT: one short of 75 Hz x 10 s; Audio-MAE: 512 patches.
        Assert.Equal(749, EncoderRegistry.Info("mert").FramesPerSegment);
        Assert.Equal((int)(10 * EncoderRegistry.Info("audiomae").FrameRate), EncoderRegistry.Info("audiomae").FramesPerSegment);
    }

    [Fact]
    public void DimsAndRatesAreTable1s()
    {
        var rows = EncoderRegistry.Names.Select(n => EncoderRegistry.Info(n)).Select(i => (i.Name, i.SampleRate, i.Dim)).ToArray();
        Assert.Equal([("spectrogram", 24000, 128), ("mert", 24000, 1024), ("audiomae", 16000, 768), ("dac", 44100, 1024), ("jukebox", 44100, 64)], rows);
        Assert.Equal(100.0, EncoderRegistry.Entry("spectrogram").PaperFrameRate);
        // The released code feeds Audio-MAE 32 kHz audio.
        Assert.Equal(32000, EncoderRegistry.Info("audiomae", faithful: true).SampleRate);
    }

    /// <summary>The ports compute their facts from their configs; the registry states them once. They must agree in both modes.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachPortsFactsEqualTheRegistrys(bool faithful)
    {
        Assert.True(EncoderRegistry.SameFacts(EncoderRegistry.Info("mert", faithful), MertEncoder.Describe(MertConfig.Mert330M, MertLayerSelection.Last)));
        Assert.True(EncoderRegistry.SameFacts(EncoderRegistry.Info("audiomae", faithful), AudioMaeEncoder.Describe(EncoderRegistry.AudioMaeConfigFor(faithful))));
        Assert.True(EncoderRegistry.SameFacts(EncoderRegistry.Info("dac", faithful), DacEncoder.Describe(EncoderRegistry.DacConfigFor(faithful))));
        Assert.True(EncoderRegistry.SameFacts(EncoderRegistry.Info("jukebox", faithful), JukeboxEncoder.Describe(EncoderRegistry.JukeboxConfigFor(faithful))));
        Assert.Equal(EncoderRegistry.Info("spectrogram", faithful), new SpectrogramEncoder().Info);
    }

    [Fact]
    public void FaithfulSelectsTheReleasedCodesConfigs()
    {
        Assert.Equal(AudioMaeConfig.PaperFaithful, EncoderRegistry.AudioMaeConfigFor(true));
        Assert.Equal(AudioMaeConfig.Paper, EncoderRegistry.AudioMaeConfigFor(false));
        Assert.Equal(DacConfig.PaperFaithful, EncoderRegistry.DacConfigFor(true));
        Assert.Equal(JukeboxConfig.PaperFaithful, EncoderRegistry.JukeboxConfigFor(true));
        Assert.Equal(JukeboxConfig.Paper, EncoderRegistry.JukeboxConfigFor(false));
        foreach (var e in EncoderRegistry.Entries) Assert.False(string.IsNullOrWhiteSpace(e.FaithfulChanges), e.Info.Name);
    }

    [Fact]
    public void LookUpIsCaseInsensitiveAndUnknownNamesListTheKnownOnes()
    {
        Assert.Equal("mert", EncoderRegistry.Info("MERT").Name);
        var error = Assert.Throws<ArgumentException>(() => EncoderRegistry.Info("wav2vec"));
        Assert.Contains("wav2vec", error.Message);
        foreach (var name in EncoderRegistry.Names) Assert.Contains(name, error.Message);
        Assert.Throws<ArgumentException>(() => EncoderRegistry.Create("nope"));
    }

    [Fact]
    public void CreateBuildsTheSpectrogramWithTheRegistrysInfo()
    {
        var encoder = EncoderRegistry.Create("spectrogram");
        Assert.IsType<SpectrogramEncoder>(encoder);
        Assert.Equal(EncoderRegistry.Info("spectrogram"), encoder.Info);
    }

    [Theory]
    [InlineData("mert", "model.safetensors")]
    [InlineData("audiomae", "finetuned.pth")]
    [InlineData("dac", "weights_44khz_8kbps_0.0.1.pth")]
    [InlineData("jukebox", "vqvae.pth.tar")]
    public void MissingWeightsNameTheEncoderTheFileAndTheOptions(string name, string file)
    {
        string empty = Directory.CreateTempSubdirectory("pj-weights-").FullName;
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => EncoderRegistry.Create(name, new EncoderOptions(Weights: empty)));
            Assert.Contains($"encoder {name}", error.Message);
            Assert.Contains(file, error.Message);
            Assert.Contains("--weights", error.Message);
            Assert.Contains("--random-weights", error.Message);
        }
        finally { Directory.Delete(empty, true); }
    }

    [Fact]
    public void OptionsThatDoNotApplyAreRefusedByName()
    {
        Assert.Contains("--layer", Assert.Throws<ArgumentException>(() => EncoderRegistry.Create("dac", new EncoderOptions(Layer: "3", RandomWeights: true))).Message);
        Assert.Contains("--device", Assert.Throws<ArgumentException>(() => EncoderRegistry.Create("jukebox", new EncoderOptions(Device: "cuda", RandomWeights: true))).Message);
        Assert.Contains("--weights", Assert.Throws<ArgumentException>(() => EncoderRegistry.Create("spectrogram", new EncoderOptions(Weights: "x.pth"))).Message);
        Assert.Throws<FormatException>(() => EncoderRegistry.MertOptions(new EncoderOptions(Layer: "middle")));
        Assert.Equal("avg:3-5", EncoderRegistry.MertOptions(new EncoderOptions(Layer: "avg:3-5")).LayerSelection.ToString());
    }
}

/// <summary>Random-weight encoders at their real size (MERT, 330M parameters, is slow to build: it is checked by facts above).</summary>
[Collection("GlobalTorchSeed")]
public class EncoderRegistryRandomWeightsTests
{
    [Theory]
    [InlineData("dac", false)]
    [InlineData("dac", true)]
    [InlineData("jukebox", false)]
    [InlineData("jukebox", true)]
    [InlineData("audiomae", false)]
    [InlineData("audiomae", true)]
    public void CreatedEncodersInfoIsTheRegistrysAndTheKeySaysRandom(string name, bool faithful)
    {
        var encoder = EncoderRegistry.Create(name, new EncoderOptions(Faithful: faithful, RandomWeights: true, Seed: 3));
        try
        {
            Assert.True(EncoderRegistry.SameFacts(EncoderRegistry.Info(name, faithful), encoder.Info), $"{encoder.Info} vs {EncoderRegistry.Info(name, faithful)}");
            Assert.Contains("weights=random-seed3", encoder.ConfigKey);
        }
        finally { (encoder as IDisposable)?.Dispose(); }
    }

    [Fact]
    public void TheSeedDecidesTheWeightsAndTheKeySeparatesSeedsAndModes()
    {
        float[] Weights(int seed, bool faithful, out string key)
        {
            using var e = (JukeboxEncoder)EncoderRegistry.Create("jukebox", new EncoderOptions(Faithful: faithful, RandomWeights: true, Seed: seed));
            key = e.ConfigKey;
            return e.Model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        var a = Weights(1, false, out string keyA);
        Assert.Equal(a, Weights(1, false, out string keyA2));
        Assert.Equal(keyA, keyA2);
        Assert.NotEqual(a, Weights(2, false, out string keyB));
        Assert.NotEqual(keyA, keyB);
        Weights(1, true, out string keyFaithful);
        Assert.NotEqual(keyA, keyFaithful);
    }
}
