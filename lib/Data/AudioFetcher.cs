namespace PianoJudges.Data;

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

/// <summary>yt-dlp is needed and was not found.</summary>
public sealed class YtDlpMissingException(string message) : Exception(message);

/// <summary>How one fetch went: rows downloaded, already there, without a link, failed (with reasons).</summary>
public sealed record FetchSummary(int Downloaded, int Skipped, int NoLink, IReadOnlyList<(string Id, string Reason)> Failures, string LogPath)
{
    public int Failed => Failures.Count;
    public override string ToString() =>
        $"{Downloaded} downloaded, {Skipped} already present, {NoLink} without a link, {Failed} failed" +
        (Failed > 0 ? $" (see {LogPath})" : "");
}

/// <summary>Options of <see cref="AudioFetcher"/>.</summary>
/// <param name="AudioRoot">Files go to &lt;root&gt;/&lt;task&gt;/&lt;audio_id&gt;.&lt;ext&gt;, where <see cref="AudioLocator"/> finds them.</param>
/// <param name="YtDlp">The yt-dlp executable; null = search PATH.</param>
/// <param name="Format">yt-dlp format selector; the default keeps the original audio stream (no ffmpeg needed).</param>
/// <param name="Timeout">Per-download limit.</param>
/// <param name="SearchPath">The PATH searched for yt-dlp; null = this process's PATH.</param>
public sealed record FetchOptions(string AudioRoot, string? YtDlp = null, string Format = "bestaudio/best", TimeSpan? Timeout = null, string? SearchPath = null);

/// <summary>
/// Downloads the audio of manifest rows with yt-dlp, run as a process with an argument list (never a shell).
/// Resumable: rows whose audio the <see cref="AudioLocator"/> already finds are skipped, and yt-dlp continues
/// its own partial files. Failures are appended to &lt;root&gt;/fetch-failures.log and summarised, never thrown.
/// </summary>
public static class AudioFetcher
{
    public const string ToolName = "yt-dlp";
    public const string FailureLog = "fetch-failures.log";

    /// <summary>yt-dlp's full path from <paramref name="pathVariable"/> (default: this process's PATH), or null.</summary>
    public static string? FindYtDlp(string? pathVariable = null)
    {
        pathVariable ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] names = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? [ToolName + ".exe", ToolName] : [ToolName];
        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
            }
        return null;
    }

    private static bool IsExecutable(string path) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The page to download for a row: its extra link, else the YouTube page of an 11-character video id; null for local clips.</summary>
    public static string? Url(ManifestRow row)
    {
        if (row.Extra?.GetValueOrDefault("link") is { Length: > 0 } link
            && (link.StartsWith("https://", StringComparison.Ordinal) || link.StartsWith("http://", StringComparison.Ordinal)))
            return link;
        if (row.Source is "youtube" or "atepp" && row.AudioId.Length == 11 && row.AudioId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return $"https://www.youtube.com/watch?v={row.AudioId}";
        return null;
    }

    /// <summary>
    /// yt-dlp's arguments for one row: the output template names the file after audio_id in the task folder,
    /// and "--" ends the options so an id starting with '-' is never read as one.
    /// </summary>
    public static IReadOnlyList<string> Arguments(ManifestRow row, string url, FetchOptions options)
    {
        string folder = Path.Combine(Path.GetFullPath(options.AudioRoot), row.Task);
        return
        [
            "--no-playlist", "--no-progress", "--no-overwrites", "--continue",
            "--format", options.Format,
            "--output", Path.Combine(folder, row.AudioId + ".%(ext)s"),
            "--", url,
        ];
    }

    /// <summary>The yt-dlp to run: <see cref="FetchOptions.YtDlp"/> when given, else the first on the search path.</summary>
    /// <exception cref="YtDlpMissingException">It is not there.</exception>
    public static string ResolveYtDlp(FetchOptions options) =>
        options.YtDlp is { } given
            ? (File.Exists(given) ? Path.GetFullPath(given) : throw new YtDlpMissingException($"{ToolName} not found at '{given}'."))
            : FindYtDlp(options.SearchPath) ?? throw new YtDlpMissingException(
                $"Fetching audio needs {ToolName} on PATH, and it was not found. Install it (for example `pipx install {ToolName}` " +
                "or your system's package), or give its path with --yt-dlp, then run the command again.");

    /// <summary>Fetches every row's audio; <paramref name="progress"/> is told (row, outcome) after each.</summary>
    /// <exception cref="YtDlpMissingException">yt-dlp is not on PATH (or not at <see cref="FetchOptions.YtDlp"/>).</exception>
    public static FetchSummary Fetch(Manifest manifest, FetchOptions options, Action<ManifestRow, string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        string tool = ResolveYtDlp(options);
        Directory.CreateDirectory(options.AudioRoot);
        var locator = new AudioLocator(options.AudioRoot);
        string log = Path.Combine(locator.Root, FailureLog);
        int downloaded = 0, skipped = 0, noLink = 0;
        var failures = new List<(string, string)>();
        void Fail(ManifestRow row, string reason)
        {
            failures.Add((row.Id, reason));
            File.AppendAllText(log, $"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\t{row.Id}\t{row.AudioId}\t{reason.ReplaceLineEndings(" ")}\n");
            progress?.Invoke(row, "failed: " + reason);
        }
        foreach (var row in manifest.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!AudioLocator.IsPlainName(row.AudioId)) { Fail(row, $"audio id '{row.AudioId}' is not a plain file stem"); continue; }
            if (locator.Find(row.AudioId, row.Task) is not null) { skipped++; progress?.Invoke(row, "present"); continue; }
            if (Url(row) is not { } url) { noLink++; progress?.Invoke(row, "no link"); continue; }
            var (code, stderr) = Run(tool, Arguments(row, url, options), options.Timeout ?? TimeSpan.FromMinutes(30), cancellationToken);
            locator.Refresh();
            if (code != 0) Fail(row, $"{ToolName} exited with {code}: {LastLine(stderr)}");
            else if (locator.Find(row.AudioId, row.Task) is null) Fail(row, $"{ToolName} succeeded but wrote no {string.Join("|", AudioLocator.Extensions)} file for '{row.AudioId}'");
            else { downloaded++; progress?.Invoke(row, "downloaded"); }
        }
        return new FetchSummary(downloaded, skipped, noLink, failures, log);
    }

    private static (int Code, string StdErr) Run(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(tool)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { p.WaitForExitAsync(cts.Token).GetAwaiter().GetResult(); }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (ct.IsCancellationRequested) throw;
            return (-1, $"timed out after {timeout}");
        }
        Task.WaitAll(stdout, stderr);
        return (p.ExitCode, stderr.Result);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no message)";
}
