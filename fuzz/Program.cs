namespace PianoJudges.Fuzz;

using System.Diagnostics;
using SharpFuzz;

/// <summary>
/// The fuzzing harness that tools/fuzz.sh drives (docs/RELIABILITY.md, "Fuzzing"):
///   run TARGET                   serve afl-fuzz (SharpFuzz's out-of-process fork server: a hang or a stack overflow kills
///                                only the child, which is restarted); every exception escaping the target is a crash
///   seed TARGET DIR CACHE        write the target's seed corpus into DIR (npm sample packages are cached in CACHE)
///   replay TARGET FILE...        run inputs once each and say what happened (exit code 1 if any broke the contract)
///   export TARGET INPUT OUTPUT   write an input as the regression fixture file (tests/Fixtures/fuzz-regressions/TARGET/)
/// </summary>
public static class Program
{
    /// <summary>Inputs taking longer than this in replay are reported as hangs (afl-fuzz has its own -t).</summary>
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The targets of <see cref="Targets.All"/>, named here so that choosing one runs no instrumented code
    /// (under afl-fuzz, instrumented code may only run inside the fuzzed action, once SharpFuzz has mapped the coverage memory).</summary>
    private static readonly string[] TargetNames = ["wav", "ogg", "mp3", "safetensors", "pickle", "manifest"];
    private static readonly string[] TorchTargets = ["safetensors", "pickle"];

    public static int Main(string[] args)
    {
        if (args.Length < 2) return Usage();
        string name = args[1];
        if (!TargetNames.Contains(name))
        {
            Console.Error.WriteLine($"unknown fuzz target '{name}'");
            return Usage();
        }
        if (TorchTargets.Contains(name)) PianoJudges.Native.TorchRuntime.EnsureInitialised();
        if (args is ["run", _])
        {
            string scratch = Scratch();
            FuzzTarget? target = null;
            Fuzzer.OutOfProcess.Run(stream =>
            {
                target ??= Targets.Get(name);
                using var ms = new MemoryStream();
                stream.CopyTo(ms);
                Execute(target, ms.ToArray(), scratch);
            });
            return 0;
        }
        return Offline(args, Targets.Get(name));
    }

    /// <summary>The commands that run outside afl-fuzz, on the uninstrumented build.</summary>
    private static int Offline(string[] args, FuzzTarget target)
    {
        switch (args[0])
        {
            case "seed" when args.Length == 4:
                Directory.CreateDirectory(args[2]);
                foreach (var (name, bytes) in Seeds.For(target, args[3]))
                {
                    File.WriteAllBytes(Path.Combine(args[2], name), bytes);
                    Console.WriteLine($"seed {name}: {bytes.Length} bytes");
                }
                return 0;
            case "replay" when args.Length >= 3:
            {
                string scratch = Scratch();
                int broken = 0;
                foreach (var file in args[2..])
                {
                    var bytes = File.ReadAllBytes(file);
                    var sw = Stopwatch.StartNew();
                    var clear = new List<Exception>();
                    var run = Task.Run(() =>
                    {
                        Targets.ClearErrors = clear;
                        Execute(target, bytes, scratch);
                    });
                    string outcome;
                    if (Task.WhenAny(run, Task.Delay(ReplayTimeout)).Result != run) { outcome = $"HANG (still running after {ReplayTimeout.TotalSeconds:0} s)"; broken++; }
                    else if (run.Exception?.InnerException is { } e) { outcome = $"CRASH {e.GetType().FullName}: {e.Message}\n{e.StackTrace}"; broken++; }
                    else outcome = clear.Count == 0
                        ? $"parsed ({sw.Elapsed.TotalMilliseconds:0} ms)"
                        : $"clear error ({sw.Elapsed.TotalMilliseconds:0} ms): " + string.Join(" | ", clear.Select(Describe));
                    Console.WriteLine($"{file}: {outcome}");
                    if (!run.IsCompleted) return 1; // the hung read keeps its thread: stop here
                }
                return broken > 0 ? 1 : 0;
            }
            case "export" when args.Length == 4:
                File.WriteAllBytes(args[3], target.Export(File.ReadAllBytes(args[2])));
                return 0;
            default:
                return Usage();
        }
    }

    /// <summary>A clear error, and for one that wraps a decoder library's exception, where that was thrown (triage).</summary>
    private static string Describe(Exception e) =>
        $"{e.GetType().Name}: {e.Message}" + (e.InnerException is { } inner
            ? $" [wraps {inner.GetType().Name} {inner.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => !l.StartsWith("at System.", StringComparison.Ordinal))}]"
            : "");

    /// <summary>Writes the input as the target's file and parses it; only contract violations escape.</summary>
    private static void Execute(FuzzTarget target, byte[] input, string scratch)
    {
        string path = Path.Combine(scratch, $"input{Environment.CurrentManagedThreadId}{target.Extension}");
        File.WriteAllBytes(path, target.Export(input));
        target.Run(path);
    }

    /// <summary>A per-process folder for the input files, in memory when /dev/shm exists (one write per execution).</summary>
    private static string Scratch()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var dir = Path.Combine(root, $"pj-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: PianoJudges.Fuzz run TARGET | seed TARGET DIR CACHE | replay TARGET FILE... | export TARGET INPUT OUTPUT");
        Console.Error.WriteLine($"targets: {string.Join(", ", TargetNames)}");
        return 2;
    }
}
