namespace PianoJudges.Tests.Reliability;

using System.Diagnostics;
using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Tests.Support;

/// <summary>
/// The built CLI killed with SIGKILL mid-run (no clean-up code runs), then run again to the end, leaves exactly what an
/// uninterrupted run leaves: the same entries byte for byte, the same index, no temporary files.
/// </summary>
public class KillAndResumeTests
{
    internal const int Files = 10;

    /// <summary>A data folder with an audio folder of 10 s piano-like tones and a manifest naming them.</summary>
    internal static (string Manifest, string Audio) Corpus(string dataDir)
    {
        string audio = Path.Combine(dataDir, "audio");
        Directory.CreateDirectory(audio);
        const int rate = 16000;
        for (int f = 0; f < Files; f++)
        {
            var x = new float[10 * rate];
            double hz = 110 * Math.Pow(2, f / 12.0);
            for (int i = 0; i < x.Length; i++) x[i] = (float)(0.4 * Math.Exp(-i / (2.0 * rate)) * Math.Sin(2 * Math.PI * hz * i / rate));
            WavWriter.WriteMono(Path.Combine(audio, $"take{f:D2}.wav"), x, rate);
        }
        return (Cli.WriteManifest(Path.Combine(dataDir, "corpus.csv"), Enumerable.Range(0, Files).Select(f => $"take{f:D2}")), audio);
    }

    internal static string[] EmbedArgs((string Manifest, string Audio) c) =>
        ["embed", "--encoder", "spectrogram", "--manifest", c.Manifest, "--audio-root", c.Audio, "--max-segments", "1"];

    private static int Entries(string dataDir)
    {
        string root = Path.Combine(dataDir, "embeddings");
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*.safetensors", SearchOption.AllDirectories).Count() : 0;
    }

    /// <summary>
    /// SIGKILLs the command <paramref name="delay"/> after <paramref name="until"/> first holds (or not at all when it
    /// ended by itself first); <paramref name="spin"/> polls without sleeping, to catch a state that lasts milliseconds.
    /// </summary>
    internal static bool KillWhen(Process p, Func<bool> until, TimeSpan limit, TimeSpan delay = default, bool spin = false)
    {
        var watch = Stopwatch.StartNew();
        while (!p.HasExited && !until() && watch.Elapsed < limit)
            if (spin) Thread.Yield();
            else Thread.Sleep(5);
        if (delay > TimeSpan.Zero) p.WaitForExit(delay);
        bool killed = !p.HasExited;
        if (killed) p.Kill(); // SIGKILL on Unix
        p.WaitForExit();
        return killed;
    }

    /// <summary>
    /// Relative path -> bytes of every file under the folder, and "path/" -> nothing for every temporary folder
    /// (.&lt;name&gt;.….tmp, even empty): temporary files and folders show up in a diff.
    /// </summary>
    internal static SortedDictionary<string, byte[]> Snapshot(string dir)
    {
        var all = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "index.lock"))
            all[Path.GetRelativePath(dir, f)] = File.ReadAllBytes(f);
        foreach (var d in Directory.EnumerateDirectories(dir, ".*.tmp", SearchOption.AllDirectories))
            all[Path.GetRelativePath(dir, d) + "/"] = [];
        return all;
    }

    internal static void AssertSameFiles(SortedDictionary<string, byte[]> expected, SortedDictionary<string, byte[]> actual)
    {
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Keys).ToList();
        Assert.True(missing.Count + extra.Count == 0, $"missing: {string.Join(", ", missing)}; not in the uninterrupted run: {string.Join(", ", extra)}");
        foreach (var (k, v) in expected) Assert.True(v.AsSpan().SequenceEqual(actual[k]), $"{k} differs from the uninterrupted run's{Where(v, actual[k])}");
    }

    /// <summary>Where two files first differ, with the text around it (for a failure message).</summary>
    private static string Where(byte[] a, byte[] b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        string Around(byte[] x) => System.Text.Encoding.UTF8.GetString(x, Math.Max(0, i - 150), Math.Min(x.Length, i + 150) - Math.Max(0, i - 150));
        return $" (at byte {i} of {a.Length} / {b.Length}):\n  uninterrupted: {Around(a)}\n  resumed:       {Around(b)}";
    }

    /// <summary>The id of a process that has ended.</summary>
    internal static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void EmbedKilledAtSeveralPointsThenResumedEqualsAnUninterruptedRun()
    {
        using var reference = new TempDir();
        var refCorpus = Corpus(reference.Path);
        var full = Cli.Run(reference.Path, EmbedArgs(refCorpus));
        Assert.True(full.ExitCode == 0, full.Tail());
        var expected = Snapshot(Path.Combine(reference.Path, "embeddings"));
        Assert.Equal(Files + 1, expected.Count); // the entries and index.json

        using var data = new TempDir();
        var corpus = Corpus(data.Path);
        var args = EmbedArgs(corpus);
        int kills = 0;
        foreach (int k in new[] { 2, 5, 8 })
            if (KillWhen(Cli.Start(data.Path, args), () => Entries(data.Path) >= k, TimeSpan.FromMinutes(2))) kills++;
        Assert.True(kills >= 2, $"only {kills} of 3 runs were still going when their kill point came");
        Assert.InRange(Entries(data.Path), 2, Files);

        // What a kill inside AtomicFile.Write leaves (the kills above rarely land there): a partial temporary file of a dead process.
        string entryDir = Path.GetDirectoryName(Directory.EnumerateFiles(Path.Combine(data.Path, "embeddings"), "*.safetensors", SearchOption.AllDirectories).First())!;
        string leftover = Path.Combine(entryDir, $".{new string('a', 64)}.safetensors.{DeadPid()}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(leftover, [1, 2, 3]);

        var resumed = Cli.Run(data.Path, args);
        Assert.True(resumed.ExitCode == 0, resumed.Tail());
        Assert.Contains("reused from the cache", Cli.Flat(resumed));
        Assert.DoesNotContain($" 0 reused from the cache", Cli.Flat(resumed));
        var cache = Cli.SpectrogramCache(data.Path);
        foreach (var (id, hash) in cache.ReadIndex()) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
        AssertSameFiles(expected, Snapshot(Path.Combine(data.Path, "embeddings")));
    }

    [Fact]
    public void SynthKilledMidwayThenResumedEqualsAnUninterruptedRun()
    {
        // The Salamander samples are fetched once per machine (as the synthesis tests do) and shared through a link.
        var shared = PianoJudges.Data.DataPaths.Resolve();
        var tiny = PianoJudges.Synthesis.PldSynthConfig.ForSize(PianoJudges.Synthesis.PldSynthSizes.Tiny);
        _ = new PianoJudges.Synthesis.SalamanderSamples(shared, tiny.Samples with { SampleRate = PianoJudges.Synthesis.PldSynth.OutputSampleRate });
        using var reference = new TempDir();
        using var data = new TempDir();
        foreach (var d in new[] { reference.Path, data.Path }) Directory.CreateSymbolicLink(Path.Combine(d, "samples"), shared.Samples);
        string[] args = ["synth", "--size", "tiny"];

        var full = Cli.Run(reference.Path, args);
        Assert.True(full.ExitCode == 0, full.Tail());
        var expected = Snapshot(Path.Combine(reference.Path, "pld-synth"));

        string audio = Path.Combine(data.Path, "pld-synth", "tiny", "audio");
        int Wavs() => Directory.Exists(audio) ? Directory.EnumerateFiles(audio, "*.wav").Count() : 0;
        bool killed = KillWhen(Cli.Start(data.Path, args), () => Wavs() >= 6, TimeSpan.FromMinutes(2));
        Assert.True(killed, "synth ended before its kill point");
        Assert.InRange(Wavs(), 6, expected.Count - 1);
        File.WriteAllBytes(Path.Combine(audio, $".pld-tech-0000.wav.{DeadPid()}.{Guid.NewGuid():N}.tmp"), [1, 2, 3]);

        var resumed = Cli.Run(data.Path, args);
        Assert.True(resumed.ExitCode == 0, resumed.Tail());
        AssertSameFiles(expected, Snapshot(Path.Combine(data.Path, "pld-synth")));
    }
}
