namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Support;

/// <summary>
/// The built CLI inside a Linux user namespace (`unshare`), for failures that root cannot otherwise meet:
/// a real full disk (a small tmpfs mounted over a data folder, in a private mount namespace) and real permission
/// errors (without --map-root-user the process shows as `nobody` and has no capabilities over the files outside the
/// namespace, so mode bits bite even on root's files: a 0555 folder refuses writes, a 000 file cannot be read).
/// Where unshare is not permitted (a container without user namespaces), the tests using it are reported as skipped
/// with the reason, never passed silently.
/// </summary>
internal static class Sandbox
{
    /// <summary>Why a tmpfs cannot be mounted in a user namespace here; null when it can.</summary>
    public static string? WhyNoTmpfs => TmpfsProbe.Value;

    /// <summary>Why the CLI cannot run as an unprivileged user in a user namespace here; null when it can.</summary>
    public static string? WhyNoUnprivilegedUser => UnprivilegedProbe.Value;

    /// <summary>Runs a probe; a missing `unshare` is a reason, not an error.</summary>
    private static string? Probe(Func<string?> probe)
    {
        try { return probe(); }
        catch (System.ComponentModel.Win32Exception e) { return $"'unshare' could not be started ({e.Message}); it is in util-linux"; }
    }

    private static readonly Lazy<string?> TmpfsProbe = new(() => Probe(() =>
    {
        if (!OperatingSystem.IsLinux()) return "user namespaces are Linux's";
        using var dir = new TempDir();
        var r = ProcessRunner.Run("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t tmpfs -o size=64k tmpfs \"$1\" && echo ok > \"$1/probe\" && cat \"$1/probe\"", "sh", dir.Path], dir.Path, TimeSpan.FromSeconds(30));
        return r.ExitCode == 0 && r.StdOut.Trim() == "ok" && !File.Exists(dir.File("probe")) ? null
            : $"'unshare --user --map-root-user --mount' + 'mount -t tmpfs' is not permitted here (exit {r.ExitCode}: {r.StdErr.Trim()})";
    }));

    private static readonly Lazy<string?> UnprivilegedProbe = new(() => Probe(() =>
    {
        if (!OperatingSystem.IsLinux()) return "user namespaces are Linux's";
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("ro"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(dir.File("secret"), "x");
        File.SetUnixFileMode(dir.File("secret"), UnixFileMode.None);
        var r = ProcessRunner.Run("unshare", ["--user", "sh", "-c",
            "id -u; touch \"$1/ro/probe\" 2>/dev/null && echo writable; cat \"$1/secret\" >/dev/null 2>&1 && echo readable; dotnet \"$2\" --help >/dev/null && echo runs",
            "sh", dir.Path, Cli.Dll], dir.Path, TimeSpan.FromSeconds(60));
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (r.ExitCode != 0 || lines.Length == 0) return $"'unshare --user' is not permitted here (exit {r.ExitCode}: {r.StdErr.Trim()})";
        if (lines.Contains("writable") || lines.Contains("readable")) return $"in a user namespace (uid {lines[0]}) a 0555 folder can still be written or a 000 file read here";
        if (!lines.Contains("runs")) return $"the CLI ({Cli.Dll}) cannot run as uid {lines[0]} in a user namespace (dotnet or the build output not readable by all?): {r.StdErr.Trim()}";
        return null;
    }));

    /// <summary>
    /// Runs a bash script as root of a new user and mount namespace: its mounts are private and vanish with it.
    /// The script can call the CLI as `pj --data-dir … ARGS`; it has the CLI's test environment.
    /// </summary>
    public static ProcessResult AsRoot(string workDir, string script) =>
        ProcessRunner.Run("unshare", ["--user", "--map-root-user", "--mount", "bash", "-c", Preamble + script], workDir, TimeSpan.FromMinutes(4), Environment());

    /// <summary>Runs a bash script in a new user namespace without capabilities outside it: mode bits bite, also on root's files.</summary>
    public static ProcessResult Unprivileged(string workDir, string script) =>
        ProcessRunner.Run("unshare", ["--user", "bash", "-c", Preamble + script], workDir, TimeSpan.FromMinutes(4), Environment());

    private const string Preamble = "set -u\npj() { dotnet \"$PJ_DLL\" \"$@\"; }\n";

    private static Dictionary<string, string> Environment() => new(Cli.Environment) { ["PJ_DLL"] = Cli.Dll };
}
