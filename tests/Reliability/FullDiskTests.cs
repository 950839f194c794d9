namespace PianoJudges.Tests.Reliability;

using PianoJudges.Data;
using PianoJudges.Tests.Probing;
using PianoJudges.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// A real full disk (ENOSPC): a small tmpfs mounted over the folder a command writes, in a private mount namespace
/// (<see cref="Sandbox"/>). Each command stops with one `error:` line naming the file and the cause, exit 2; the
/// files written before are intact and usable; no temporary file is left.
/// </summary>
public class FullDiskTests(ITestOutputHelper output)
{
    /// <summary>Six 3 s tones and manifests of the first one / all six.</summary>
    private static (string First, string All, string Audio) EmbedCorpus(string dataDir)
    {
        string audio = Path.Combine(dataDir, "audio");
        Directory.CreateDirectory(audio);
        for (int f = 0; f < 6; f++)
        {
            var x = Enumerable.Range(0, 16000 * 3).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 50 * f) * i / 16000))).ToArray();
            PianoJudges.Audio.WavWriter.WriteMono(Path.Combine(audio, $"f{f}.wav"), x, 16000);
        }
        return (Cli.WriteManifest(Path.Combine(dataDir, "first.csv"), ["f0"]),
                Cli.WriteManifest(Path.Combine(dataDir, "all.csv"), ["f0", "f1", "f2", "f3", "f4", "f5"]), audio);
    }

    /// <summary>`cp -a` of a folder out of the tmpfs, so that the test can read it after the namespace is gone.</summary>
    private static string Keep(string from, string to) => $"mkdir -p \"$(dirname '{to}')\" && cp -a '{from}' '{to}'\n";

    [SkippableFact]
    public void EmbedIntoAFullTmpfsIsOneClearErrorAndTheEntriesAlreadyThereStayIntact()
    {
        Skip.If(Sandbox.WhyNoTmpfs is not null, Sandbox.WhyNoTmpfs);
        using var data = new TempDir();
        var (first, all, audio) = EmbedCorpus(data.Path);
        string embeddings = Path.Combine(data.Path, "embeddings");
        Directory.CreateDirectory(embeddings);
        string embed = $"pj --data-dir '{data.Path}' embed --encoder spectrogram --audio-root '{audio}' --max-segments 1 --manifest";
        // An entry is 128 mel bands x 1000 frames of float32 (512 KiB): one fits in 800 KiB, the second does not.
        var r = Sandbox.AsRoot(data.Path,
            $"mount -t tmpfs -o size=800k tmpfs '{embeddings}'\n" +
            $"{embed} '{first}' > first.out 2>&1; echo $? > first.rc\n" +
            Keep(embeddings, "before") +
            $"{embed} '{all}' > full.out 2>&1; echo $? > full.rc\n" +
            Keep(embeddings, "after/embeddings") +
            $"df -k '{embeddings}' > df.out\n");
        Assert.True(r.ExitCode == 0, r.Tail());
        string firstOut = File.ReadAllText(data.File("first.out")), fullOut = Cli.Flat(File.ReadAllText(data.File("full.out")));
        output.WriteLine(fullOut);
        output.WriteLine(File.ReadAllText(data.File("df.out")));
        Assert.True(File.ReadAllText(data.File("first.rc")).Trim() == "0", firstOut);
        Assert.True(File.ReadAllText(data.File("full.rc")).Trim() == "2", fullOut);
        Assert.Equal(2, fullOut.Split("error:").Length); // one error line
        Assert.Contains("error: cannot write the embedding cache entry " + embeddings, fullOut);
        Assert.Contains(".safetensors: No space left on device (disk full or not writable?)", fullOut);
        Assert.DoesNotContain(".tmp", fullOut); // the file meant, not its temporary file
        Assert.Contains("the entries already written are intact, rerun to resume", fullOut);
        Assert.DoesNotContain("   at ", fullOut); // no stack trace

        var before = KillAndResumeTests.Snapshot(data.File("before"));
        Assert.Equal(2, before.Count); // one entry and index.json
        KillAndResumeTests.AssertSameFiles(before, KillAndResumeTests.Snapshot(data.File("after/embeddings"))); // no half-written entry, no temporary file
        var cache = Cli.SpectrogramCache(data.File("after"));
        var index = cache.ReadIndex();
        Assert.Equal(["f0"], index.Keys);
        foreach (var (id, hash) in index) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
    }

    private static string Train(string dataDir) => $"pj --data-dir '{dataDir}' {string.Join(' ', TrainingKillTests.TrainArgs)}";

    /// <summary>
    /// Runs `train` in the sandbox after <paramref name="mount"/> (shell lines putting a small tmpfs over
    /// <paramref name="runs"/>), keeps the runs folder as after/runs, and checks that it stopped with exit 2 and one
    /// error naming <paramref name="file"/>.
    /// </summary>
    private void TrainOnAFullDisk(TempDir data, string runs, string mount, string file)
    {
        var r = Sandbox.AsRoot(data.Path,
            mount + "\n" +
            $"{Train(data.Path)} > full.out 2>&1; echo $? > full.rc\n" +
            Keep(runs, "after/runs"));
        Assert.True(r.ExitCode == 0, r.Tail());
        string fullOut = Cli.Flat(File.ReadAllText(data.File("full.out")));
        output.WriteLine(fullOut);
        Assert.True(File.ReadAllText(data.File("full.rc")).Trim() == "2", fullOut);
        AssertOneErrorNamingTheFile(fullOut, file);
    }

    private static void AssertOneErrorNamingTheFile(string outputText, string file)
    {
        Assert.Equal(2, outputText.Split("error:").Length); // one error line
        Assert.Contains($"error: cannot write {file}: No space left on device", outputText);
        Assert.DoesNotContain(".tmp", outputText); // the file meant, not its temporary file
        Assert.DoesNotContain("   at ", outputText); // no stack trace
    }

    private static void AssertNoTemporaryFiles(string dir) =>
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir, ".*.tmp", SearchOption.AllDirectories));

    [SkippableFact]
    public void TrainIntoAFullTmpfsStopsWithTheLastGoodCheckpointThatTheNextRunResumesFrom()
    {
        Skip.If(Sandbox.WhyNoTmpfs is not null, Sandbox.WhyNoTmpfs);
        using var reference = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(reference.Path));
        var full = Cli.Run(reference.Path, TrainingKillTests.TrainArgs);
        Assert.True(full.ExitCode == 0, full.Tail());
        var expected = TrainingKillTests.TrainRun(reference.Path);
        string ckptName = expected.Keys.Single(k => k.EndsWith("/last.ckpt", StringComparison.Ordinal));
        long ckpt = new FileInfo(Path.Combine(reference.Path, "runs", ckptName)).Length;
        long best = new FileInfo(Path.Combine(reference.Path, "runs", Path.GetDirectoryName(ckptName)!, "best.pt")).Length;

        using var data = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(data.Path));
        string runs = data.File("runs");
        Directory.CreateDirectory(runs);
        // Epoch 1's last.ckpt and best.pt fit; epoch 2's last.ckpt, written beside the old one until it is complete, does not.
        long size = (ckpt + best + ckpt / 2) / 1024;
        TrainOnAFullDisk(data, runs, $"mount -t tmpfs -o size={size}k tmpfs '{runs}'", Path.Combine(runs, ckptName));
        AssertNoTemporaryFiles(data.File("after"));
        Assert.Equal(1, TrainingKillTests.CheckpointEpoch(data.File("after"))); // the last good checkpoint, whole

        // On a disk with room again, the next run resumes from it and ends as an uninterrupted run.
        Directory.Delete(runs);
        Directory.Move(data.File("after/runs"), runs);
        var resumed = Cli.Run(data.Path, TrainingKillTests.TrainArgs);
        Assert.True(resumed.ExitCode == 0, resumed.Tail());
        KillAndResumeTests.AssertSameFiles(expected, TrainingKillTests.TrainRun(data.Path));
    }

    [SkippableFact]
    public void AReportThatDoesNotFitLeavesThePreviousReportIntact()
    {
        Skip.If(Sandbox.WhyNoTmpfs is not null, Sandbox.WhyNoTmpfs);
        using var data = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(data.Path));
        var first = Cli.Run(data.Path, TrainingKillTests.TrainArgs);
        Assert.True(first.ExitCode == 0, first.Tail());
        string runs = data.File("runs");
        var before = KillAndResumeTests.Snapshot(runs);
        string report = Path.Combine("pld-synth-planted", "tiny", "table3.html");
        Assert.True(before[report].Length > 1_000_000, $"{report}: {before[report].Length} bytes"); // the chart library is inline
        // The finished run's files are copied onto a tmpfs with room for half a report more: the next run's new report,
        // written beside the old one until it is complete, does not fit.
        long size = (before.Values.Sum(v => (long)v.Length) + before[report].Length / 2) / 1024;
        TrainOnAFullDisk(data, runs,
            $"mv '{runs}' runs-on-disk && mkdir '{runs}' && mount -t tmpfs -o size={size}k tmpfs '{runs}' && cp -a runs-on-disk/. '{runs}/'",
            Path.Combine(runs, report));
        var after = KillAndResumeTests.Snapshot(data.File("after/runs"));
        Assert.Equal(before[report], after[report]); // the previous report, whole
        Assert.Equal(before.Keys, after.Keys); // no temporary file
    }
}
