namespace PianoJudges.Tests.Audio;

using PianoJudges.Audio;

/// <summary>
/// The ffmpeg path's process handling (argument list, stdout WAV stream with placeholder sizes, stderr in errors,
/// MaxSeconds) with a stand-in executable, since CI has no ffmpeg: the stand-in logs its arguments and plays a
/// prepared float WAV the way ffmpeg writes one to a pipe. A real ffmpeg was checked by hand (lib/Audio/README.md).
/// </summary>
public class FfmpegDecoderTests
{
    private static string StandIn(TempDir d, string body)
    {
        var path = d.File("fake-ffmpeg");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void Decodes_the_stream_ffmpeg_writes_and_passes_arguments_without_a_shell()
    {
        using var d = new TempDir();
        var frames = TestAudio.Sines(3000, 6, 44100, 100, 0.2);
        d.Write("pipe.wav", TestAudio.Wav(frames, 44100, 32, TestAudio.Extensible, subFormatFloat: true, declaredDataBytes: 0xFFFFFFFF, extraChunk: true));
        var exe = StandIn(d, $"for a in \"$@\"; do echo \"$a\" >> '{d.File("args.txt")}'; done; cat '{d.File("pipe.wav")}'");
        var input = d.Write("it's a 'quoted' name; $(rm -rf x).opus", [1, 2, 3, 4, 5]);
        var clip = AudioReader.Read(input, new AudioReadOptions { FfmpegExecutable = exe });
        Assert.Equal(6, clip.Channels.Length);
        Assert.Equal(44100, clip.SampleRate);
        Assert.Equal(3000, clip.Length);
        Assert.Equal(frames[2999][5], clip.Channels[5][2999]);
        var args = File.ReadAllLines(d.File("args.txt"));
        Assert.Contains(input, args); // the name arrived as one argument, untouched
        Assert.Equal(["-c:a", "pcm_f32le", "-f", "wav", "-"], args[^5..]);
    }

    [Fact]
    public void MaxSeconds_is_passed_on_and_enforced()
    {
        using var d = new TempDir();
        d.Write("pipe.wav", TestAudio.Wav(TestAudio.Sines(8000, 1, 8000, 100), 8000, 32, TestAudio.IeeeFloat, declaredDataBytes: 0xFFFFFFFF));
        var exe = StandIn(d, $"echo \"$@\" > '{d.File("args.txt")}'; cat '{d.File("pipe.wav")}'");
        var clip = AudioReader.Read(d.Write("x.webm", [0x1A, 0x45, 0xDF, 0xA3]), new AudioReadOptions { FfmpegExecutable = exe, MaxSeconds = 0.25 });
        Assert.Equal(2000, clip.Length);
        Assert.Contains("-t 0.25", File.ReadAllText(d.File("args.txt")));
    }

    [Fact]
    public void Failure_reports_ffmpeg_stderr()
    {
        using var d = new TempDir();
        var exe = StandIn(d, "echo 'Invalid data found when processing input' >&2; exit 1");
        var path = d.Write("broken.m4a", [0, 1, 2, 3, 4]);
        var e = Assert.Throws<AudioFormatException>(() => AudioReader.Read(path, new AudioReadOptions { FfmpegExecutable = exe }));
        Assert.Equal(path, e.Path);
        Assert.Contains("fake-ffmpeg produced no audio (exit code 1): Invalid data found when processing input", e.Problem);
    }

    [Fact]
    public void Over_the_duration_limit_stops_the_process()
    {
        using var d = new TempDir();
        d.Write("pipe.wav", TestAudio.Wav(TestAudio.Sines(8000 * 3, 1, 8000, 100), 8000, 32, TestAudio.IeeeFloat, declaredDataBytes: 0xFFFFFFFF));
        var exe = StandIn(d, $"cat '{d.File("pipe.wav")}'");
        var e = Assert.Throws<AudioFormatException>(() => AudioReader.Read(d.Write("long.aac", [7, 7, 7, 7]), new AudioReadOptions { FfmpegExecutable = exe, MaxDurationSeconds = 1 }));
        Assert.Contains("is more than 1 s long, over the maximum of 1 s", e.Problem);
    }
}
