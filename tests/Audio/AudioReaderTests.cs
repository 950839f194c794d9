namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

public class AudioReaderTests
{
    [Theory]
    [InlineData(8, TestAudio.Pcm, false, 1.0 / 64)]
    [InlineData(16, TestAudio.Pcm, false, 1.0 / 16384)]
    [InlineData(24, TestAudio.Pcm, false, 1e-6)]
    [InlineData(32, TestAudio.Pcm, false, 1e-7)]
    [InlineData(32, TestAudio.IeeeFloat, false, 0)]
    [InlineData(64, TestAudio.IeeeFloat, false, 0)]
    [InlineData(24, TestAudio.Extensible, false, 1e-6)]
    [InlineData(32, TestAudio.Extensible, true, 0)]
    public void Wav_encodings_decode_to_the_written_samples(int bits, ushort tag, bool subFloat, double tolerance)
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(1000, 2, 22050, 440, 0.9);
        frames[10][0] = -1f; // full-scale negative is exact in every integer format
        var path = dir.Write("x.wav", TestAudio.Wav(frames, 22050, bits, tag, subFloat));
        var clip = AudioReader.Read(path);
        Assert.Equal(2, clip.Channels.Length);
        Assert.Equal(22050, clip.SampleRate);
        Assert.Equal(1000, clip.Length);
        for (int i = 0; i < 1000; i++)
            for (int c = 0; c < 2; c++)
                Assert.True(Math.Abs(clip.Channels[c][i] - frames[i][c]) <= tolerance + 1e-7, $"frame {i} ch {c}: {clip.Channels[c][i]} vs {frames[i][c]}");
        Assert.Equal(-1f, clip.Channels[0][10]);
    }

    [Fact]
    public void Wav_with_a_chunk_before_the_data_is_read_from_the_data()
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(300, 1, 8000, 100);
        var clip = AudioReader.Read(dir.Write("list.wav", TestAudio.Wav(frames, 8000, 16, extraChunk: true)));
        Assert.Equal(300, clip.Length);
        Assert.Equal(frames[123][0], clip.Channels[0][123], 1e-4f);
    }

    [Theory]
    [InlineData(6, 48000)]
    [InlineData(1, 8000)]
    [InlineData(2, 192000)]
    public void Odd_rates_and_channel_counts_are_valid(int channels, int rate)
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(rate / 10, channels, rate, 50, 0.1);
        var clip = AudioReader.Read(dir.Write("odd.wav", TestAudio.Wav(frames, rate, 16, channels > 2 ? TestAudio.Extensible : TestAudio.Pcm)));
        Assert.Equal(channels, clip.Channels.Length);
        Assert.Equal(rate, clip.SampleRate);
        Assert.Equal(rate / 10, clip.Length);
        // the down-mix is the channel mean
        var mono = clip.ToMono();
        double expected = Enumerable.Range(0, channels).Average(c => clip.Channels[c][77]);
        Assert.Equal(expected, mono[77], 1e-6);
    }

    [Fact]
    public void Silent_file_is_valid_and_stays_silent()
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(4000, 1, 16000, 100, amp: 0);
        var clip = AudioReader.Read(dir.Write("silence.wav", TestAudio.Wav(frames, 16000, 16)));
        Assert.Equal(4000, clip.Length);
        Assert.All(clip.Channels[0], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MaxSeconds_stops_early_and_allows_files_over_the_duration_limit()
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(8000 * 3, 2, 8000, 200);
        var path = dir.Write("three-seconds.wav", TestAudio.Wav(frames, 8000, 16));
        var clip = AudioReader.Read(path, new AudioReadOptions { MaxSeconds = 1.25, MaxDurationSeconds = 2 });
        Assert.Equal(10000, clip.Length);
        Assert.Equal(frames[9999][1], clip.Channels[1][9999], 1e-4f);
        var e = Assert.Throws<AudioFormatException>(() => AudioReader.Read(path, new AudioReadOptions { MaxDurationSeconds = 2 }));
        Assert.Contains("3 s long, over the maximum of 2 s", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Samples_slightly_beyond_one_are_kept_as_they_are()
    {
        using var dir = new TempDir();
        var frames = TestAudio.Sines(100, 1, 8000, 300, amp: 1.5);
        var clip = AudioReader.Read(dir.Write("hot.wav", TestAudio.Wav(frames, 8000, 32, TestAudio.IeeeFloat)));
        Assert.Equal(frames.Max(f => Math.Abs(f[0])), clip.Channels[0].Max(Math.Abs));
    }

    [Fact]
    public void Ogg_vorbis_salamander_sample_decodes()
    {
        var path = SampleFiles.Ogg("C4v1.ogg");
        var clip = AudioReader.Read(path);
        Assert.Equal(48000, clip.SampleRate);
        Assert.Equal(2, clip.Channels.Length);
        Assert.InRange(clip.DurationSeconds, 5, 60);
        var mono = clip.ToMono();
        double peak = mono.Max(Math.Abs);
        Assert.InRange(peak, 0.001, 1.0);
        // middle C: the 261.6 Hz fundamental dominates its neighbourhood early in the note
        int from = 4800, to = from + 48000 / 2;
        double c4 = TestAudio.Amplitude(mono, 48000, 261.63, from, to);
        double off = TestAudio.Amplitude(mono, 48000, 261.63 * 1.26, from, to);
        Assert.True(c4 > 5 * off, $"C4 amplitude {c4} vs off-pitch {off}");
    }

    [Fact]
    public void Mp3_salamander_sample_decodes_and_matches_the_ogg_of_the_same_note()
    {
        var mp3 = AudioReader.Read(SampleFiles.Mp3("A4v1.mp3"));
        Assert.Equal(44100, mp3.SampleRate);
        Assert.Equal(2, mp3.Channels.Length);
        Assert.InRange(mp3.DurationSeconds, 5, 60);
        var mono = mp3.ToMono();
        int from = 4410, to = from + 22050;
        double a4 = TestAudio.Amplitude(mono, 44100, 440, from, to);
        double off = TestAudio.Amplitude(mono, 44100, 440 * 1.26, from, to);
        Assert.True(a4 > 5 * off, $"A4 amplitude {a4} vs off-pitch {off}");
        // same recording in both packages: durations agree within encoder padding
        var ogg = AudioReader.Read(SampleFiles.Ogg("A4v1.ogg"));
        Assert.InRange(mp3.DurationSeconds - ogg.DurationSeconds, -0.2, 0.2);
    }

    [Fact]
    public void Ogg_MaxSeconds_stops_early()
    {
        var clip = AudioReader.Read(SampleFiles.Ogg("A0v1.ogg"), new AudioReadOptions { MaxSeconds = 0.5 });
        Assert.Equal(24000, clip.Length);
    }

    [Fact]
    public void Ogg_and_mp3_over_the_duration_limit_are_rejected()
    {
        var tight = new AudioReadOptions { MaxDurationSeconds = 1 };
        Assert.Contains("over the maximum of 1 s", Assert.Throws<AudioFormatException>(() => AudioReader.Read(SampleFiles.Ogg("C4v1.ogg"), tight)).Message);
        Assert.Contains("over the maximum of 1 s", Assert.Throws<AudioFormatException>(() => AudioReader.Read(SampleFiles.Mp3("C4v1.mp3"), tight)).Message);
    }

    [Fact]
    public void Format_is_recognised_from_content_not_name()
    {
        using var dir = new TempDir();
        var wavNamedMp3 = dir.Write("actually-wav.mp3", TestAudio.Wav(TestAudio.Sines(500, 1, 8000, 100), 8000, 16));
        Assert.Equal(500, AudioReader.Read(wavNamedMp3).Length);
        var oggNamedWeird = dir.File("actually-ogg.bin");
        File.Copy(SampleFiles.Ogg("C7v1.ogg"), oggNamedWeird);
        Assert.Equal(48000, AudioReader.Read(oggNamedWeird).SampleRate);
    }
}

public class WavWriterTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Written_files_read_back(bool float32)
    {
        using var dir = new TempDir();
        var x = TestAudio.Sine(1234, 24000, 997, 0.7);
        x[5] = 1.5f; // 16-bit clips, float keeps it
        var path = dir.File("out.wav");
        WavWriter.WriteMono(path, x, 24000, float32);
        var clip = AudioReader.Read(path);
        Assert.Equal(24000, clip.SampleRate);
        Assert.Single(clip.Channels);
        Assert.Equal(1234, clip.Length);
        Assert.Equal(float32 ? 1.5f : 32767f / 32768, clip.Channels[0][5], 1e-6f);
        // 16-bit: written as round(x·32767), read as n/32768 (libsndfile's convention on both sides), ±1 LSB of rounding
        for (int i = 6; i < x.Length; i++)
            Assert.Equal(float32 ? x[i] : (float)(Math.Round(x[i] * 32767.0) / 32768), clip.Channels[0][i], float32 ? 0f : 1.01f / 32768);
    }
}
