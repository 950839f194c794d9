namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Audio;
using PianoJudges.Tests.Support;
using TempDir = PianoJudges.Tests.Support.TempDir;

/// <summary>
/// A folder of bad and awkward audio files run through `pianojudges embed` (the built CLI, spectrogram encoder):
/// each bad file is reported by name with its reason, every usable file is embedded, the summary counts both,
/// and the exit code is 1. lib/Audio/README.md tables the expected handling of each kind.
/// </summary>
public class HostileAudioCorpusTests
{
    private const int Rate = 16000;

    private static byte[] Wav(int rate, int channels, int bits, ushort tag = TestAudio.Pcm, double seconds = 1.5, double amp = 0.5, bool subFloat = false) =>
        TestAudio.Wav(TestAudio.Sines((int)(seconds * rate), channels, rate, 220, amp), rate, bits, tag, subFloat);

    private static byte[] Constant(int frames, float value, int bits = 16)
    {
        var f = new float[frames][];
        for (int i = 0; i < frames; i++) f[i] = [value];
        return TestAudio.Wav(f, Rate, bits, bits == 32 ? TestAudio.IeeeFloat : TestAudio.Pcm);
    }

    private static byte[] FloatWith(float bad)
    {
        var frames = TestAudio.Sines(Rate, 1, Rate, 220);
        frames[Rate / 2][0] = bad;
        return TestAudio.Wav(frames, Rate, 32, TestAudio.IeeeFloat);
    }

    [Fact]
    public void EveryBadFileIsNamedWithItsReason_TheRestIsEmbedded_AndTheExitCodeSaysSomethingFailed()
    {
        using var data = new TempDir();
        string audio = Path.Combine(data.Path, "audio");
        Directory.CreateDirectory(audio);
        var rng = new Random(7);
        byte[] Random(int n) { var b = new byte[n]; rng.NextBytes(b); b[0] = 0x13; return b; } // never a valid magic
        var ogg = File.ReadAllBytes(SampleFiles.Ogg("C4v1.ogg"));
        var mp3 = File.ReadAllBytes(SampleFiles.Mp3("C4v1.mp3"));
        var damagedOgg = (byte[])ogg.Clone();
        for (int i = ogg.Length / 3; i < ogg.Length / 3 + 2000; i++) damagedOgg[i] ^= 0x5A;
        byte[] id3Only = [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 10, .. "TIT2"u8, 0, 0, 0, 0, 0, 0];
        var zeroChannels = Wav(Rate, 1, 16);
        zeroChannels[22] = 0; zeroChannels[23] = 0;
        var muLaw = Wav(8000, 1, 8, tag: 7);

        // audio id -> (file name, bytes, expected problem)
        var bad = new List<(string Id, string File, byte[] Bytes, string Problem)>
        {
            ("empty", "empty.wav", [], "file is empty (0 bytes)"),
            ("header-only", "header-only.wav", TestAudio.Wav([], Rate, 16), "contains no audio samples"),
            ("truncated", "truncated.wav", Wav(Rate, 1, 16)[..20000], "truncated WAV"),
            ("random-wav", "random-wav.wav", Random(5000), "is not a WAV file"),
            ("random-ogg", "random-ogg.ogg", Random(5000), "is not an OGG file"),
            ("random-mp3", "random-mp3.mp3", Random(5000), "is not an MP3 file"),
            ("text-mp3", "text-mp3.mp3", "Nocturne in C-sharp minor, Op. posth.\n"u8.ToArray(), "is a text file, not audio"),
            ("tag-only", "tag-only.mp3", id3Only, "tag-only.mp3: "),
            ("broken-ogg", "broken-ogg.ogg", damagedOgg, "corrupt OGG/Vorbis data"),
            ("truncated-mp3", "truncated-mp3.mp3", mp3[..(mp3.Length / 2)], "truncated or corrupt MP3"),
            ("nan", "nan.wav", FloatWith(float.NaN), "contains non-finite samples (NaN"),
            ("inf", "inf.wav", FloatWith(float.PositiveInfinity), "contains non-finite samples ("),
            ("unscaled", "unscaled.wav", Constant(Rate, 1000f, 32), "far beyond ±1"),
            ("mu-law", "mu-law.wav", muLaw, "unsupported WAV encoding"),
            ("zero-channels", "zero-channels.wav", zeroChannels, "0 channels"),
            ("random-flac", "random-flac.flac", Random(5000), "random-flac.flac: "), // ffmpeg's error, or that ffmpeg is missing
        };
        var good = new List<(string Id, string File, byte[] Bytes)>
        {
            ("silence", "silence.wav", Constant(Rate, 0f)),
            ("dc-offset", "dc-offset.wav", Constant(Rate, 0.4f)),
            ("pcm8", "pcm8.wav", Wav(Rate, 1, 8)),
            ("pcm24", "pcm24.wav", Wav(Rate, 2, 24)),
            ("float32", "float32.wav", Wav(Rate, 2, 32, TestAudio.IeeeFloat)),
            ("hot-float", "hot-float.wav", Wav(Rate, 1, 32, TestAudio.IeeeFloat, amp: 1.8)),
            ("six-channels", "six-channels.wav", Wav(48000, 6, 16, TestAudio.Extensible)),
            ("rate-8k", "rate-8k.wav", Wav(8000, 1, 16)),
            ("rate-192k", "rate-192k.wav", Wav(192000, 2, 24, seconds: 1.0)),
            ("tiny", "tiny.wav", Wav(Rate, 1, 16, seconds: 0.01)),
            ("Étude Op. 10 n°3 – 练习曲", "Étude Op. 10 n°3 – 练习曲.wav", Wav(44100, 2, 16)),
            ("real-ogg", "real-ogg.ogg", ogg),
            ("cut-ogg", "cut-ogg.ogg", ogg[..(ogg.Length / 2)]), // OGG declares no length: decoded to its last page
            ("real-mp3", "real-mp3.mp3", mp3),
        };
        foreach (var (_, file, bytes, _) in bad) File.WriteAllBytes(Path.Combine(audio, file), bytes);
        foreach (var (_, file, bytes) in good) File.WriteAllBytes(Path.Combine(audio, file), bytes);
        File.CreateSymbolicLink(Path.Combine(audio, "dangling.wav"), Path.Combine(audio, "gone.wav"));
        Directory.CreateDirectory(Path.Combine(audio, "folder.wav"));
        string[] otherBad = ["dangling", "folder"];

        string manifest = Cli.WriteManifest(Path.Combine(data.Path, "corpus.csv"),
            bad.Select(b => b.Id).Concat(good.Select(g => g.Id)).Concat(otherBad));
        string[] args = ["embed", "--encoder", "spectrogram", "--manifest", manifest, "--audio-root", audio, "--max-segments", "1"];

        var run = Cli.Run(data.Path, args);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Tail()}");
        string output = Cli.Flat(run);
        foreach (var (id, file, _, problem) in bad)
        {
            Assert.True(output.Contains($"failed {id}: {Path.Combine(audio, file)}: ", StringComparison.Ordinal), $"{id} not reported by name\n{run.Tail()}");
            Assert.True(output.Contains(problem, StringComparison.Ordinal), $"{id}: no '{problem}' in the output\n{run.Tail()}");
        }
        Assert.True(output.Contains("failed dangling: " + Path.Combine(audio, "dangling.wav") + ": is a symbolic link to", StringComparison.Ordinal), run.Tail());
        // A folder is not a file: the locator does not offer it, so its row is reported as without audio.
        Assert.True(output.Contains($"missing row{bad.Count + good.Count + 1:D3}: no .wav|.flac|.ogg|.mp3|.m4a|.webm|.opus file named 'folder'", StringComparison.Ordinal), run.Tail());
        Assert.True(output.Contains($"{good.Count} computed, 0 reused from the cache, {bad.Count + 1} failed, 1 without audio", StringComparison.Ordinal), run.Tail());

        var cache = Cli.SpectrogramCache(data.Path);
        var index = cache.ReadIndex();
        Assert.Equal(good.Select(g => g.Id).Order(StringComparer.Ordinal), index.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, hash) in index)
        {
            Assert.True(cache.TryRead(hash, out var e, out var problem), $"{id}: {problem}");
            Assert.True(e!.Data.All(float.IsFinite), $"{id}: the embedding has non-finite values");
        }
        Assert.Empty(Directory.EnumerateFiles(cache.Directory, "*.tmp", SearchOption.AllDirectories));

        // Rerun: the good files come from the cache, the bad ones are reported again.
        var again = Cli.Run(data.Path, args);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"0 computed, {good.Count} reused from the cache, {bad.Count + 1} failed, 1 without audio", Cli.Flat(again));
    }
}
