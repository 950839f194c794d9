namespace PianoJudges.Tests.Reliability;

using PianoJudges.Data;
using PianoJudges.Tests.Probing;
using PianoJudges.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// Real permission errors (the tests run as root, whom mode bits do not stop): the CLI runs in a user namespace
/// without capabilities outside it (<see cref="Sandbox.Unprivileged"/>), where a read-only folder refuses writes and a
/// mode-000 file cannot be read.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // user namespaces and mode bits
public class PermissionTests(ITestOutputHelper output)
{
    /// <summary>Removes every write bit under <paramref name="dir"/> (folders 0555, files 0444).</summary>
    private static void MakeReadOnly(string dir)
    {
        const UnixFileMode ro = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode x = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) File.SetUnixFileMode(f, ro);
        foreach (var d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Append(dir)) File.SetUnixFileMode(d, ro | x);
    }

    private static void AssertOneError(string outputText, string expected)
    {
        Assert.Equal(2, outputText.Split("error:").Length); // one error line
        Assert.Contains(expected, outputText);
        Assert.DoesNotContain(".tmp", outputText); // the file meant, not its temporary file
        Assert.DoesNotContain("   at ", outputText); // no stack trace
    }

    [SkippableFact]
    public void EmbedIntoAReadOnlyCacheIsOneErrorNamingTheEntry_AndTheCacheIsUnchanged()
    {
        Skip.If(Sandbox.WhyNoUnprivilegedUser is not null, Sandbox.WhyNoUnprivilegedUser);
        using var data = new TempDir();
        var corpus = KillAndResumeTests.Corpus(data.Path);
        string first = Cli.WriteManifest(data.File("first.csv"), ["take00", "take01"]);
        string[] args = KillAndResumeTests.EmbedArgs(corpus);
        var ok = Cli.Run(data.Path, [.. args[..^6], "--manifest", first, .. args[^4..]]);
        Assert.True(ok.ExitCode == 0, ok.Tail());
        string embeddings = data.File("embeddings");
        var before = KillAndResumeTests.Snapshot(embeddings);
        MakeReadOnly(embeddings);

        var r = Sandbox.Unprivileged(data.Path, $"pj --data-dir '{data.Path}' {string.Join(' ', args.Select(a => $"'{a}'"))}");
        string text = Cli.Flat(r);
        output.WriteLine(text);
        Assert.True(r.ExitCode == 2, r.Tail());
        AssertOneError(text, "error: cannot write the embedding cache entry " + embeddings);
        Assert.Contains("is denied", text);
        KillAndResumeTests.AssertSameFiles(before, KillAndResumeTests.Snapshot(embeddings)); // nothing lost, nothing half-written
        var cache = Cli.SpectrogramCache(data.Path);
        foreach (var (id, hash) in cache.ReadIndex()) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
    }

    [SkippableFact]
    public void TrainInAReadOnlyRunsFolderIsOneErrorNamingTheFile_AndThePreviousResultsAreUnchanged()
    {
        Skip.If(Sandbox.WhyNoUnprivilegedUser is not null, Sandbox.WhyNoUnprivilegedUser);
        using var data = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(data.Path));
        var ok = Cli.Run(data.Path, TrainingKillTests.TrainArgs);
        Assert.True(ok.ExitCode == 0, ok.Tail());
        string runs = data.File("runs");
        var before = KillAndResumeTests.Snapshot(runs);
        MakeReadOnly(runs);

        var r = Sandbox.Unprivileged(data.Path, $"pj --data-dir '{data.Path}' {string.Join(' ', TrainingKillTests.TrainArgs)}");
        string text = Cli.Flat(r);
        output.WriteLine(text);
        Assert.True(r.ExitCode == 2, r.Tail());
        AssertOneError(text, "error: cannot write " + runs);
        Assert.Contains("is denied", text);
        KillAndResumeTests.AssertSameFiles(before, KillAndResumeTests.Snapshot(runs));
    }

    [SkippableFact]
    public void AnUnreadableRecordingIsReportedByName_AndTheRestIsEmbedded()
    {
        Skip.If(Sandbox.WhyNoUnprivilegedUser is not null, Sandbox.WhyNoUnprivilegedUser);
        using var data = new TempDir();
        var corpus = KillAndResumeTests.Corpus(data.Path);
        string unreadable = Path.Combine(corpus.Audio, "take03.wav");
        File.SetUnixFileMode(unreadable, UnixFileMode.None);

        var r = Sandbox.Unprivileged(data.Path, $"pj --data-dir '{data.Path}' {string.Join(' ', KillAndResumeTests.EmbedArgs(corpus).Select(a => $"'{a}'"))}");
        string text = Cli.Flat(r);
        output.WriteLine(text);
        Assert.True(r.ExitCode == 1, r.Tail());
        Assert.Contains($"failed take03: {unreadable}: cannot be read (permission denied)", text);
        Assert.Contains($"{KillAndResumeTests.Files - 1} computed, 0 reused from the cache, 1 failed", text);
        Assert.DoesNotContain("error:", text);
        var cache = Cli.SpectrogramCache(data.Path);
        var index = cache.ReadIndex();
        Assert.Equal(KillAndResumeTests.Files - 1, index.Count);
        Assert.DoesNotContain("take03", index.Keys);
        foreach (var (id, hash) in index) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
    }
}
