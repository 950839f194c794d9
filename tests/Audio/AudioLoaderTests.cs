namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

public class AudioLoaderTests
{
    [Fact]
    public void Loads_mono_resampled_segments()
    {
        using var d = new TempDir();
        // 25 s of 8 kHz stereo: left 200 Hz, right 400 Hz; the mean carries both at half amplitude
        var path = d.Write("rec.wav", TestAudio.Wav(TestAudio.Sines(8000 * 25, 2, 8000, 200, 0.8), 8000, 16));
        var s = AudioLoader.LoadSegments(path, 24000, SegmentingOptions.Paper);
        Assert.Equal(24000, s.SampleRate);
        Assert.Equal(3, s.Count);
        Assert.Equal(240000, s.SegmentSamples);
        Assert.Equal([240000, 240000, 120000], s.ValidSamples);
        Assert.Equal(0.4, TestAudio.Amplitude(s.Segments[1], 24000, 400, 1000, 200000), 1e-3);
        Assert.Equal(0.4, TestAudio.Amplitude(s.Segments[1], 24000, 200, 1000, 200000), 1e-3);
        var faithful = AudioLoader.LoadSegments(path, 24000, SegmentingOptions.PaperFaithful);
        Assert.Equal([240000, 240000], faithful.ValidSamples);
    }

    [Fact]
    public void Reads_only_what_the_segments_need_and_matches_a_whole_file_load()
    {
        using var d = new TempDir();
        var frames = TestAudio.Sines(8000 * 12, 1, 8000, 300, 0.5);
        var path = d.Write("long.wav", TestAudio.Wav(frames, 8000, 16));
        var two = new SegmentingOptions(SegmentSeconds: 2, MaxSegments: 2);
        // a 1 s duration limit would reject the file if it were read whole
        var s = AudioLoader.LoadSegments(path, 16000, two, new AudioReadOptions { MaxDurationSeconds = 5 });
        Assert.Equal([32000, 32000], s.ValidSamples);
        var whole = Resampler.Resample(AudioReader.Read(path).ToMono(), 8000, 16000);
        for (int i = 0; i < 32000; i += 101) Assert.Equal(whole[32000 + i], s.Segments[1][i], 1e-5f);
    }

    [Fact]
    public void Salamander_ogg_loads_at_the_paper_rate()
    {
        var s = AudioLoader.LoadSegments(SampleFiles.Ogg("C4v1.ogg"), 24000);
        Assert.Equal(2, s.Count); // 12.05 s
        Assert.Equal(240000, s.ValidSamples[0]);
        Assert.InRange(s.ValidSamples[1], 45000, 55000); // the 2.05 s tail, zero-padded
    }

    [Fact]
    public void Bad_file_error_names_the_file()
    {
        using var d = new TempDir();
        var path = d.Write("bad.wav", "not audio at all"u8.ToArray());
        var e = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadSegments(path, 24000));
        Assert.Equal(path, e.Path);
    }
}
