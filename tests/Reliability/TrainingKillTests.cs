namespace PianoJudges.Tests.Reliability;

using System.Diagnostics;
using System.Text.Json.Nodes;
using PianoJudges.Data;
using PianoJudges.Tests.Probing;
using PianoJudges.Tests.Support;
using Xunit.Abstractions;

/// <summary>
/// `train` (probe training) and `finetune` (toy Audio-MAE) as child processes, killed with SIGKILL at several points
/// (after the first checkpoint, between checkpoints, inside a checkpoint write), then run again: the final files equal
/// an uninterrupted run's bit for bit, apart from wall-clock seconds. Both pin torch to one thread (`--threads 1`):
/// the numbers repeat for a fixed thread count.
/// </summary>
public class TrainingKillTests(ITestOutputHelper output)
{
    private const int Epochs = 12;

    internal static string[] TrainArgs =>
        ["train", "--task", "expertise-2way", "--dataset", "pld-synth:planted", "--profile", "tiny", "--max-epochs", $"{Epochs}",
         "--device", "cpu", "--threads", "1"];

    /// <summary>Every file of a finished run, with the wall-clock seconds taken out of results.json and last.ckpt, and the data folder out of the paths in results.json.</summary>
    internal static SortedDictionary<string, byte[]> TrainRun(string dataDir)
    {
        var files = KillAndResumeTests.Snapshot(Path.Combine(dataDir, "runs"));
        foreach (var key in files.Keys.ToList())
        {
            string name = Path.GetFileName(key);
            if (name == "table3.html") files[key] = []; // shows each run's seconds; its numbers are table3.csv's
            if (name == "results.json")
            {
                // each test has its own data folder
                var json = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(files[key]).Replace(dataDir, "<data>", StringComparison.Ordinal))!.AsObject();
                json.Remove("Seconds");
                foreach (var epoch in json["Curve"]!.AsArray()) epoch!.AsObject().Remove("Seconds");
                files[key] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
            }
            else if (name == "last.ckpt")
            {
                // magic, fingerprint, training state (JSON, with the curve), then weights and optimiser state as bytes
                using var r = new BinaryReader(new MemoryStream(files[key]));
                string magic = r.ReadString(), fingerprint = r.ReadString();
                var state = JsonNode.Parse(r.ReadString())!.AsObject();
                foreach (var epoch in state["Curve"]!.AsArray()) epoch!.AsObject().Remove("Seconds");
                using var ms = new MemoryStream();
                using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
                {
                    w.Write(magic);
                    w.Write(fingerprint);
                    w.Write(state.ToJsonString());
                    w.Write(r.ReadBytes(files[key].Length));
                }
                files[key] = ms.ToArray();
            }
        }
        return files;
    }

    /// <summary>The epoch of the run's last.ckpt (0 before the first).</summary>
    internal static int CheckpointEpoch(string dataDir)
    {
        string? ckpt = RunFolder(dataDir) is { } run ? Path.Combine(run, "last.ckpt") : null;
        if (ckpt is null || !File.Exists(ckpt)) return 0;
        try
        {
            using var r = new BinaryReader(File.OpenRead(ckpt));
            r.ReadString();
            r.ReadString();
            return JsonNode.Parse(r.ReadString())!["Epoch"]!.GetValue<int>();
        }
        catch (IOException) { return 0; } // replaced between the check and the open
    }

    /// <summary>The folder of the one training run (its checkpoints and results) under a data folder, once it exists.</summary>
    private static string? RunFolder(string dataDir)
    {
        string task = Path.Combine(dataDir, "runs", "pld-synth-planted", "tiny", "spectrogram", "expertise-2way");
        return Directory.Exists(task) ? Directory.EnumerateDirectories(task, "seed13", SearchOption.AllDirectories).FirstOrDefault() : null;
    }

    private static bool WritingATemporaryFile(string? dir) => dir is not null && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir, ".*.tmp").Any();

    [Fact]
    public void TrainKilledAtSeveralPointsThenResumedEqualsAnUninterruptedRun()
    {
        using var reference = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(reference.Path), perLevel: 20, dim: 256);
        var full = Cli.Run(reference.Path, TrainArgs);
        Assert.True(full.ExitCode == 0, full.Tail());
        var expected = TrainRun(reference.Path);
        var curve = JsonNode.Parse(File.ReadAllText(Path.Combine(RunFolder(reference.Path)!, "results.json")))!["Curve"]!.AsArray();
        Assert.Equal(Epochs, curve.Count);
        var epoch = TimeSpan.FromSeconds(curve.Average(e => e!["Seconds"]!.GetValue<double>()));
        output.WriteLine($"uninterrupted: {full.Elapsed.TotalSeconds:F1} s, {epoch.TotalMilliseconds:F0} ms per epoch");

        using var data = new TempDir();
        PlantedExpertise.WriteDataset(new DataPaths(data.Path), perLevel: 20, dim: 256);
        var limit = TimeSpan.FromMinutes(2);
        // 1. Right after the first checkpoint.
        Assert.True(KillAndResumeTests.KillWhen(Cli.Start(data.Path, TrainArgs), () => CheckpointEpoch(data.Path) >= 1, limit), "train ended before its first kill point");
        int first = CheckpointEpoch(data.Path);
        output.WriteLine($"killed after the checkpoint of epoch {first}");
        Assert.InRange(first, 1, Epochs - 4);
        // 2. Half an epoch after a checkpoint: mid-epoch, between checkpoints.
        Assert.True(KillAndResumeTests.KillWhen(Cli.Start(data.Path, TrainArgs), () => CheckpointEpoch(data.Path) >= first + 2, limit, delay: epoch / 2),
            "train ended before its second kill point");
        int second = CheckpointEpoch(data.Path);
        output.WriteLine($"killed half an epoch after the checkpoint of epoch {first + 2}; last.ckpt has epoch {second}");
        Assert.InRange(second, first + 2, Epochs - 1);
        byte[] olderBest = File.ReadAllBytes(Path.Combine(RunFolder(data.Path)!, "best.pt"));
        Assert.False(olderBest.AsSpan().SequenceEqual(expected.Single(kv => kv.Key.EndsWith("/best.pt", StringComparison.Ordinal)).Value), "the best epoch came early: no older best.pt to plant");
        // 3. Inside a checkpoint write (last.ckpt or best.pt), when the polling catches its temporary file; else late in an epoch.
        bool inWrite = false;
        Assert.True(KillAndResumeTests.KillWhen(Cli.Start(data.Path, TrainArgs),
            () => (inWrite = WritingATemporaryFile(RunFolder(data.Path))) || CheckpointEpoch(data.Path) >= Epochs - 2, limit, spin: true), "train ended before its third kill point");
        output.WriteLine(inWrite ? $"killed while a checkpoint was written ({string.Join(", ", Directory.EnumerateFiles(RunFolder(data.Path)!, ".*.tmp").Select(Path.GetFileName))})"
                                 : "the checkpoint writes were too quick to catch: killed in a late epoch");
        if (!inWrite) // what such a kill leaves: a dead process's partial temporary file
            File.WriteAllBytes(Path.Combine(RunFolder(data.Path)!, $".last.ckpt.{KillAndResumeTests.DeadPid()}.{Guid.NewGuid():N}.tmp"), [1, 2, 3]);
        Assert.InRange(CheckpointEpoch(data.Path), second, Epochs - 1);

        var resumed = Cli.Run(data.Path, TrainArgs);
        Assert.True(resumed.ExitCode == 0, resumed.Tail());
        KillAndResumeTests.AssertSameFiles(expected, TrainRun(data.Path)); // results, metrics, best.pt, last.ckpt, Table 3 files; no temporary file

        // What a kill between writing last.ckpt and best.pt leaves: an older best.pt. The next run puts the selected weights back.
        File.WriteAllBytes(Path.Combine(RunFolder(data.Path)!, "best.pt"), olderBest);
        var again = Cli.Run(data.Path, TrainArgs);
        Assert.True(again.ExitCode == 0, again.Tail());
        KillAndResumeTests.AssertSameFiles(expected, TrainRun(data.Path));
    }

    private static readonly string[] FinetuneArgs =
        ["finetune", "--encoder", "audiomae", "--size", "toy", "--corpus", "corpus", "--steps", "100", "--checkpoint-every", "10", "--batch-size", "2",
         "--seed", "42", "--threads", "1", "--out", "run"];

    /// <summary>Every file of a fine-tuning run, with the wall-clock seconds taken out of log.jsonl.</summary>
    private static SortedDictionary<string, byte[]> FinetuneRun(string dataDir)
    {
        var files = KillAndResumeTests.Snapshot(Path.Combine(dataDir, "run"));
        if (files.TryGetValue(PianoJudges.FineTuning.FineTuner.LogFile, out var log))
            files[PianoJudges.FineTuning.FineTuner.LogFile] = System.Text.Encoding.UTF8.GetBytes(string.Join("\n",
                System.Text.Encoding.UTF8.GetString(log).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
                {
                    var o = JsonNode.Parse(line)!.AsObject();
                    o.Remove("seconds");
                    return o.ToJsonString();
                })));
        return files;
    }

    private static int LoggedSteps(string dataDir)
    {
        try { return File.ReadAllText(Path.Combine(dataDir, "run", PianoJudges.FineTuning.FineTuner.LogFile)).Count(c => c == '\n'); }
        catch (IOException) { return 0; }
    }

    private static long CheckpointedSteps(string dataDir)
    {
        try { return (long)JsonNode.Parse(File.ReadAllText(Path.Combine(dataDir, "run", PianoJudges.FineTuning.FineTuner.LatestFile)))!["steps_done"]!; }
        catch (IOException) { return 0; }
    }

    private static bool WritingACheckpoint(string run) =>
        WritingATemporaryFile(Path.Combine(run, "checkpoints"))
        || (Directory.Exists(run) && Directory.EnumerateFiles(run, ".*.tmp").Any(f => !Path.GetFileName(f).StartsWith(".log.jsonl.", StringComparison.Ordinal)));

    /// <summary>Runs finetune again as a user would: --resume once a checkpoint exists (without one, --resume is an error).</summary>
    private static Process StartFinetune(string dataDir) =>
        Cli.Start(dataDir, CheckpointedSteps(dataDir) > 0 ? [.. FinetuneArgs, "--resume"] : FinetuneArgs);

    [Fact]
    public void FinetuneKilledAtSeveralPointsThenResumedEqualsAnUninterruptedRun()
    {
        using var reference = new TempDir();
        PianoJudges.Tests.FineTuning.PianoFixture.WriteCorpus(reference.File("corpus"));
        var full = Cli.Run(reference.Path, FinetuneArgs);
        Assert.True(full.ExitCode == 0, full.Tail());
        output.WriteLine($"uninterrupted: {full.Elapsed.TotalSeconds:F1} s");
        var expected = FinetuneRun(reference.Path);
        Assert.Equal(100, Encoding(expected[PianoJudges.FineTuning.FineTuner.LogFile]).Split('\n').Length);

        using var data = new TempDir();
        PianoJudges.Tests.FineTuning.PianoFixture.WriteCorpus(data.File("corpus"));
        var limit = TimeSpan.FromMinutes(2);
        // 1. Right after the first checkpoint.
        Assert.True(KillAndResumeTests.KillWhen(StartFinetune(data.Path), () => CheckpointedSteps(data.Path) >= 10, limit), "finetune ended before its first kill point");
        long first = CheckpointedSteps(data.Path);
        output.WriteLine($"killed after the checkpoint of step {first}, {LoggedSteps(data.Path)} steps logged");
        Assert.InRange(first, 10, 60);
        // 2. Between checkpoints: five steps after one.
        Assert.True(KillAndResumeTests.KillWhen(StartFinetune(data.Path), () => LoggedSteps(data.Path) >= first + 15, limit), "finetune ended before its second kill point");
        long second = CheckpointedSteps(data.Path);
        output.WriteLine($"killed with {LoggedSteps(data.Path)} steps logged, the checkpoint of step {second} written");
        Assert.InRange(second, first + 10, 80);
        // 3. Inside a checkpoint write (its temporary folder, or the temporary file of encoder.safetensors / latest.json), else late.
        bool inWrite = false;
        string run = data.File("run");
        Assert.True(KillAndResumeTests.KillWhen(StartFinetune(data.Path),
            () => (inWrite = WritingACheckpoint(run)) || LoggedSteps(data.Path) >= 95, limit, spin: true),
            "finetune ended before its third kill point");
        output.WriteLine(inWrite ? $"killed while a checkpoint was written ({string.Join(", ", Directory.EnumerateFileSystemEntries(run, ".*.tmp", SearchOption.AllDirectories).Select(Path.GetFileName))})"
                                 : "the checkpoint writes were too quick to catch: killed late");
        if (!inWrite) // what such a kill leaves: a dead process's partial checkpoint folder
            Directory.CreateDirectory(Path.Combine(run, "checkpoints", $".step-00000090.{KillAndResumeTests.DeadPid()}.{Guid.NewGuid():N}.tmp"));
        Assert.InRange(CheckpointedSteps(data.Path), second, 99);

        var resumed = Cli.Run(data.Path, [.. FinetuneArgs, "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Tail());
        KillAndResumeTests.AssertSameFiles(expected, FinetuneRun(data.Path)); // log, encoder.safetensors, latest.json, the kept checkpoints; nothing temporary
    }

    private static string Encoding(byte[] b) => System.Text.Encoding.UTF8.GetString(b);
}
