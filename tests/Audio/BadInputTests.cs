namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

/// <summary>Every kind of unusable file gives an AudioFormatException naming the file and the problem (lib/Audio/README.md tables them).</summary>
public class BadInputTests
{
    private static AudioFormatException Fails(string path, string problem, AudioReadOptions? options = null)
    {
        var e = Assert.Throws<AudioFormatException>(() => AudioReader.Read(path, options ?? AudioReadOptions.Default));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Problem);
        return e;
    }

    private static byte[] Wav16(int frames = 800) => TestAudio.Wav(TestAudio.Sines(frames, 1, 8000, 100), 8000, 16);

    [Fact]
    public void Zero_length_file() { using var d = new TempDir(); Fails(d.Write("empty.wav", []), "file is empty (0 bytes)"); }

    [Fact]
    public void Header_only_wav() { using var d = new TempDir(); Fails(d.Write("header.wav", TestAudio.Wav([], 8000, 16)), "contains no audio samples"); }

    [Fact]
    public void Truncated_wav()
    {
        using var d = new TempDir();
        Fails(d.Write("cut.wav", TestAudio.Wav(TestAudio.Sines(800, 1, 8000, 100), 8000, 16, dropTrailingBytes: 600)), "truncated WAV: the data chunk declares 1600 bytes but only 1000 follow");
    }

    [Fact]
    public void Streaming_placeholder_size_reads_to_the_end()
    {
        using var d = new TempDir();
        var clip = AudioReader.Read(d.Write("pipe.wav", TestAudio.Wav(TestAudio.Sines(800, 1, 8000, 100), 8000, 16, declaredDataBytes: 0xFFFFFFFF)));
        Assert.Equal(800, clip.Length);
    }

    [Fact]
    public void Random_bytes_with_audio_extensions()
    {
        using var d = new TempDir();
        var rnd = new Random(7);
        var bytes = new byte[50_000];
        rnd.NextBytes(bytes);
        bytes[0] = 0x13; // not a sync byte
        Fails(d.Write("noise.wav", bytes), "is not a WAV file: no RIFF/WAVE header");
        Fails(d.Write("noise.ogg", bytes), "is not an OGG file");
        Fails(d.Write("noise.mp3", bytes), "is not an MP3 file");
        // random bytes that happen to start like an MPEG frame, or an OGG page
        bytes[0] = 0xFF; bytes[1] = 0xFB;
        var e = Assert.Throws<AudioFormatException>(() => AudioReader.Read(d.Write("sync.mp3", bytes)));
        Assert.Matches("not an MP3 file|truncated or corrupt MP3|cannot decode it as MP3", e.Problem);
        "OggS"u8.CopyTo(bytes);
        Fails(d.Write("page.ogg", bytes), "corrupt OGG/Vorbis data: ");
    }

    [Fact]
    public void Text_named_mp3() { using var d = new TempDir(); Fails(d.Write("lyrics.mp3", "Prelude in E minor, Op. 28 No. 4\n"u8.ToArray()), "is a text file, not audio"); }

    [Fact]
    public void Truncated_and_corrupt_mp3_are_caught_by_the_declared_length()
    {
        using var d = new TempDir();
        var mp3 = File.ReadAllBytes(SampleFiles.Mp3("C4v1.mp3"));
        Fails(d.Write("half.mp3", mp3[..(mp3.Length / 2)]), "truncated or corrupt MP3");
        var damaged = (byte[])mp3.Clone();
        for (int i = mp3.Length / 3; i < mp3.Length / 3 + 4000; i++) damaged[i] ^= 0x5A;
        Fails(d.Write("damaged.mp3", damaged), "truncated or corrupt MP3");
        Fails(d.Write("stub.mp3", mp3[..300]), "MP3");
    }

    [Fact]
    public void Corrupt_ogg_is_caught_and_a_cut_ogg_decodes_to_its_last_page()
    {
        using var d = new TempDir();
        var ogg = File.ReadAllBytes(SampleFiles.Ogg("C4v1.ogg"));
        var full = AudioReader.Read(SampleFiles.Ogg("C4v1.ogg"));
        var damaged = (byte[])ogg.Clone();
        for (int i = ogg.Length / 3; i < ogg.Length / 3 + 2000; i++) damaged[i] ^= 0x5A;
        Fails(d.Write("damaged.ogg", damaged), "corrupt OGG/Vorbis data: the page at byte");
        // OGG declares no total length: a cut file is its complete pages, a prefix of the full decode
        var cut = AudioReader.Read(d.Write("cut.ogg", ogg[..(ogg.Length / 2)]));
        Assert.InRange(cut.DurationSeconds, 1, full.DurationSeconds - 1);
        for (int i = 0; i < cut.Length; i += 997) Assert.Equal(full.Channels[0][i], cut.Channels[0][i]);
        Fails(d.Write("stub.ogg", ogg[..5000]), "contains no audio samples");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_float_samples(float bad)
    {
        using var d = new TempDir();
        var frames = TestAudio.Sines(1000, 2, 8000, 100);
        frames[600][1] = bad;
        Fails(d.Write("nan.wav", TestAudio.Wav(frames, 8000, 32, TestAudio.IeeeFloat)), $"contains non-finite samples ({bad} in channel 1 at sample 600, 0.075 s)");
    }

    [Fact]
    public void Samples_far_beyond_one()
    {
        using var d = new TempDir();
        var frames = TestAudio.Sines(1000, 1, 8000, 100, amp: 20000); // integers stored as floats
        Fails(d.Write("unscaled.wav", TestAudio.Wav(frames, 8000, 32, TestAudio.IeeeFloat)), "has samples far beyond ±1 (peak 2E+04");
        // the limit is configurable
        Assert.Equal(1000, AudioReader.Read(d.File("unscaled.wav"), new AudioReadOptions { MaxPeak = 1e5f }).Length);
    }

    [Fact]
    public void Unsupported_wav_encodings()
    {
        using var d = new TempDir();
        var bytes = Wav16();
        bytes[20] = 2; // ADPCM
        Fails(d.Write("adpcm.wav", bytes), "unsupported WAV encoding");
        var twelve = Wav16();
        twelve[34] = 12; // 12-bit PCM
        Fails(d.Write("twelve.wav", twelve), "unsupported PCM sample size of 12 bits");
    }

    [Fact]
    public void Impossible_rate_or_channel_count_in_the_header()
    {
        using var d = new TempDir();
        var rate0 = Wav16();
        rate0.AsSpan(24, 4).Clear();
        Fails(d.Write("rate0.wav", rate0), "WAV header gives a sample rate of 0 Hz");
        var ch0 = Wav16();
        ch0.AsSpan(22, 2).Clear();
        Fails(d.Write("ch0.wav", ch0), "WAV header gives 0 channels");
    }

    [Fact]
    public void Longer_than_the_maximum_is_an_error_unless_MaxSeconds_is_set()
    {
        using var d = new TempDir();
        var path = d.Write("long.wav", Wav16(8000 * 5));
        Fails(path, "is 5 s long, over the maximum of 4 s", new AudioReadOptions { MaxDurationSeconds = 4 });
        Assert.Equal(8000 * 2, AudioReader.Read(path, new AudioReadOptions { MaxDurationSeconds = 4, MaxSeconds = 2 }).Length);
    }

    [Fact]
    public void Directory_with_an_audio_name() { using var d = new TempDir(); Directory.CreateDirectory(d.File("album.wav")); Fails(d.File("album.wav"), "is a directory"); }

    [Fact]
    public void Dangling_symlink()
    {
        using var d = new TempDir();
        File.CreateSymbolicLink(d.File("gone.ogg"), d.File("missing-target.ogg"));
        Fails(d.File("gone.ogg"), "is a symbolic link to");
    }

    [Fact]
    public void Missing_file() { using var d = new TempDir(); Fails(d.File("nothing.wav"), "file not found"); }

    [Fact]
    public void Unknown_format_without_ffmpeg_names_the_missing_tool()
    {
        using var d = new TempDir();
        var options = new AudioReadOptions { FfmpegExecutable = "ffmpeg-not-installed-here" };
        var bytes = new byte[1000];
        "fLaC"u8.CopyTo(bytes);
        Fails(d.Write("etude.flac", bytes), "no built-in decoder for this format ('.flac'), and the external decoder 'ffmpeg-not-installed-here' was not found on PATH", options);
        Fails(d.Write("etude.m4a", bytes), "install ffmpeg", options);
    }
}
