namespace PianoJudges.Tests.Reliability;

using PianoJudges.Data;
using PianoJudges.Tests.Support;

/// <summary>Write errors (a full disk, simulated by a file-size limit on the child process) and left-over temporary files.</summary>
public class WriteFailureTests
{
    [Fact]
    public void AFullDiskIsAClearErrorAndTheEntriesAlreadyThereStayIntact()
    {
        using var data = new TempDir();
        string audio = Path.Combine(data.Path, "audio");
        Directory.CreateDirectory(audio);
        for (int f = 0; f < 6; f++)
        {
            var x = Enumerable.Range(0, 16000 * 3).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 50 * f) * i / 16000))).ToArray();
            PianoJudges.Audio.WavWriter.WriteMono(Path.Combine(audio, $"f{f}.wav"), x, 16000);
        }
        string first = Cli.WriteManifest(Path.Combine(data.Path, "first.csv"), ["f0", "f1", "f2"]);
        string all = Cli.WriteManifest(Path.Combine(data.Path, "all.csv"), ["f0", "f1", "f2", "f3", "f4", "f5"]);
        string[] Args(string manifest) => ["embed", "--encoder", "spectrogram", "--manifest", manifest, "--audio-root", audio, "--max-segments", "1"];
        var ok = Cli.Run(data.Path, Args(first));
        Assert.True(ok.ExitCode == 0, ok.Tail());
        string embeddings = Path.Combine(data.Path, "embeddings");
        var before = KillAndResumeTests.Snapshot(embeddings);

        // Files may grow to 64 KiB: an entry (128 mel bands x 1000 frames) does not fit. SIGXFSZ ignored, so write() fails with EFBIG
        // as on a full disk (the runtime's W^X double mapping would hit the limit first, so it is off).
        using var p = Cli.StartWith("trap '' XFSZ; ulimit -f 64; export DOTNET_EnableWriteXorExecute=0", data.Path, Args(all), capture: true);
        Assert.True(p.WaitForExit(120_000), "the run did not end");
        string output = Cli.Flat(Cli.Output(p));
        Assert.True(p.ExitCode != 0, output);
        Assert.Equal(2, p.ExitCode);
        Assert.True(output.Contains("error: cannot write the embedding cache entry " + embeddings, StringComparison.Ordinal), output);
        Assert.True(output.Contains("the entries already written are intact, rerun to resume", StringComparison.Ordinal), output);

        var after = KillAndResumeTests.Snapshot(embeddings);
        KillAndResumeTests.AssertSameFiles(before, after); // nothing half-written, no temporary files, the index unchanged
        var cache = Cli.SpectrogramCache(data.Path);
        foreach (var (id, hash) in cache.ReadIndex()) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
    }

    [Fact]
    public void StaleTemporaryFilesOfDeadWritersAreRemoved_ALiveWritersAreKept()
    {
        using var dir = new TempDir();
        string sub = Path.Combine(dir.Path, "ab");
        Directory.CreateDirectory(sub);
        string dead = Path.Combine(sub, $".x.safetensors.{KillAndResumeTests.DeadPid()}.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(sub, $".y.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string other = Path.Combine(sub, ".notes.tmp");
        foreach (var f in new[] { dead, live, other }) File.WriteAllText(f, "partial");
        Assert.Equal(0, AtomicFile.RemoveStaleTemporaryFiles(dir.Path));
        Assert.Equal(1, AtomicFile.RemoveStaleTemporaryFiles(dir.Path, recursive: true));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void AWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.File("results.json");
        AtomicFile.WriteAllText(path, "old");
        var error = Assert.Throws<AtomicWriteException>(() => AtomicFile.Write(path, s => { s.Write("new, but not al"u8); throw new IOException("No space left on device"); }));
        Assert.Equal($"cannot write {path}: No space left on device", error.Message); // the file meant, not its temporary file
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.EnumerateFiles(dir.Path));
    }

    [Fact]
    public void ACorruptedCacheEntryIsRecomputedByTheNextRun()
    {
        using var data = new TempDir();
        var args = KillAndResumeTests.EmbedArgs(KillAndResumeTests.Corpus(data.Path));
        Assert.Equal(0, Cli.Run(data.Path, args).ExitCode);
        string embeddings = Path.Combine(data.Path, "embeddings");
        var good = KillAndResumeTests.Snapshot(embeddings);
        var entries = Directory.EnumerateFiles(embeddings, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var flipped = File.ReadAllBytes(entries[0]);
        flipped[^7] ^= 0x10; // one bit of one embedding value
        File.WriteAllBytes(entries[0], flipped);
        File.WriteAllBytes(entries[1], File.ReadAllBytes(entries[1])[..1000]); // truncated

        var rerun = Cli.Run(data.Path, args);
        Assert.True(rerun.ExitCode == 0, rerun.Tail());
        Assert.Contains($"2 computed, {KillAndResumeTests.Files - 2} reused from the cache, 0 failed", Cli.Flat(rerun));
        KillAndResumeTests.AssertSameFiles(good, KillAndResumeTests.Snapshot(embeddings));
    }
}
