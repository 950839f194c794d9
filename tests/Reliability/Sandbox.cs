namespace PianoJudges.Tests.Reliability;

using PianoJudges.Tests.Support;

/// <summary>
/// The built CLI inside a Linux user namespace (`unshare`), for failures that root cannot otherwise meet:
/// a real full disk (a small tmpfs mounted over a data folder, in a private mount namespace) and real permission
/// errors (without --map-root-user the process is the overflow user `nobody`, with no rights over root's files).
/// Where unshare is not permitted (a container without user namespaces), the tests using it are reported as skipped
/// with the reason, never passed silently.
/// </summary>
internal static class Sandbox
{
    /// <summary>Why a tmpfs cannot be mounted in a user namespace here; null when it can.</summary>
    public static string? WhyNoTmpfs => TmpfsProbe.Value;

    /// <summary>Why the CLI cannot run as an unprivileged user in a user namespace here; null when it can.</summary>
    public static string? WhyNoUnprivilegedUser => UnprivilegedProbe.Value;

    private static readonly Lazy<string?> TmpfsProbe = new(() =>
    {
        using var dir = new TempDir();
        var r = ProcessRunner.Run("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t tmpfs -o size=64k tmpfs \"$1\" && echo ok > \"$1/probe\" && cat \"$1/probe\"", "sh", dir.Path], dir.Path, TimeSpan.FromSeconds(30));
        return r.ExitCode == 0 && r.StdOut.Trim() == "ok" && !File.Exists(dir.File("probe")) ? null
            : $"'unshare --user --map-root-user --mount' + 'mount -t tmpfs' is not permitted here (exit {r.ExitCode}: {r.StdErr.Trim()})";
    });

    private static readonly Lazy<string?> UnprivilegedProbe = new(() =>
    {
        using var dir = new TempDir();
        var r = ProcessRunner.Run("unshare", ["--user", "sh", "-c", "id -u; touch \"$1/probe\" 2>/dev/null && echo writable; dotnet \"$2\" --help >/dev/null && echo runs",
            "sh", dir.Path, Cli.Dll], dir.Path, TimeSpan.FromSeconds(60));
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (r.ExitCode != 0 || lines.Length == 0) return $"'unshare --user' is not permitted here (exit {r.ExitCode}: {r.StdErr.Trim()})";
        if (lines[0] == "0") return "'unshare --user' runs as uid 0 here: permissions would not bite";
        if (lines.Contains("writable")) return $"uid {lines[0]} in a user namespace can still write root's folders here";
        if (!lines.Contains("runs")) return $"the CLI ({Cli.Dll}) cannot run as uid {lines[0]} (dotnet or the build output not world-readable?): {r.StdErr.Trim()}";
        return null;
    });

    /// <summary>
    /// Runs a bash script as root of a new user and mount namespace: its mounts are private and vanish with it.
    /// The script can call the CLI as `pj --data-dir … ARGS`; it has the CLI's test environment.
    /// </summary>
    public static ProcessResult AsRoot(string workDir, string script) =>
        ProcessRunner.Run("unshare", ["--user", "--map-root-user", "--mount", "bash", "-c", Preamble + script], workDir, TimeSpan.FromMinutes(4), Environment());

    /// <summary>Runs a bash script as the overflow user (nobody) of a new user namespace: root's files are others' files there.</summary>
    public static ProcessResult AsNobody(string workDir, string script) =>
        ProcessRunner.Run("unshare", ["--user", "bash", "-c", Preamble + script], workDir, TimeSpan.FromMinutes(4), Environment());

    private const string Preamble = "set -u\npj() { dotnet \"$PJ_DLL\" \"$@\"; }\n";

    private static Dictionary<string, string> Environment() => new(Cli.Environment) { ["PJ_DLL"] = Cli.Dll };
}
