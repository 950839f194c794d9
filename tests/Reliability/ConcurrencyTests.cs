namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Support;

/// <summary>Several `pianojudges embed` processes on one cache at once (a rerun started twice, SLURM shards) never corrupt it.</summary>
public class ConcurrencyTests
{
    [Fact]
    public void TwoFullRunsAndTwoShardsAtOnceLeaveTheCacheOfOneRun()
    {
        using var reference = new TempDir();
        var refRun = Cli.Run(reference.Path, KillAndResumeTests.EmbedArgs(KillAndResumeTests.Corpus(reference.Path)));
        Assert.True(refRun.ExitCode == 0, refRun.Tail());
        var expected = KillAndResumeTests.Snapshot(Path.Combine(reference.Path, "embeddings"));

        using var data = new TempDir();
        var args = KillAndResumeTests.EmbedArgs(KillAndResumeTests.Corpus(data.Path));
        var processes = new[]
        {
            Cli.StartWith(null, data.Path, args, capture: true),
            Cli.StartWith(null, data.Path, args, capture: true),
            Cli.StartWith(null, data.Path, [.. args, "--shard", "0/2"], capture: true),
            Cli.StartWith(null, data.Path, [.. args, "--shard", "1/2"], capture: true),
        };
        foreach (var p in processes)
        {
            Assert.True(p.WaitForExit(180_000), "a run did not end");
            Assert.True(p.ExitCode == 0, Cli.Output(p));
            p.Dispose();
        }
        var cache = Cli.SpectrogramCache(data.Path);
        var index = cache.ReadIndex();
        Assert.Equal(KillAndResumeTests.Files, index.Count);
        foreach (var (id, hash) in index) Assert.True(cache.TryRead(hash, out _, out var problem), $"{id}: {problem}");
        KillAndResumeTests.AssertSameFiles(expected, KillAndResumeTests.Snapshot(Path.Combine(data.Path, "embeddings")));
    }
}
