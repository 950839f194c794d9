namespace PianoJudges.Tests.Data;

using PianoJudges.Data;

public class ManifestIOTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pj-manifest-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Header = "id,audio_id,task,label,labels,group,split,duration_s,source,title,extra";

    private string WriteRaw(string body, string provenance = "# provenance: test fixture")
    {
        string path = Path.Combine(_dir, $"m{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, provenance + "\n" + body);
        return path;
    }

    private ManifestException ReadFails(string body)
    {
        string path = WriteRaw(body);
        var e = Assert.Throws<ManifestException>(() => ManifestIO.Read(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void RowsWrittenAreReadBackUnchanged()
    {
        var rows = new List<ManifestRow>
        {
            new("a", "a", ManifestTask.Expertise, 2, null, "a", "train", 12.5, "atepp", "Artist: \"Quoted\", with comma",
                new Dictionary<string, string> { ["link"] = "https://example.org/watch?v=a", ["level"] = "virtuoso" }),
            new("b", "-b_", ManifestTask.Technique, null, "0100001", "g", null, null, "youtube", null),
            new("c", "c", ManifestTask.Difficulty, 9, null, "c-1", "validation", 0, "youtube", "line\nbreak"),
        };
        string path = Path.Combine(_dir, "round.csv");
        ManifestIO.Write(path, new Manifest("made by a test", rows));
        var back = ManifestIO.Read(path);
        Assert.Equal("made by a test", back.Provenance);
        Assert.Equal(3, back.Rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var (x, y) = (rows[i], back.Rows[i]);
            Assert.Equal((x.Id, x.AudioId, x.Task, x.Label, x.Labels, x.Group, x.Split, x.DurationSeconds, x.Source, x.Title),
                (y.Id, y.AudioId, y.Task, y.Label, y.Labels, y.Group, y.Split, y.DurationSeconds, y.Source, y.Title));
            Assert.Equal(x.Extra?.OrderBy(k => k.Key).ToList() ?? [], y.Extra?.OrderBy(k => k.Key).ToList() ?? []);
        }
        Assert.Equal([false, true, false, false, false, false, true], back.Rows[1].LabelVector);
    }

    [Fact]
    public void AnExtraValueWithASemicolonIsRefusedOnWrite()
    {
        var row = new ManifestRow("a", "a", ManifestTask.Expertise, 0, null, null, null, null, "youtube", null,
            new Dictionary<string, string> { ["k"] = "x;y" });
        var e = Assert.Throws<ArgumentException>(() => ManifestIO.Write(Path.Combine(_dir, "x.csv"), new Manifest("p", [row])));
        Assert.Contains("'a'", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "x.csv")));
    }

    [Fact]
    public void AFileWithoutProvenanceIsRefused()
    {
        string path = Path.Combine(_dir, "noprov.csv");
        File.WriteAllText(path, Header + "\na,a,expertise,0,,,,,youtube,,\n");
        var e = Assert.Throws<ManifestException>(() => ManifestIO.Read(path));
        Assert.Equal(1, e.Line);
        Assert.Contains("provenance", e.Message);
    }

    [Fact]
    public void MissingColumnsAreNamed()
    {
        var e = ReadFails("id,audio_id,task,label,group,split,duration_s,source,title\na,a,expertise,0,,,,youtube,\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("labels", e.Message);
        Assert.Contains("extra", e.Message);
    }

    [Fact]
    public void DuplicateIdsNameBothLines()
    {
        var e = ReadFails(Header + "\na,a,expertise,0,,,,,youtube,,\nb,b,expertise,1,,,,,youtube,,\na,c,expertise,2,,,,,youtube,,\n");
        Assert.Equal(5, e.Line);
        Assert.Contains("duplicate id 'a'", e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void UnknownLabelIsRefused()
    {
        var e = ReadFails(Header + "\na,a,expertise,0,,,,,youtube,,\nb,b,expertise,beginner,,,,,youtube,,\n");
        Assert.Equal(4, e.Line);
        Assert.Contains("'beginner' is not an integer", e.Message);
    }

    [Theory]
    [InlineData("expertise,3,", "expertise label")]
    [InlineData("expertise,-1,", "expertise label")]
    [InlineData("difficulty,0,", "Henle grade 1-9")]
    [InlineData("difficulty,10,", "Henle grade 1-9")]
    [InlineData("icpc2015,5,", "rounds passed 0-4")]
    [InlineData("expertise,,", "expertise label")]
    [InlineData("technique,,010", "technique labels")]
    [InlineData("technique,,0120000", "technique labels")]
    public void LabelsOutOfRangeAreRefused(string taskLabelLabels, string expected)
    {
        var e = ReadFails(Header + $"\nx,x,{taskLabelLabels},,,,youtube,,\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("row 'x'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownTaskIsRefused()
    {
        var e = ReadFails(Header + "\nx,x,rhythm,1,,,,,youtube,,\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown task 'rhythm'", e.Message);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("..")]
    public void PathSeparatorsInAudioIdsAreRefused(string audioId)
    {
        var e = ReadFails(Header + $"\nx,{audioId},expertise,1,,,,,youtube,,\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("plain file stem", e.Message);
    }

    [Fact]
    public void UnknownSplitIsRefused()
    {
        var e = ReadFails(Header + "\nx,x,expertise,1,,,val,,youtube,,\n");
        Assert.Contains("split must be", e.Message);
    }

    [Fact]
    public void LineNumbersCountQuotedLineBreaks()
    {
        var e = ReadFails(Header + "\na,a,expertise,0,,,,,youtube,\"two\nlines\",\nb,b,expertise,7,,,,,youtube,,\n");
        Assert.Equal(5, e.Line);
    }
}
