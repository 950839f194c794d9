namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Support;

/// <summary>Manifests handed to the command line: a bad one stops the run with its file, line and problem named; nothing outside the audio root is read.</summary>
public class ManifestCliTests
{
    private const string Header = "# provenance: reliability test\nid,audio_id,task,label,labels,group,split,duration_s,source,title,extra\n";

    [Theory]
    [InlineData("r0,../outside,expertise,0,,g,,,test,,\n", 3, "audio_id '../outside' must be a plain file stem")]
    [InlineData("r0,sub/outside,expertise,0,,g,,,test,,\n", 3, "audio_id 'sub/outside' must be a plain file stem")]
    [InlineData("r0,a,expertise,0,,g,,,test,,\nr0,b,expertise,1,,g,,,test,,\n", 4, "duplicate id 'r0' (first on line 3)")]
    [InlineData("r0,a,expertise,7,,g,,,test,,\n", 3, "expertise label must be 0 (beginner), 1 (advanced) or 2 (virtuoso), got '7'")]
    public void ABadManifestIsOneErrorNamingFileLineAndProblem(string rows, int line, string problem)
    {
        using var data = new TempDir();
        string audio = Path.Combine(data.Path, "root", "audio");
        Directory.CreateDirectory(audio);
        // A real recording just outside the root: it must not be embedded.
        PianoJudges.Audio.WavWriter.WriteMono(Path.Combine(data.Path, "root", "outside.wav"), new float[16000], 16000);
        string manifest = data.File("bad.csv");
        File.WriteAllText(manifest, Header + rows);

        var run = Cli.Run(data.Path, "embed", "--encoder", "spectrogram", "--manifest", manifest, "--audio-root", audio);
        Assert.True(run.ExitCode == 2, run.Tail());
        Assert.True(Cli.Flat(run).Contains($"error: {manifest}:{line}: ", StringComparison.Ordinal) && Cli.Flat(run).Contains(problem, StringComparison.Ordinal), run.Tail());
        Assert.False(Directory.Exists(Path.Combine(data.Path, "embeddings")));
    }

    [Fact]
    public void AMissingColumnIsNamed()
    {
        using var data = new TempDir();
        string manifest = data.File("bad.csv");
        File.WriteAllText(manifest, "# provenance: t\nid,audio_id,task,label\nr0,a,expertise,0\n");
        var run = Cli.Run(data.Path, "embed", "--encoder", "spectrogram", "--manifest", manifest, "--audio-root", data.Path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: {manifest}:2: missing column(s): labels, group, split, duration_s, source, title, extra", Cli.Flat(run));
    }
}
