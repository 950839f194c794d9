namespace PianoJudges.Probing;

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PianoJudges.Data;
using PianoJudges.Metrics;
using PianoJudges.Probing.Tasks;

/// <summary>The five probing tasks of the paper's Table 3, by the names the CLI and notebooks use.</summary>
public static class ProbeTaskNames
{
    public const string Expertise2 = "expertise-2way";
    public const string Expertise4 = "expertise-4way";
    public const string Difficulty9 = "difficulty-9";
    public const string Difficulty3 = "difficulty-3";
    public const string Techniques = "techniques";
    public static readonly IReadOnlyList<string> All = [Expertise2, Expertise4, Difficulty9, Difficulty3, Techniques];

    /// <summary>The manifest task a probing task reads.</summary>
    public static string ManifestTaskOf(string task) => task switch
    {
        Expertise2 or Expertise4 => ManifestTask.Expertise,
        Difficulty9 or Difficulty3 => ManifestTask.Difficulty,
        Techniques => ManifestTask.Technique,
        _ => throw new ArgumentException($"unknown task '{task}'; expected one of {string.Join(", ", All)}"),
    };

    /// <summary>
    /// What each class index of the task means, for tables and confusion matrices: R2 by which recording of a pair is
    /// better, R4 by the signed level difference (Eq. 1), difficulty by Henle grades, techniques by label.
    /// </summary>
    public static IReadOnlyList<string> ClassNames(string task) => task switch
    {
        Expertise2 => ["first better", "second better"],
        Expertise4 => ["first +2", "first +1", "second +1", "second +2"],
        Difficulty9 => Enumerable.Range(1, 9).Select(h => $"Henle {h}").ToArray(),
        Difficulty3 => Enumerable.Range(0, 3).Select(c => $"Henle {3 * c + 1}-{3 * c + 3}").ToArray(),
        Techniques => Data.Techniques.Names,
        _ => throw new ArgumentException($"unknown task '{task}'; expected one of {string.Join(", ", All)}"),
    };

    /// <summary>The paper's final hyper-parameters for the task.</summary>
    public static ProbeTrainingOptions Preset(string task) => ManifestTaskOf(task) switch
    {
        ManifestTask.Expertise => ProbePresets.Ranking,
        ManifestTask.Difficulty => ProbePresets.Difficulty,
        _ => ProbePresets.Technique,
    };
}

/// <summary>How to run one probing experiment.</summary>
/// <param name="Task">One of <see cref="ProbeTaskNames.All"/>.</param>
/// <param name="Training">Optimiser, epochs, batch, mode …; null = the paper's preset for the task.</param>
/// <param name="Released">Use the released code's data choices where they differ (released technique pos_weight,
/// released difficulty oversampling); the head's own faithful mode is <see cref="ProbeTrainingOptions.Mode"/>.</param>
/// <param name="Bootstrap">Resamples for the 95% intervals of every metric.</param>
/// <param name="EvaluateOnly">Do not train: evaluate the selected head (best.pt) of a finished run in the checkpoint directory.</param>
public sealed record ProbeExperimentOptions(
    string Task,
    ProbeTrainingOptions? Training = null,
    bool Released = false,
    BootstrapOptions? Bootstrap = null,
    bool EvaluateOnly = false)
{
    public ProbeTrainingOptions EffectiveTraining => Training ?? ProbeTaskNames.Preset(Task);
}

/// <summary>The outcome of one experiment: every metric with its interval, the curve, and the provenance.</summary>
/// <param name="Dataset">The dataset's spec for <see cref="ProbeDataset.Parse"/> ("pld-synth:small", "real"), or its name when built in code.</param>
/// <param name="AudioRoot">The dataset's audio folder (what "real" needs to be parsed again).</param>
/// <param name="Libraries">Versions that can change the numbers: TorchSharp, libtorch, .NET, the torch thread count.</param>
/// <param name="Bootstrap">The resampling behind every interval.</param>
public sealed record ProbeExperimentResult(
    string Task,
    string Encoder,
    string EncoderConfig,
    IReadOnlyDictionary<string, MetricResult> Metrics,
    IReadOnlyList<EpochReport> Curve,
    int BestEpoch,
    int TrainExamples,
    int ValidationExamples,
    int TestExamples,
    double Seconds,
    long Seed,
    string ManifestSha256,
    string CodeVersion,
    ProbeTrainingOptions Training,
    bool Released,
    int[,]? ConfusionMatrix,
    double[]? PerLabelAveragePrecision,
    string? Dataset = null,
    string? AudioRoot = null,
    IReadOnlyDictionary<string, string>? Libraries = null,
    BootstrapOptions? Bootstrap = null);

/// <summary>
/// One probing experiment from cached embeddings: build the task from a manifest, train the head with the
/// task's preset, select on validation loss, evaluate on the test split, and compute every metric of the
/// paper's Table 3 with bootstrap intervals.
/// </summary>
public static class ProbeExperiment
{
    /// <summary>The task's examples and splits from a manifest (rows of other tasks are ignored).</summary>
    public static ProbeTaskData BuildTask(Manifest manifest, ProbeExperimentOptions options)
    {
        string task = options.Task;
        string manifestTask = ProbeTaskNames.ManifestTaskOf(task);
        var rows = manifest.Rows.Where(r => r.Task == manifestTask).ToList();
        if (rows.Count == 0) throw new ArgumentException($"{manifest.Path ?? "manifest"}: no '{manifestTask}' rows for task {task}");
        long seed = options.EffectiveTraining.Seed;
        return task switch
        {
            ProbeTaskNames.Expertise2 or ProbeTaskNames.Expertise4 => ExpertiseRanking.Build(
                rows.Select(LabelledRecording.FromManifest).ToList(),
                new ExpertiseRankingOptions(Ways: task == ProbeTaskNames.Expertise2 ? 2 : 4, Seed: seed)),
            ProbeTaskNames.Difficulty9 or ProbeTaskNames.Difficulty3 => PieceDifficulty.Build(
                rows.Select(LabelledRecording.FromManifest).ToList(),
                new PieceDifficultyOptions(Classes: task == ProbeTaskNames.Difficulty9 ? 9 : 3,
                    Balancing: options.Released ? DifficultyBalancing.ReleasedOversampling : DifficultyBalancing.None, Seed: seed)),
            _ => TechniqueRecognition.Build(rows.Select(MultiLabelledRecording.FromManifest).ToList(),
                new TechniqueRecognitionOptions(ReleasedPosWeight: options.Released, Seed: seed)),
        };
    }

    /// <summary>Trains and evaluates; <paramref name="frames"/> and <paramref name="dim"/> are one recording's (T, D).</summary>
    public static ProbeExperimentResult Run(Manifest manifest, IEmbeddingSource source, string encoder, string encoderConfig,
        int frames, int dim, ProbeExperimentOptions options, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var training = options.EffectiveTraining;
        var task = BuildTask(manifest, options);
        var trainer = new ProbeTrainer(task, source, frames, dim, training);
        var trained = options.EvaluateOnly ? Saved(trainer, training) : trainer.Train(progress, cancellationToken);
        var test = task.Test.Count > 0 ? task.Test : task.Validation;
        var eval = trainer.Evaluate(trained.Model, test, cancellationToken);
        var bootstrap = options.Bootstrap ?? BootstrapOptions.Default;
        var (metrics, confusion, perLabelAp) = Score(options.Task, task.Objective.Classes, eval, bootstrap);
        return new ProbeExperimentResult(options.Task, encoder, encoderConfig, metrics, trained.Curve, trained.BestEpoch,
            task.Train.Count, task.Validation.Count, test.Count, clock.Elapsed.TotalSeconds, training.Seed,
            Sha256(manifest), CodeVersion(), training, options.Released, confusion, perLabelAp,
            Libraries: Libraries(), Bootstrap: bootstrap);
    }

    private static ProbeTrainingResult Saved(ProbeTrainer trainer, ProbeTrainingOptions training)
    {
        string best = Path.Combine(training.CheckpointDirectory ?? throw new ArgumentException("evaluation needs the run's checkpoint directory"), "best.pt");
        if (!File.Exists(best)) throw new FileNotFoundException($"no trained head at {best}: train this task first (pianojudges train / table3)", best);
        string results = Path.Combine(training.CheckpointDirectory, "results.json");
        var curve = new List<EpochReport>();
        int bestEpoch = 0;
        if (File.Exists(results))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(results));
            if (doc.RootElement.TryGetProperty("Curve", out var c))
                curve = JsonSerializer.Deserialize<List<EpochReport>>(c.GetRawText(), new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }) ?? [];
            if (doc.RootElement.TryGetProperty("BestEpoch", out var b)) bestEpoch = b.GetInt32();
        }
        return new ProbeTrainingResult(trainer.LoadModel(best), curve, bestEpoch, double.NaN, false, curve.Count, 0, 0);
    }

    /// <summary>Every metric the task reports, each with a bootstrap interval.</summary>
    public static (Dictionary<string, MetricResult> Metrics, int[,]? Confusion, double[]? PerLabelAp) Score(
        string task, int classes, ProbeEvaluation eval, BootstrapOptions bootstrap)
    {
        var metrics = new Dictionary<string, MetricResult>(StringComparer.Ordinal);
        if (eval.Kind == ObjectiveKind.SingleLabel)
        {
            int[] truth = eval.TrueClass, pred = eval.PredictedClass;
            metrics["accuracy"] = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.Accuracy(t, p), bootstrap);
            metrics["macro_accuracy"] = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.MacroAccuracy(t, p, classes), bootstrap);
            metrics["macro_f1"] = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.MacroF1(t, p, classes), bootstrap);
            if (task is ProbeTaskNames.Difficulty9 or ProbeTaskNames.Difficulty3)
            {
                metrics["acc0"] = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.AccWithin(t, p, 0, classes), bootstrap);
                metrics["acc1"] = Bootstrap.Multiclass(truth, pred, (t, p) => Multiclass.AccWithin(t, p, 1, classes), bootstrap);
            }
            return (metrics, Multiclass.Evaluate(truth, pred, classes).Confusion.Counts, null);
        }
        int n = eval.Ids.Length, labels = classes;
        var truthM = new int[n, labels];
        var scores = new double[n, labels];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < labels; j++)
            {
                truthM[i, j] = eval.TrueLabels[i][j] ? 1 : 0;
                scores[i, j] = eval.Probabilities[i][j];
            }
        metrics["mAP"] = Bootstrap.Multilabel(truthM, scores, (t, s) => Multilabel.MeanAveragePrecision(t, s).Value, bootstrap);
        metrics["macro_auc"] = Bootstrap.Multilabel(truthM, scores, (t, s) => Multilabel.MacroRocAuc(t, s).Value, bootstrap);
        metrics["multilabel_accuracy"] = Bootstrap.Multilabel(truthM, scores, (t, s) => Multilabel.Accuracy(t, s), bootstrap);
        metrics["single_label_accuracy"] = Bootstrap.Multilabel(truthM, scores, Multilabel.FlexibleAccuracy, bootstrap);
        metrics["single_label_f1"] = Bootstrap.Multilabel(truthM, scores, Multilabel.FlexibleF1, bootstrap);
        return (metrics, null, Multilabel.MeanAveragePrecision(truthM, scores).PerLabel);
    }

    /// <summary>Writes results.json (everything) and metrics.csv (one row per metric) into <paramref name="directory"/>, atomically.</summary>
    public static void Save(ProbeExperimentResult result, string directory)
    {
        var json = JsonSerializer.Serialize(new
        {
            result.Task, result.Encoder, result.EncoderConfig, result.Dataset, result.AudioRoot, result.Seed, result.Released, result.ManifestSha256, result.CodeVersion,
            result.Libraries, result.Training, result.Bootstrap, result.TrainExamples, result.ValidationExamples, result.TestExamples, result.BestEpoch, result.Seconds,
            Metrics = result.Metrics.ToDictionary(kv => kv.Key, kv => new { kv.Value.Value, kv.Value.Lower, kv.Value.Upper, kv.Value.Level, kv.Value.N, kv.Value.Resamples, kv.Value.ValidResamples }),
            result.Curve,
            ConfusionMatrix = result.ConfusionMatrix is null ? null : Rows(result.ConfusionMatrix),
            result.PerLabelAveragePrecision,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        AtomicFile.WriteAllText(Path.Combine(directory, "results.json"), json);
        var csv = new StringBuilder("task,encoder,metric,value,lower,upper,n,seed\n");
        foreach (var (name, m) in result.Metrics)
            csv.Append(string.Join(",", Reporting.Table.CsvCell(result.Task), Reporting.Table.CsvCell(result.Encoder), Reporting.Table.CsvCell(name), F(m.Value), F(m.Lower), F(m.Upper),
                m.N.ToString(CultureInfo.InvariantCulture), result.Seed.ToString(CultureInfo.InvariantCulture))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, "metrics.csv"), csv.ToString());
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.######", CultureInfo.InvariantCulture);

    private static int[][] Rows(int[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    /// <summary>SHA-256 of the manifest's rows as written, so a result names exactly the data it came from.</summary>
    public static string Sha256(Manifest manifest)
    {
        var text = new StringBuilder();
        foreach (var r in manifest.Rows)
            text.Append(r.Id).Append('|').Append(r.AudioId).Append('|').Append(r.Task).Append('|').Append(r.Label)
                .Append('|').Append(r.Labels).Append('|').Append(r.Group).Append('|').Append(r.Split).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Versions that can change the numbers: TorchSharp, libtorch, .NET, and torch's intra-op thread count.</summary>
    public static IReadOnlyDictionary<string, string> Libraries() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["TorchSharp"] = typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["libtorch"] = Native.TorchRuntime.EnsureInitialised(),
        [".NET"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["torch threads"] = TorchSharp.torch.get_num_threads().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The library's informational version (includes the git commit when built from a clone).</summary>
    public static string CodeVersion() =>
        typeof(ProbeExperiment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
