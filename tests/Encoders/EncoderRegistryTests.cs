namespace PianoJudges.Tests.Encoders;

using PianoJudges.Encoders;

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
        // DAC: 1 s chunks, ceil(44100 / 512) = 87 frames each, ten chunks.
        var dac = EncoderRegistry.Info("dac");
        Assert.Equal(10 * (int)Math.Ceiling(dac.FrameRate), dac.FramesPerSegment);
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
    }

    [Fact]
    public void LookUpIsCaseInsensitiveAndUnknownNamesListTheKnownOnes()
    {
        Assert.Equal("mert", EncoderRegistry.Info("MERT").Name);
        var error = Assert.Throws<ArgumentException>(() => EncoderRegistry.Info("wav2vec"));
        Assert.Contains("wav2vec", error.Message);
        foreach (var name in EncoderRegistry.Names) Assert.Contains(name, error.Message);
    }

    [Fact]
    public void CreateBuildsTheSpectrogramAndRefusesPretrainedEncodersForNow()
    {
        var encoder = EncoderRegistry.Create("spectrogram");
        Assert.IsType<SpectrogramEncoder>(encoder);
        Assert.Equal(EncoderRegistry.Info("spectrogram"), encoder.Info);
        foreach (var name in new[] { "mert", "audiomae", "dac", "jukebox" })
        {
            var error = Assert.Throws<NotSupportedException>(() => EncoderRegistry.Create(name));
            Assert.Contains("not available yet", error.Message);
        }
        Assert.Throws<ArgumentException>(() => EncoderRegistry.Create("nope"));
    }
}
