namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Encoders.Weights;
using PianoJudges.Tests.Support;

/// <summary>A crafted checkpoint handed to the command line is refused before anything in it runs.</summary>
public class CheckpointCliTests
{
    [Theory]
    [InlineData("dac", "os.system")]
    [InlineData("audiomae", "subprocess.Popen")]
    public void EmbedWithAPickleNamingAForbiddenGlobalStopsWithTheFileAndTheGlobalNamed(string encoder, string global)
    {
        using var data = new TempDir();
        string marker = data.File("MARKER");
        string evil = data.File("evil.pth");
        int dot = global.LastIndexOf('.');
        TorchCheckpointTests.WriteZipCheckpoint(evil, TorchCheckpointTests.Pickle2($"c{global[..dot]}\n{global[(dot + 1)..]}\n", $"touch {marker}"));
        var (manifest, audio) = KillAndResumeTests.Corpus(data.Path);

        var run = Cli.Run(data.Path, "embed", "--encoder", encoder, "--weights", evil, "--manifest", manifest, "--audio-root", audio, "--max-segments", "1");
        string output = Cli.Flat(run);
        Assert.True(run.ExitCode == 2, run.Tail());
        Assert.True(output.Contains("error: ", StringComparison.Ordinal) && output.Contains(evil, StringComparison.Ordinal)
                    && output.Contains(global, StringComparison.Ordinal), run.Tail());
        Assert.DoesNotContain("   at ", run.StdOut + run.StdErr); // one line, no stack trace
        Assert.False(File.Exists(marker), "the pickle's payload ran");
        Assert.False(Directory.Exists(Path.Combine(data.Path, "embeddings", encoder)) &&
                     Directory.EnumerateFiles(Path.Combine(data.Path, "embeddings", encoder), "*.safetensors", SearchOption.AllDirectories).Any());
    }
}
