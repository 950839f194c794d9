namespace PianoJudges.Probing;

using PianoJudges.Data;
using PianoJudges.Metrics;

/// <summary>What to run for Table 3.</summary>
/// <param name="Encoders">Encoders to probe, by embedding name ("audiomae", "audiomae-ft" for fine-tuned weights, see
/// <see cref="Encoders.EncoderRegistry.ProbeNames"/>); null = every encoder with cached embeddings, fine-tuned variants included.</param>
/// <param name="Seeds">Seeds per (encoder, task): the paper reports single runs; more seeds give mean ± std.</param>
/// <param name="LearningRate">Overrides the profile's learning rate (likewise MaxEpochs and BatchSize).</param>
/// <param name="Threads">torch intra-op threads of every training (null: libtorch's default); recorded in each result.</param>
/// <param name="Caches">The embedding caches to probe; null = discover them (see <see cref="Table3.FindCache"/>).</param>
public sealed record Table3Options(
    IReadOnlyList<string>? Tasks = null,
    IReadOnlyList<string>? Encoders = null,
    ProbeProfile? Profile = null,
    ProbeMode Mode = ProbeMode.Corrected,
    bool Released = false,
    int Seeds = 1,
    BootstrapOptions? Bootstrap = null,
    string? Device = null,
    double? LearningRate = null,
    int? MaxEpochs = null,
    int? BatchSize = null,
    IReadOnlyList<EmbeddingCache>? Caches = null,
    bool EvaluateOnly = false,
    int? Threads = null)
{
    public IReadOnlyList<string> EffectiveTasks => Tasks ?? ProbeTaskNames.All;
    public ProbeProfile EffectiveProfile => Profile ?? ProbeProfile.Paper;
}

/// <summary>Progress of a Table 3 run: which experiment, and its epoch report.</summary>
public sealed record Table3Progress(int Done, int Total, string Encoder, string Task, long Seed, EpochReport? Epoch);

/// <summary>All experiments of a Table 3 run, and what was skipped with the reason.</summary>
public sealed record Table3Result(IReadOnlyList<ProbeExperimentResult> Results, IReadOnlyList<string> Skipped, string RunsDirectory);

/// <summary>
/// The paper's Table 3: every task for every encoder whose embeddings of the dataset are cached, trained and
/// evaluated from the cache, with results written per run (results.json, metrics.csv) and collected.
/// </summary>
public static class Table3
{
    public static Table3Result Run(DataPaths paths, ProbeDataset dataset, Table3Options options,
        IProgress<Table3Progress>? progress = null, CancellationToken cancellationToken = default)
    {
        var caches = new List<EmbeddingCache>();
        var skipped = new List<string>();
        if (options.Caches is { } given) caches.AddRange(given);
        else
            foreach (var encoder in options.Encoders ?? Encoders.EncoderRegistry.ProbeNames)
            {
                var (found, note) = FindCache(paths, encoder);
                if (found is not null) caches.Add(found);
                // Asked for everything: a fine-tuned variant nobody made is not worth a line.
                if (note is not null && (found is not null || options.Encoders is not null || !Encoders.FineTunedCheckpoint.IsVariant(encoder)))
                    skipped.Add(note);
            }
        string runs = Path.Combine(paths.Runs, dataset.Name, options.EffectiveProfile.Name);
        var results = new List<ProbeExperimentResult>();
        int total = caches.Count * options.EffectiveTasks.Count * options.Seeds, done = 0;
        foreach (var cache in caches)
        {
            var source = new CachedEmbeddingSource(cache);
            foreach (var task in options.EffectiveTasks)
            {
                var (manifest, dropped) = dataset.Available(task, source.Contains);
                if (manifest.Rows.Count == 0)
                {
                    skipped.Add($"{cache.EncoderName}/{task}: none of the {dropped} recordings has a cached embedding");
                    done += options.Seeds;
                    continue;
                }
                if (dropped > 0) skipped.Add($"{cache.EncoderName}/{task}: {dropped} recordings without a cached embedding left out");
                var first = source.Load(manifest.Rows[0].AudioId);
                int segments = manifest.Rows.Select(r => r.AudioId).Distinct().Max(id => SegmentsOf(source, id));
                for (int s = 0; s < options.Seeds; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long seed = ProbePresets.Seed + s;
                    var training = options.EffectiveProfile.Apply(ProbeTaskNames.Preset(task), segments) with
                    {
                        Seed = seed,
                        Mode = options.Mode,
                        Device = options.Device,
                        Threads = options.Threads,
                    };
                    training = training with
                    {
                        LearningRate = options.LearningRate ?? training.LearningRate,
                        MaxEpochs = options.MaxEpochs ?? training.MaxEpochs,
                        BatchSize = options.BatchSize ?? training.BatchSize,
                    };
                    // One folder per setting, so that a changed setting starts afresh and an unchanged one resumes.
                    training = training with
                    {
                        CheckpointDirectory = Path.Combine(runs, cache.EncoderName, task, SettingKey(training, options.Released, cache.ConfigHash), $"seed{seed}"),
                    };
                    string encoderName = cache.EncoderName;
                    var epochProgress = progress is null ? null
                        : new Relay<EpochReport>(e => progress.Report(new Table3Progress(done, total, encoderName, task, seed, e)));
                    progress?.Report(new Table3Progress(done, total, encoderName, task, seed, null));
                    var result = ProbeExperiment.Run(manifest, source, cache.EncoderName, cache.ConfigKey, first.Frames, first.Dim,
                        new ProbeExperimentOptions(task, training, options.Released, options.Bootstrap, options.EvaluateOnly), epochProgress, cancellationToken);
                    result = result with { Dataset = dataset.Spec ?? dataset.Name, AudioRoot = dataset.AudioRoot };
                    ProbeExperiment.Save(result, training.CheckpointDirectory!);
                    results.Add(result);
                    done++;
                }
            }
        }
        progress?.Report(new Table3Progress(done, total, "", "", 0, null));
        return new Table3Result(results, skipped, runs);
    }

    /// <summary>
    /// The cache of an encoder to probe: the only one, else the one of the encoder's default configuration when it
    /// can be built without weights (the spectrogram), else the one with the most entries; the note says which
    /// was chosen when there was a choice, or why there is none. For a fine-tuned variant ("audiomae-ft") with
    /// several caches (several runs, or a run embedded at several checkpoints) the newest (its index written last)
    /// is probed: the others are not merged into it, and the note names the one chosen.
    /// </summary>
    public static (EmbeddingCache? Cache, string? Note) FindCache(DataPaths paths, string encoder)
    {
        var all = EmbeddingCache.Discover(paths, encoder);
        bool variant = Encoders.FineTunedCheckpoint.IsVariant(encoder);
        if (all.Count == 0)
            return (null, variant
                ? $"{encoder}: no cached embeddings of fine-tuned weights (run 'pianojudges finetune --encoder {Encoders.FineTunedCheckpoint.BaseName(encoder)}', " +
                  $"then 'pianojudges embed --encoder {Encoders.FineTunedCheckpoint.BaseName(encoder)} --weights <run folder>')"
                : $"{encoder}: no cached embeddings (run 'pianojudges embed --encoder {encoder}')");
        if (all.Count == 1) return (all[0], null);
        if (variant)
        {
            var newest = all.OrderByDescending(c => File.GetLastWriteTimeUtc(c.IndexPath)).First();
            return (newest, $"{encoder}: {all.Count} embedding caches of fine-tuned weights (different runs or checkpoints); probing the newest, " +
                            $"{newest.Directory} ({WeightsOf(newest.ConfigKey)})");
        }
        string? defaultKey = encoder == Encoders.EncoderRegistry.Spectrogram
            ? Encoders.EmbeddingPipeline.CacheConfigKey(Encoders.EncoderRegistry.Create(encoder), Audio.SegmentingOptions.Paper)
            : null;
        var chosen = all.FirstOrDefault(c => c.ConfigKey == defaultKey && !c.Float16) ?? all[0];
        return (chosen, $"{encoder}: {all.Count} embedding caches with different settings; probing {chosen.Directory}");
    }

    private static string WeightsOf(string configKey) =>
        configKey.Split('|').FirstOrDefault(p => p.StartsWith("weights=", StringComparison.Ordinal)) ?? "weights unknown";

    /// <summary>
    /// Sort key that puts each fine-tuned variant right after its encoder, encoders in Table 1's order (then any
    /// others by name): how tables show the pretrained and fine-tuned rows side by side.
    /// </summary>
    public static (int, string) EncoderOrder(string encoder)
    {
        int i = Encoders.EncoderRegistry.ProbeNames.ToList().FindIndex(n => string.Equals(n, encoder, StringComparison.OrdinalIgnoreCase));
        return (i < 0 ? int.MaxValue : i, encoder);
    }

    private static string SettingKey(ProbeTrainingOptions t, bool released, string embeddings)
    {
        string text = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{t.LearningRate}|{t.BatchSize}|{t.WeightDecay}|{t.MaxEpochs}|{t.Patience}|{t.Mode}|{t.Segments}|{released}|{embeddings}");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..10];
    }

    private static int SegmentsOf(IEmbeddingSource source, string audioId)
    {
        var e = source.Load(audioId);
        return e.Mask.Count(m => m) is > 0 and var real ? real : e.Segments;
    }

    /// <summary>The headline metric of each task (the column the paper's abstract quotes).</summary>
    public static string HeadlineMetric(string task) => task == ProbeTaskNames.Techniques ? "mAP" : "accuracy";

    /// <summary>Rows of (encoder, task, metric, ours ± CI, mean ± std over seeds, paper) for every metric of every task.</summary>
    public static IReadOnlyList<Table3Row> Rows(Table3Result result) =>
        result.Results
            .OrderBy(r => EncoderOrder(r.Encoder))
            .GroupBy(r => (r.Encoder, r.Task))
            .SelectMany(g => g.First().Metrics.Keys.Select(metric =>
            {
                var values = g.Select(r => r.Metrics[metric].Value).ToList();
                var firstSeed = g.First().Metrics[metric];
                return new Table3Row(g.Key.Encoder, g.Key.Task, metric, firstSeed,
                    values.Count > 1 ? SeedSummary.Of(values) : null, PaperTable3.Find(g.Key.Task, metric, g.Key.Encoder)?.Value);
            }))
            .ToList();

    /// <summary>A Progress&lt;T&gt; that reports synchronously on the calling thread.</summary>
    private sealed class Relay<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}

/// <summary>One cell of Table 3: our number with its interval, over seeds when there are several, and the paper's.</summary>
public sealed record Table3Row(string Encoder, string Task, string Metric, MetricResult Ours, SeedSummary? OverSeeds, double? Paper);
