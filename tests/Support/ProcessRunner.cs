namespace PianoJudges.Tests.Support;

using System.Diagnostics;
using System.Text;

/// <summary>The outcome of a finished (or killed) child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed, bool TimedOut)
{
    /// <summary>The last <paramref name="chars"/> characters of stdout and stderr, for failure messages.</summary>
    public string Tail(int chars = 4000)
    {
        string all = $"--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
        return all.Length <= chars ? all : "..." + all[^chars..];
    }
}

/// <summary>Runs a command with a time limit, capturing its output; on timeout the whole process tree is killed.</summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start '{fileName}': {e.Message}", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit((int)timeout.TotalMilliseconds);
        if (!exited)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
        }
        else
        {
            process.WaitForExit(); // drains the asynchronous readers
        }
        watch.Stop();
        lock (stdout) lock (stderr)
            return new ProcessResult(exited ? process.ExitCode : -1, stdout.ToString(), stderr.ToString(), watch.Elapsed, !exited);
    }
}
