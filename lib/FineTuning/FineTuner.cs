namespace PianoJudges.FineTuning;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Encoders.Weights;
using TorchSharp;

/// <summary>How a fine-tuning run goes.</summary>
/// <param name="OutputDirectory">Run folder: log.jsonl, checkpoints/step-N/, latest.json, encoder.safetensors.</param>
/// <param name="Steps">Optimiser steps of the whole run (a resumed run continues to this count).</param>
/// <param name="BatchSize">Excerpts per micro-batch.</param>
/// <param name="AccumulationSteps">Micro-batches per optimiser step (effective batch = BatchSize x AccumulationSteps).</param>
/// <param name="CheckpointEvery">Steps between checkpoints (the last step and an interruption always write one).</param>
/// <param name="Seed">Seeds every draw: excerpt choice, augmentation and torch's generator (masks, quantiser dropout, dropout) per step.</param>
/// <param name="Resume">Continue from latest.json in OutputDirectory (an error if there is none).</param>
/// <param name="KeepCheckpoints">Checkpoint folders kept (oldest deleted first).</param>
/// <param name="Corpus">What the run trains on, as given (recorded in the encoder checkpoint's metadata).</param>
/// <param name="Sampling">How excerpts are drawn from the corpus; null = the objective's original (<see cref="IFineTuningObjective.Sampling"/>).</param>
public sealed record FineTuneOptions(
    string OutputDirectory,
    long Steps,
    int BatchSize,
    int AccumulationSteps = 1,
    int CheckpointEvery = 100,
    ulong Seed = 0,
    bool Resume = false,
    int KeepCheckpoints = 2,
    string? Corpus = null,
    ExcerptSampling? Sampling = null)
{
    internal void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps must be at least 1, got {Steps}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}");
        if (AccumulationSteps < 1) throw new ArgumentException($"AccumulationSteps must be at least 1, got {AccumulationSteps}");
        if (CheckpointEvery < 1) throw new ArgumentException($"CheckpointEvery must be at least 1, got {CheckpointEvery}");
        if (KeepCheckpoints < 1) throw new ArgumentException($"KeepCheckpoints must be at least 1, got {KeepCheckpoints}");
    }
}

/// <summary>After each step: the 1-based count of steps done, the logged numbers and the speed so far.</summary>
public sealed record FineTuneProgress(long StepsDone, long TotalSteps, IReadOnlyDictionary<string, double> Values, double StepsPerSecond);

/// <summary>What a run did: where it started, where it stopped, and its files.</summary>
public sealed record FineTuneResult(long StartStep, long StepsDone, string LastCheckpoint, string EncoderCheckpoint, string LogPath);

/// <summary>
/// Runs an <see cref="IFineTuningObjective"/> for a number of optimiser steps with checkpoints, resume and a log.
/// Every step s draws from generators seeded by (seed, s) alone, so a run resumed from step k's checkpoint (weights and
/// optimiser moments) computes the same numbers as one that never stopped. Checkpoints are written to a temporary
/// folder and renamed into place; latest.json and encoder.safetensors are replaced atomically.
/// Mixed precision is the objective's (<see cref="TrainingPrecision"/>): TorchSharp 0.107 has no autocast, so the
/// objectives keep float32 masters and compute with a bfloat16/float16 copy (<see cref="MixedPrecisionModel{T}"/>).
/// </summary>
public static class FineTuner
{
    public const string LogFile = "log.jsonl";
    public const string LatestFile = "latest.json";
    public const string EncoderFile = FineTunedCheckpoint.FileName;
    public const string StartFile = FineTunedCheckpoint.StartFileName;
    public const string TrainingStateFile = "training.safetensors";
    public const string TrainerFile = "trainer.json";

    public static FineTuneResult Run(IFineTuningObjective objective, IExcerptSource corpus, FineTuneOptions options,
        IProgress<FineTuneProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        string root = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(root);
        string logPath = Path.Combine(root, LogFile);
        long start = 0;
        string? lastCheckpoint = null;
        // A run killed inside a checkpoint write leaves a temporary folder or file (never read): sweep those of dead writers.
        string checkpoints = Path.Combine(root, "checkpoints");
        AtomicFile.RemoveStaleTemporaryDirectories(checkpoints);
        AtomicFile.RemoveStaleTemporaryFiles(root);
        if (options.Resume)
        {
            (start, lastCheckpoint) = Restore(objective, options, root);
            TrimLog(logPath, start);
            Prune(checkpoints, options.KeepCheckpoints); // a run killed while deleting an old checkpoint left part of it
        }
        else if (File.Exists(Path.Combine(root, LatestFile)))
        {
            throw new InvalidOperationException($"{root} already holds a run ({LatestFile}); pass resume to continue it or choose another folder");
        }
        else if (File.Exists(logPath)) File.Delete(logPath);
        if (!options.Resume) SaveEncoder(objective, Path.Combine(root, StartFile), options, 0);

        var sampling = options.Sampling ?? objective.Sampling;
        int itemsPerStep = options.BatchSize * options.AccumulationSteps;
        var clock = Stopwatch.StartNew();
        long step = start;
        try
        {
            for (; step < options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ulong stepSeed = StepSeed(options.Seed, step);
                torch.random.manual_seed((long)(stepSeed >> 1));
                var rng = new SplitMix64(stepSeed);
                var micro = new List<float[][]>(options.AccumulationSteps);
                for (int m = 0; m < options.AccumulationSteps; m++)
                    micro.Add(corpus.Draw(new ExcerptRequest(sampling, step, itemsPerStep, m * options.BatchSize, options.BatchSize, objective.CropSamples), rng));
                var values = objective.Step(micro, step, rng);
                AppendLog(logPath, step, values, clock.Elapsed.TotalSeconds);
                long done = step + 1;
                if (done % options.CheckpointEvery == 0 || done == options.Steps)
                    lastCheckpoint = SaveCheckpoint(objective, options, root, done);
                progress?.Report(new FineTuneProgress(done, options.Steps, values, (done - start) / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
            }
        }
        catch (OperationCanceledException) when (step > start)
        {
            // Steps before `step` are done: keep them, so that a resume goes on from here.
            if (lastCheckpoint is null || !lastCheckpoint.EndsWith(StepFolder(step), StringComparison.Ordinal))
                SaveCheckpoint(objective, options, root, step);
            throw;
        }
        return new FineTuneResult(start, step, lastCheckpoint ?? "", Path.Combine(root, EncoderFile), logPath);
    }

    /// <summary>Seeds torch's generator before a model is built, so that a random start is fixed by the run seed.</summary>
    public static void SeedInitialisation(ulong seed) => torch.random.manual_seed((long)(StepSeed(seed, -1) >> 1));

    /// <summary>Seed of step s: a SplitMix64 draw from the run seed advanced s times (independent streams per step).</summary>
    public static ulong StepSeed(ulong seed, long step)
    {
        var mix = new SplitMix64(seed ^ 0x5DEECE66DUL);
        return SplitMix64.Mix(mix.NextUInt64() + (ulong)step * SplitMix64.Gamma);
    }

    private static string StepFolder(long done) => $"step-{done:D8}";

    private static string SaveCheckpoint(IFineTuningObjective objective, FineTuneOptions options, string root, long done)
    {
        string checkpoints = Path.Combine(root, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        string final = Path.Combine(checkpoints, StepFolder(done));
        string temp = Path.Combine(checkpoints, AtomicFile.TemporaryName(StepFolder(done)));
        Directory.CreateDirectory(temp);
        try
        {
            var meta = new Dictionary<string, string> { ["objective"] = objective.Name, ["steps_done"] = done.ToString(CultureInfo.InvariantCulture) };
            Safetensors.Save(Path.Combine(temp, TrainingStateFile), objective.TrainingState(), meta);
            objective.SaveOptimisers(temp);
            var trainer = new JsonObject
            {
                ["objective"] = objective.Name,
                ["steps_done"] = done,
                ["total_steps"] = options.Steps,
                ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = options.BatchSize,
                ["accumulation_steps"] = options.AccumulationSteps,
                ["sampling"] = (options.Sampling ?? objective.Sampling).Describe(),
                ["precision"] = objective.Precision.Name(),
            };
            File.WriteAllText(Path.Combine(temp, TrainerFile), trainer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temp, final);
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
            throw;
        }
        SaveEncoder(objective, Path.Combine(root, EncoderFile), options, done);
        AtomicFile.WriteAllText(Path.Combine(root, LatestFile),
            new JsonObject { ["steps_done"] = done, ["folder"] = Path.Combine("checkpoints", StepFolder(done)) }.ToJsonString());
        Prune(checkpoints, options.KeepCheckpoints);
        return final;
    }

    /// <summary>
    /// Writes the objective's encoder weights (the original checkpoint's key layout) with <see cref="FineTunedCheckpoint"/>
    /// metadata, atomically: what `embed --weights` reads to build the right model and name its embeddings.
    /// </summary>
    public static FineTunedCheckpoint SaveEncoder(IFineTuningObjective objective, string path, FineTuneOptions options, long stepsDone)
    {
        var meta = objective.DescribeEncoder() with
        {
            StepsDone = stepsDone,
            TotalSteps = options.Steps,
            Seed = options.Seed,
            Corpus = options.Corpus ?? "",
        };
        Safetensors.Save(path, objective.EncoderCheckpoint(), meta.ToMetadata());
        return meta;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoint folders.</summary>
    private static void Prune(string checkpoints, int keep)
    {
        if (!Directory.Exists(checkpoints)) return;
        foreach (var old in Directory.GetDirectories(checkpoints, "step-*").Order(StringComparer.Ordinal).SkipLast(keep))
            Directory.Delete(old, recursive: true);
    }

    private static (long start, string folder) Restore(IFineTuningObjective objective, FineTuneOptions options, string root)
    {
        string latest = Path.Combine(root, LatestFile);
        if (!File.Exists(latest)) throw new FileNotFoundException($"nothing to resume: {latest} does not exist", latest);
        var pointer = JsonNode.Parse(File.ReadAllText(latest)) ?? throw new InvalidDataException($"{latest}: empty");
        string folder = Path.Combine(root, (string?)pointer["folder"] ?? throw new InvalidDataException($"{latest}: no 'folder'"));
        var trainer = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, TrainerFile))) ?? throw new InvalidDataException($"{folder}: empty {TrainerFile}");
        string name = (string?)trainer["objective"] ?? "";
        if (name != objective.Name) throw new InvalidDataException($"{folder}: a {name} run cannot be resumed as {objective.Name}");
        void Same(string key, string value)
        {
            string was = trainer[key]?.ToString() ?? "";
            if (was != value) throw new InvalidDataException($"{folder}: the run used {key} = {was}, this one {value}; a resumed run must keep it");
        }
        Same("seed", options.Seed.ToString(CultureInfo.InvariantCulture));
        Same("batch_size", options.BatchSize.ToString(CultureInfo.InvariantCulture));
        Same("accumulation_steps", options.AccumulationSteps.ToString(CultureInfo.InvariantCulture));
        Same("total_steps", options.Steps.ToString(CultureInfo.InvariantCulture));
        Same("sampling", (options.Sampling ?? objective.Sampling).Describe());
        Same("precision", objective.Precision.Name());
        long done = (long?)trainer["steps_done"] ?? throw new InvalidDataException($"{folder}: no steps_done");
        using (var state = Safetensors.Load(Path.Combine(folder, TrainingStateFile)))
            objective.LoadTrainingState(state, Path.Combine(folder, TrainingStateFile));
        objective.LoadOptimisers(folder);
        return (done, folder);
    }

    private static void AppendLog(string path, long step, IReadOnlyDictionary<string, double> values, double seconds)
    {
        var line = new StringBuilder("{\"step\":").Append(step.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in values) line.Append(",\"").Append(k).Append("\":").Append(Number(v));
        line.Append(",\"seconds\":").Append(Number(seconds)).Append("}\n");
        File.AppendAllText(path, line.ToString());
    }

    private static string Number(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "null";

    /// <summary>Drops log lines of steps at or after <paramref name="start"/> (written after the checkpoint a resume goes back to).</summary>
    private static void TrimLog(string path, long start)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        // The last line may be cut short by a failed write (a full disk): it is of a step after the checkpoint anyway.
        if (lines.Count > 0 && !ParsesAsJson(lines[^1])) lines.RemoveAt(lines.Count - 1);
        var kept = lines.Where(l => (long?)JsonNode.Parse(l)?["step"] < start).ToList();
        AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    private static bool ParsesAsJson(string line)
    {
        try { return JsonNode.Parse(line) is not null; }
        catch (JsonException) { return false; }
    }

    /// <summary>Reads log.jsonl: one dictionary per step (step, lr, the losses, seconds).</summary>
    public static List<Dictionary<string, double>> ReadLog(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()
            .Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>())).ToList();
}
