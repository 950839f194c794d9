namespace PianoJudges.Tests.Data;

using PianoJudges.Data;

public class AudioLocatorTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("pj-locator-").FullName;
    private string Root => Path.Combine(_base, "audio");
    public void Dispose() => Directory.Delete(_base, recursive: true);

    public AudioLocatorTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "expertise"));
        Directory.CreateDirectory(Path.Combine(Root, "difficulty"));
        Touch(Root, "a.wav");
        Touch(Root, "a.mp3");                       // .wav is preferred
        Touch(Path.Combine(Root, "expertise"), "b.FLAC");
        Touch(Path.Combine(Root, "expertise"), "-c_.m4a");
        Touch(Path.Combine(Root, "expertise"), "d.webm.part");   // an unfinished download is not audio
        Touch(Path.Combine(Root, "difficulty"), "e.opus");  // another task's folder
        Touch(Root, "f.txt");
        Touch(_base, "secret.wav");                 // outside the root
    }

    private static void Touch(string dir, string name) => File.WriteAllText(Path.Combine(dir, name), "x");

    private static ManifestRow Row(string audioId, string task = ManifestTask.Expertise) =>
        new(audioId + "-row", audioId, task, 1, null, null, null, null, "youtube", null);

    [Fact]
    public void FindsFilesOfSeveralExtensionsInTheRootAndTheTaskFolder()
    {
        var loc = new AudioLocator(Root);
        Assert.Equal(Path.Combine(Root, "a.wav"), loc.Find("a", ManifestTask.Expertise));
        Assert.Equal(Path.Combine(Root, "expertise", "b.FLAC"), loc.Find("b", ManifestTask.Expertise));
        Assert.Equal(Path.Combine(Root, "expertise", "-c_.m4a"), loc.Find("-c_", ManifestTask.Expertise));
        Assert.Null(loc.Find("d", ManifestTask.Expertise));
        Assert.Null(loc.Find("e", ManifestTask.Expertise));
        Assert.Equal(Path.Combine(Root, "difficulty", "e.opus"), loc.Find("e", ManifestTask.Difficulty));
        Assert.Null(loc.Find("f"));
    }

    [Fact]
    public void ReportsMissingRowsInsteadOfThrowing()
    {
        var rows = new[] { Row("a"), Row("b"), Row("missing1"), Row("-c_"), Row("f"), Row("secret"), Row("..") };
        var result = new AudioLocator(Root).Locate(new Manifest("test", rows));
        Assert.Equal(["a", "b", "-c_"], result.Found.Select(f => f.Row.AudioId));
        Assert.Equal(4, result.MissingCount);
        Assert.Equal(["missing1", "f", "secret", ".."], result.Missing.Select(m => m.Row.AudioId));
        Assert.Contains("not a plain file stem", result.Missing[3].Reason);
        Assert.Contains("3 of 7", result.Summary("test"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../secret")]
    [InlineData("sub/a")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public void RefusesIdsThatCouldLeaveTheRoot(string id)
    {
        var e = Assert.Throws<ArgumentException>(() => new AudioLocator(Root).Find(id));
        Assert.Contains("plain file stem", e.Message);
    }

    [Fact]
    public void RefusesAMissingRoot() =>
        Assert.Throws<DirectoryNotFoundException>(() => new AudioLocator(Path.Combine(_base, "nope")));

    [Fact]
    public void RefreshSeesNewFiles()
    {
        var loc = new AudioLocator(Root);
        Assert.Null(loc.Find("g"));
        Touch(Root, "g.ogg");
        loc.Refresh();
        Assert.Equal(Path.Combine(Root, "g.ogg"), loc.Find("g"));
    }
}
