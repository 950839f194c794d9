namespace PianoJudges.Tests.Data;

using System.CommandLine;
using PianoJudges.Cli.Commands;
using PianoJudges.Data;

public class AudioFetcherTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("pj-fetch-").FullName;
    public void Dispose() => Directory.Delete(_base, recursive: true);

    private static ManifestRow Row(string id, string? link = null, string source = "youtube") =>
        new(id, id, ManifestTask.Expertise, 1, null, id, null, null, source, null,
            link is null ? null : new Dictionary<string, string> { ["link"] = link });

    /// <summary>A stand-in yt-dlp: writes "&lt;output with %(ext)s = m4a&gt;" and records each call; fails for URLs containing FAIL.</summary>
    private string FakeYtDlp()
    {
        string bin = Directory.CreateDirectory(Path.Combine(_base, "bin")).FullName;
        string script = Path.Combine(bin, "yt-dlp");
        File.WriteAllText(script, """
            #!/usr/bin/env bash
            out=""; url=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --output) out="$2"; shift 2 ;;
                --format) shift 2 ;;
                --) url="$2"; shift 2 ;;
                *) shift ;;
              esac
            done
            echo "$url" >> "$(dirname "$0")/calls.log"
            case "$url" in *FAIL*) echo "ERROR: [youtube] $url: Video unavailable" >&2; exit 1 ;; esac
            mkdir -p "$(dirname "$out")"
            out="$(printf '%s' "$out" | sed 's/%(ext)s/m4a/')"
            printf 'fake audio' > "$out"
            """.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    [Fact]
    public void ArgumentsNameTheFileAfterTheAudioIdAndEndOptionsBeforeTheUrl()
    {
        var row = Row("-wh2g1hQO0Q");
        var opts = new FetchOptions(Path.Combine(_base, "audio"));
        string url = AudioFetcher.Url(row)!;
        Assert.Equal("https://www.youtube.com/watch?v=-wh2g1hQO0Q", url);
        var args = AudioFetcher.Arguments(row, url, opts);
        Assert.Equal(
            ["--no-playlist", "--no-progress", "--no-overwrites", "--continue", "--format", "bestaudio/best",
             "--output", Path.Combine(_base, "audio", "expertise", "-wh2g1hQO0Q.%(ext)s"), "--", url],
            args);
    }

    [Fact]
    public void RowsWithoutALinkHaveNoUrl()
    {
        Assert.Null(AudioFetcher.Url(Row("Octave|Arpeggios_1", source: "local")));
        Assert.Equal("https://example.org/v/1", AudioFetcher.Url(Row("x_cut", "https://example.org/v/1")));
    }

    [Fact]
    public void MissingYtDlpIsAClearError()
    {
        Assert.Null(AudioFetcher.FindYtDlp(Path.Combine(_base, "empty")));
        var m = new Manifest("t", [Row("aaaaaaaaaaa")]);
        var e = Assert.Throws<YtDlpMissingException>(() =>
            AudioFetcher.Fetch(m, new FetchOptions(Path.Combine(_base, "audio"), SearchPath: Path.Combine(_base, "empty"))));
        Assert.Contains("needs yt-dlp", e.Message);
    }

    [Fact]
    public void CliExitsNonZeroWhenYtDlpIsMissing()
    {
        var cmd = new FetchCommand().Build();
        var root = new RootCommand { cmd };
        var err = new StringWriter();
        var saved = Console.Error;
        int code;
        try
        {
            Console.SetError(err);
            code = root.Parse(["fetch", "--manifest", "icpc2015", "--audio-root", Path.Combine(_base, "audio"),
                "--yt-dlp", Path.Combine(_base, "no-such-yt-dlp"), "--limit", "1"]).Invoke();
        }
        finally { Console.SetError(saved); }
        Assert.Equal(3, code);
        Assert.Contains("yt-dlp not found", err.ToString());
    }

    [Fact]
    public void FakeYtDlpFirstOnPathDownloadsSkipsExistingAndLogsFailures()
    {
        string bin = FakeYtDlp();
        string path = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        string root = Path.Combine(_base, "audio");
        Directory.CreateDirectory(Path.Combine(root, "expertise"));
        File.WriteAllText(Path.Combine(root, "expertise", "have0000000.wav"), "already here");
        var m = new Manifest("t",
        [
            Row("have0000000"), Row("-new0000000"), Row("FAIL0000000"), Row("local_clip", source: "local"),
        ]);
        var opts = new FetchOptions(root, SearchPath: path);

        var first = AudioFetcher.Fetch(m, opts);
        Assert.Equal((1, 1, 1, 1), (first.Downloaded, first.Skipped, first.NoLink, first.Failed));
        Assert.Equal("fake audio", File.ReadAllText(Path.Combine(root, "expertise", "-new0000000.m4a")));
        Assert.Equal("already here", File.ReadAllText(Path.Combine(root, "expertise", "have0000000.wav")));
        Assert.Equal("FAIL0000000", first.Failures[0].Id);
        Assert.Contains("Video unavailable", first.Failures[0].Reason);
        Assert.Contains("FAIL0000000", File.ReadAllText(first.LogPath));

        // Resumed: only the failed row is tried again.
        var second = AudioFetcher.Fetch(m, opts);
        Assert.Equal((0, 2, 1, 1), (second.Downloaded, second.Skipped, second.NoLink, second.Failed));
        var calls = File.ReadAllLines(Path.Combine(bin, "calls.log"));
        Assert.Equal(3, calls.Length);
        Assert.Equal(2, calls.Count(c => c.Contains("FAIL0000000")));
        Assert.Equal(2, File.ReadAllLines(first.LogPath).Length);
    }
}
