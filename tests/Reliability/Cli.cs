namespace PianoJudges.Tests.Reliability;

using System.Diagnostics;
using System.Text.RegularExpressions;
using PianoJudges.Data;
using PianoJudges.Tests.Support;

/// <summary>
/// The built `pianojudges` command as a child process: the same entry point, argument parsing, error handling and
/// exit codes a user gets. The tests project references the CLI, so its pianojudges.dll sits beside the tests;
/// cli/bin/&lt;configuration&gt;/net10.0 is the fallback.
/// </summary>
internal static partial class Cli
{
    private static readonly Lazy<string> DllPath = new(() =>
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "pianojudges.dll"),
            Path.Combine(RepoPaths.Root, "cli", "bin", RepoPaths.Configuration, "net10.0", "pianojudges.dll"),
        ];
        return candidates.FirstOrDefault(p => File.Exists(p) && File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
               ?? throw new InvalidOperationException($"The built CLI was not found (looked for {string.Join(", ", candidates)}): build the tests project first.");
    });

    public static string Dll => DllPath.Value;

    private static readonly Dictionary<string, string> Env = new()
    {
        ["COLUMNS"] = "1000", // redirected output is wrapped at this width (cli/Program.cs): long temporary paths stay on one line
        ["NO_COLOR"] = "1",
        ["PIANOJUDGES_DATA"] = "/nonexistent-use-data-dir", // every call passes --data-dir; a slip would fail, not touch ~/.cache
    };

    /// <summary>The environment every CLI run gets.</summary>
    public static IReadOnlyDictionary<string, string> Environment => Env;

    /// <summary>Runs `pianojudges --data-dir DATA args…` to the end.</summary>
    public static ProcessResult Run(string dataDir, params string[] args) =>
        ProcessRunner.Run("dotnet", [Dll, "--data-dir", dataDir, .. args], dataDir, TimeSpan.FromMinutes(3), Env);

    /// <summary>Starts `pianojudges --data-dir DATA args…` (output discarded), for tests that kill it.</summary>
    public static Process Start(string dataDir, params string[] args) => StartWith(null, dataDir, args);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, System.Text.StringBuilder> Outputs = new();

    /// <summary>What a process started with capture wrote so far (stdout and stderr interleaved).</summary>
    public static string Output(Process p)
    {
        p.WaitForExit(); // drains the asynchronous readers once it has exited
        var sb = Outputs.TryGetValue(p, out var b) ? b : new System.Text.StringBuilder();
        lock (sb) return sb.ToString();
    }

    /// <summary>Starts it through `bash -c 'ulimit …; exec dotnet …'` when <paramref name="shellPrefix"/> is given.</summary>
    public static Process StartWith(string? shellPrefix, string dataDir, string[] args, bool capture = false)
    {
        ProcessStartInfo psi;
        string[] command = ["dotnet", Dll, "--data-dir", dataDir, .. args];
        if (shellPrefix is null)
        {
            psi = new ProcessStartInfo(command[0]);
            foreach (var a in command[1..]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi = new ProcessStartInfo("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(shellPrefix + "; exec \"$@\"");
            psi.ArgumentList.Add("bash");
            foreach (var a in command) psi.ArgumentList.Add(a);
        }
        psi.WorkingDirectory = dataDir;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        foreach (var (k, v) in Env) psi.Environment[k] = v;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var p = Process.Start(psi)!;
        var sb = new System.Text.StringBuilder();
        if (capture) Outputs.Add(p, sb);
        p.OutputDataReceived += (_, e) => { if (capture && e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (capture && e.Data is not null) lock (sb) sb.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>stdout + stderr with runs of white space made one space (the console may still wrap long lines).</summary>
    public static string Flat(ProcessResult r) => Spaces().Replace(r.StdOut + "\n" + r.StdErr, " ");

    public static string Flat(string s) => Spaces().Replace(s, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>Writes a manifest of expertise rows (one per audio id) in the project's schema.</summary>
    public static string WriteManifest(string path, IEnumerable<string> audioIds)
    {
        var rows = audioIds.Select((id, i) => new ManifestRow($"row{i:D3}", id, ManifestTask.Expertise, i % 3, null, $"g{i}", null, null, "test", id)).ToList();
        ManifestIO.Write(path, new Manifest("reliability test corpus", rows));
        return path;
    }

    /// <summary>The one spectrogram cache under a data folder.</summary>
    public static EmbeddingCache SpectrogramCache(string dataDir) =>
        Assert.Single(EmbeddingCache.Discover(new DataPaths(dataDir), PianoJudges.Encoders.EncoderRegistry.Spectrogram));
}
