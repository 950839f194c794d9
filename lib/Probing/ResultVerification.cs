namespace PianoJudges.Probing;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PianoJudges.Data;
using PianoJudges.Metrics;

/// <summary>The outcome of re-running a result: it matches, it differs, or it cannot be re-run.</summary>
public enum VerificationVerdict { Match, Mismatch, CannotVerify }

/// <summary>
/// What <see cref="ResultVerification.Verify"/> found. <paramref name="Differences"/> names each value that differs
/// (recorded vs re-run); <paramref name="Problem"/> says why a result cannot be verified; <paramref name="Notes"/> are
/// facts that may explain a mismatch (another code or library version).
/// </summary>
public sealed record VerificationReport(
    string ResultsPath,
    VerificationVerdict Verdict,
    IReadOnlyList<string> Differences,
    string? Problem,
    IReadOnlyList<string> Notes)
{
    /// <summary>0 match, 1 mismatch, 2 cannot verify (the CLI's exit code).</summary>
    public int ExitCode => Verdict switch { VerificationVerdict.Match => 0, VerificationVerdict.Mismatch => 1, _ => 2 };
}

/// <summary>
/// Re-runs one probing result (a results.json written by <see cref="ProbeExperiment.Save"/>) from scratch and
/// compares it with what was recorded: the same dataset (its manifest SHA-256 checked), the embedding cache of the
/// recorded encoder configuration, the recorded training options and bootstrap, trained into a fresh temporary
/// checkpoint folder (the original run is never touched). Every metric (value, interval, n), the curve (losses,
/// validation accuracy, improvement flags; not the wall-clock seconds) and the best epoch must be bit-identical.
/// </summary>
public static class ResultVerification
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNameCaseInsensitive = true,
    };

    /// <param name="datasetOverride">The dataset to use instead of parsing the recorded spec (a dataset built in code).</param>
    public static VerificationReport Verify(DataPaths paths, string resultsPath, ProbeDataset? datasetOverride = null, CancellationToken cancellationToken = default)
    {
        var notes = new List<string>();
        VerificationReport Cannot(string why) => new(resultsPath, VerificationVerdict.CannotVerify, [], why, notes);

        if (Directory.Exists(resultsPath)) resultsPath = Path.Combine(resultsPath, "results.json");
        if (!File.Exists(resultsPath)) return Cannot($"{resultsPath}: no such results file");
        Recorded rec;
        try
        {
            rec = JsonSerializer.Deserialize<Recorded>(File.ReadAllText(resultsPath), Json)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            return Cannot($"{resultsPath}: not a results file ({e.Message})");
        }
        if (rec.Task is null || rec.Encoder is null || rec.EncoderConfig is null || rec.Training is null || rec.Metrics is null || rec.Curve is null || rec.ManifestSha256 is null)
            return Cannot($"{resultsPath}: lacks one of Task, Encoder, EncoderConfig, Training, Metrics, Curve, ManifestSha256");

        string now = ProbeExperiment.CodeVersion();
        if (rec.CodeVersion != now) notes.Add($"code version: recorded {rec.CodeVersion ?? "none"}, now {now}");
        var libraries = ProbeExperiment.Libraries();
        if (rec.Libraries is null) notes.Add("library versions: not recorded");
        else
            foreach (var (name, version) in libraries)
                if (!rec.Libraries.TryGetValue(name, out var was) || was != version)
                    notes.Add($"{name}: recorded {was ?? "none"}, now {version}");

        ProbeDataset dataset;
        if (datasetOverride is not null) dataset = datasetOverride;
        else
        {
            if (rec.Dataset is null) return Cannot($"{resultsPath}: the dataset is not recorded (a result written before datasets were recorded)");
            try
            {
                dataset = ProbeDataset.Parse(paths, rec.Dataset, rec.AudioRoot);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException)
            {
                return Cannot($"dataset '{rec.Dataset}' cannot be rebuilt: {e.Message}");
            }
        }

        var cache = EmbeddingCache.Discover(paths, rec.Encoder)
            .Where(c => c.ConfigKey == rec.EncoderConfig).OrderBy(c => c.Float16).FirstOrDefault();
        if (cache is null)
            return Cannot($"no {rec.Encoder} embedding cache with the recorded configuration '{rec.EncoderConfig}' under {paths.Root} (run 'pianojudges embed --encoder {rec.Encoder}' with the same settings)");
        var source = new CachedEmbeddingSource(cache);
        Manifest manifest;
        try
        {
            manifest = dataset.Available(rec.Task, source.Contains).Manifest;
        }
        catch (ArgumentException e)
        {
            return Cannot($"dataset {dataset.Name}: {e.Message}");
        }
        if (manifest.Rows.Count == 0) return Cannot($"{cache.Directory}: none of the dataset's {rec.Task} recordings has a cached embedding");
        string sha = ProbeExperiment.Sha256(manifest);
        if (sha != rec.ManifestSha256)
            return Cannot($"the data differ: manifest SHA-256 recorded {rec.ManifestSha256}, now {sha} (other manifest rows, or other recordings cached)");

        string scratch = Path.Combine(Path.GetTempPath(), "pianojudges-verify-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            int? threads = rec.Training.Threads;
            if (threads is null && rec.Libraries?.GetValueOrDefault("torch threads") is { } t && int.TryParse(t, CultureInfo.InvariantCulture, out int n)) threads = n;
            var training = rec.Training with { CheckpointDirectory = scratch, Resume = false, Threads = threads };
            var first = source.Load(manifest.Rows[0].AudioId);
            var rerun = ProbeExperiment.Run(manifest, source, rec.Encoder, rec.EncoderConfig, first.Frames, first.Dim,
                new ProbeExperimentOptions(rec.Task, training, rec.Released, rec.Bootstrap ?? BootstrapOptions.Default), null, cancellationToken);
            var differences = Compare(rec, rerun);
            return new VerificationReport(resultsPath, differences.Count == 0 ? VerificationVerdict.Match : VerificationVerdict.Mismatch, differences, null, notes);
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (DirectoryNotFoundException) { } catch (IOException) { }
        }
    }

    private static List<string> Compare(Recorded rec, ProbeExperimentResult rerun)
    {
        var d = new List<string>();
        void Num(string what, double was, double now)
        {
            if (BitConverter.DoubleToInt64Bits(was) != BitConverter.DoubleToInt64Bits(now) && !(double.IsNaN(was) && double.IsNaN(now)))
                d.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: recorded {was:R}, re-run {now:R}"));
        }
        void Int(string what, int? was, int now)
        {
            if (was is { } w && w != now) d.Add($"{what}: recorded {w}, re-run {now}");
        }
        foreach (var name in rec.Metrics!.Keys.Union(rerun.Metrics.Keys).Order(StringComparer.Ordinal))
        {
            if (!rec.Metrics.TryGetValue(name, out var was)) { d.Add($"metric {name}: not recorded, re-run has it"); continue; }
            if (!rerun.Metrics.TryGetValue(name, out var now)) { d.Add($"metric {name}: recorded, re-run lacks it"); continue; }
            Num($"metric {name} value", was.Value, now.Value);
            Num($"metric {name} lower", was.Lower, now.Lower);
            Num($"metric {name} upper", was.Upper, now.Upper);
            Int($"metric {name} n", was.N, now.N);
        }
        Int("best epoch", rec.BestEpoch, rerun.BestEpoch);
        Int("train examples", rec.TrainExamples, rerun.TrainExamples);
        Int("validation examples", rec.ValidationExamples, rerun.ValidationExamples);
        Int("test examples", rec.TestExamples, rerun.TestExamples);
        if (rec.Curve!.Count != rerun.Curve.Count) d.Add($"curve: recorded {rec.Curve.Count} epochs, re-run {rerun.Curve.Count}");
        for (int i = 0; i < Math.Min(rec.Curve.Count, rerun.Curve.Count); i++)
        {
            var (was, now) = (rec.Curve[i], rerun.Curve[i]);
            string at = $"curve epoch {was.Epoch}";
            Int($"{at} number", was.Epoch, now.Epoch);
            Num($"{at} train loss", was.TrainLoss, now.TrainLoss);
            Num($"{at} validation loss", was.ValidationLoss, now.ValidationLoss);
            Num($"{at} validation accuracy", was.ValidationAccuracy, now.ValidationAccuracy);
            if (was.Improved != now.Improved) d.Add($"{at} improved: recorded {was.Improved}, re-run {now.Improved}");
        }
        return d;
    }

    /// <summary>The fields of results.json that verification reads.</summary>
    private sealed record Recorded(
        string? Task,
        string? Encoder,
        string? EncoderConfig,
        string? Dataset,
        string? AudioRoot,
        bool Released,
        string? ManifestSha256,
        string? CodeVersion,
        Dictionary<string, string>? Libraries,
        ProbeTrainingOptions? Training,
        BootstrapOptions? Bootstrap,
        int? TrainExamples,
        int? ValidationExamples,
        int? TestExamples,
        int? BestEpoch,
        Dictionary<string, RecordedMetric>? Metrics,
        List<EpochReport>? Curve);

    private sealed record RecordedMetric(double Value, double Lower, double Upper, double Level, int? N);
}
