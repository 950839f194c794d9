using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;
using PianoJudges.Probing.Tasks;
using PianoJudges.Synthesis;

namespace PianoJudges.Competition;

/// <summary>Everything the end-to-end competition study needs to know.</summary>
/// <param name="Encoder">Encoder registry name.</param>
/// <param name="Size">PLD-synth size of the expertise data the model is trained on and of the synthetic competition.</param>
/// <param name="Manifest">Null: the synthetic competition of <paramref name="Size"/> (or <paramref name="Synthetic"/>). Else a catalog name (icpc2015) or a manifest CSV path.</param>
/// <param name="AudioRoot">Where the manifest's audio is (real competitions; default: the audio/ folder beside the manifest's folder).</param>
/// <param name="Synthetic">The synthetic competition to generate (null: <see cref="CompetitionConfig.ForSize"/>(Size)).</param>
/// <param name="Checkpoint">Weights of a trained 2-way expertise-ranking head for this encoder (a ProbeTrainer best.pt); null trains one on PLD-synth expertise.</param>
/// <param name="ExpertiseEpochs">Most epochs of that training (with the preset's patience).</param>
/// <param name="ExpertiseTraining">Training options of the expertise model (null: <see cref="ProbePresets.Ranking"/>).</param>
/// <param name="OutputDirectory">Where results go (null: runs/competition/&lt;manifest&gt;/&lt;encoder&gt;-&lt;aggregation&gt; under the data folder).</param>
/// <param name="Float16">Store the part embeddings as float16.</param>
public sealed record CompetitionWorkflowOptions(
    string Encoder = EncoderRegistry.Spectrogram,
    string Size = PldSynthSizes.Small,
    string? Manifest = null,
    string? AudioRoot = null,
    CompetitionConfig? Synthetic = null,
    string? Checkpoint = null,
    int ExpertiseEpochs = 30,
    ProbeTrainingOptions? ExpertiseTraining = null,
    PartOptions? Parts = null,
    CompetitionStudyOptions? Study = null,
    string? OutputDirectory = null,
    bool Float16 = false)
{
    public bool IsSynthetic => Manifest is null;
}

/// <summary>How the expertise-ranking model was obtained.</summary>
/// <param name="Origin">Checkpoint path or training run folder.</param>
/// <param name="Curve">Training curve when it was trained (or resumed) now; empty for a given checkpoint.</param>
/// <param name="TestAccuracy">Accuracy on the PLD-synth expertise test pairs, when trained here.</param>
public sealed record ExpertiseModelInfo(string Origin, IReadOnlyList<EpochReport> Curve, int BestEpoch, double? TestAccuracy);

/// <summary>The result of <see cref="CompetitionWorkflow.Run"/>.</summary>
/// <param name="WithoutAudio">Manifest rows whose audio was not found.</param>
public sealed record CompetitionWorkflowResult(
    CompetitionStudyResult Study,
    string OutputDirectory,
    IReadOnlyList<string> Files,
    PartEmbeddingRun PartEmbedding,
    IReadOnlyList<MissingAudio> WithoutAudio,
    ExpertiseModelInfo Model,
    double Seconds);

/// <summary>
/// The competition case study end to end, as the CLI, the main job's report and notebook 06 call it: the competition
/// (the synthetic one from PLD-synth, generated if missing, or a real manifest with user-supplied audio), its recordings
/// embedded part by part (cached), the expertise-ranking model (given, or trained on PLD-synth expertise; resumable),
/// then <see cref="CompetitionStudy.Run"/> and the results written with <see cref="CompetitionResults"/>.
/// </summary>
public static class CompetitionWorkflow
{
    /// <summary>What was run to get the study: encoder, competition (synthetic config and seed), model, timings.</summary>
    public const string WorkflowFile = "workflow.json";

    /// <param name="samples">Prepared piano samples for generating PLD-synth (null: loaded from <paramref name="paths"/>).</param>
    public static CompetitionWorkflowResult Run(DataPaths paths, CompetitionWorkflowOptions options,
        IProgress<(int Done, int Total, string Item)>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default, SalamanderSamples? samples = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var encoder = EncoderRegistry.Create(options.Encoder);
        var parts = options.Parts ?? PartOptions.Paper;
        var studyOptions = options.Study ?? new CompetitionStudyOptions();

        // 1. The competition and its audio.
        Manifest manifest;
        string manifestName, audioRoot;
        if (options.IsSynthetic)
        {
            var config = options.Synthetic ?? CompetitionConfig.ForSize(options.Size);
            log?.Invoke($"synthetic competition '{config.Name}': {config.Candidates} candidates, rounds of {string.Join("/", config.StageSizes)}");
            var generated = PldSynth.GenerateCompetition(paths, config, Stage(progress, $"render {config.Name}"), log, cancellationToken, samples);
            manifest = ManifestIO.Read(generated.Manifests[ManifestTask.Icpc2015]);
            manifestName = config.Name;
            audioRoot = Path.Combine(generated.Root, "audio");
        }
        else
        {
            manifest = ManifestCatalog.LoadNameOrPath(options.Manifest!);
            manifestName = Path.GetFileNameWithoutExtension(options.Manifest!);
            audioRoot = options.AudioRoot ?? EmbeddingJobs.DefaultAudioRoot(manifest)
                ?? throw new ArgumentException($"{options.Manifest}: give the audio root (the folder holding the competition's recordings)");
        }
        manifest = manifest.Where(r => r.Task == ManifestTask.Icpc2015);
        if (manifest.Rows.Count == 0) throw new ArgumentException($"{manifestName}: no {ManifestTask.Icpc2015} rows");
        var location = new AudioLocator(audioRoot).Locate(manifest);
        log?.Invoke(location.Summary(manifestName));

        // 2. Parts, embedded and cached.
        var partCache = CompetitionPartEmbedder.CreateCache(paths, encoder, parts, options.Float16);
        var embedder = new CompetitionPartEmbedder(encoder, partCache, parts);
        var partRun = embedder.Run(EmbeddingJobs.Distinct(EmbeddingJobs.From(location)), Stage(progress, $"embed parts ({encoder.Info.Name})"), cancellationToken);
        foreach (var f in partRun.Failures) log?.Invoke($"failed to embed {f.AudioId}: {f.Problem}");
        var partCounts = partRun.PartCounts;
        var field = CompetitionField.FromManifest(manifest, manifestName, id => partCounts.TryGetValue(id, out int n) ? n : null);

        // 3. The expertise-ranking model.
        var (model, info) = options.Checkpoint is { } ckpt
            ? (LoadCheckpoint(ckpt, encoder.Info, (options.ExpertiseTraining ?? ProbePresets.Ranking).Mode), new ExpertiseModelInfo(Path.GetFullPath(ckpt), [], 0, null))
            : TrainExpertise(paths, encoder, options, progress, log, cancellationToken, samples);

        // 4. The study, and its files.
        var source = new CachedEmbeddingSource(partCache);
        var input = new CompetitionStudyInput(encoder.Info.Name, field, source, model, info.Origin);
        var study = CompetitionStudy.Run(input, studyOptions with { Training = studyOptions.Training ?? options.ExpertiseTraining }, progress, cancellationToken);
        string output = options.OutputDirectory ?? Path.Combine(paths.Runs, "competition", CompetitionResults.Slug(manifestName),
            $"{encoder.Info.Name}-{CompetitionResults.Slug(studyOptions.Aggregation.ToString())}");
        var files = CompetitionResults.Write(study, output).ToList();
        var synthetic = options.IsSynthetic ? options.Synthetic ?? CompetitionConfig.ForSize(options.Size) : null;
        string workflowFile = Path.Combine(output, WorkflowFile);
        AtomicFile.WriteAllText(workflowFile, System.Text.Json.JsonSerializer.Serialize(new
        {
            options.Encoder,
            encoder_config = encoder.ConfigKey,
            competition = manifestName,
            manifest_hash = field.ManifestHash,
            synthetic = synthetic is null ? null : new
            {
                synthetic.Name, synthetic.Seed, synthetic.Candidates, recital_seconds = new[] { synthetic.RecitalSeconds.Min, synthetic.RecitalSeconds.Max },
                synthetic.SkillMean, synthetic.SkillSd, synthetic.FormSd, synthetic.JurorSd, synthetic.Jurors, stage_sizes = synthetic.StageSizes,
            },
            expertise_data = options.Checkpoint is null ? $"PLD-synth {options.Size} (seed {PldSynthConfig.DefaultSeed})" : null,
            audio_root = audioRoot,
            parts = parts.ToKey(),
            part_cache = partCache.Directory,
            without_audio = location.Missing.Select(m => m.Row.Id).ToArray(),
            model = info,
            seconds = clock.Elapsed.TotalSeconds,
        }, CompetitionResults.Json));
        files.Add(workflowFile);
        model.Dispose();
        return new CompetitionWorkflowResult(study, output, files, partRun, location.Missing, info, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A 2-way expertise-ranking head for <paramref name="encoder"/> with the weights saved by ProbeTrainer (best.pt).</summary>
    public static AudioCNNTransformer LoadCheckpoint(string path, EncoderInfo encoder, ProbeMode mode = ProbeMode.Corrected)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"expertise model checkpoint '{path}' does not exist", path);
        Native.TorchRuntime.EnsureInitialised();
        var model = new AudioCNNTransformer(new ProbeHeadConfig(encoder.FramesPerSegment * 2, encoder.Dim, 2, mode));
        try { model.load(path); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException)
        {
            model.Dispose();
            throw new InvalidDataException($"'{path}' is not the weights of a 2-way ranking head for {encoder.Name} " +
                $"(frames {encoder.FramesPerSegment} x 2, dim {encoder.Dim}): {e.Message}", e);
        }
        model.eval();
        return model;
    }

    /// <summary>Trains (or resumes, or reuses a finished run of) the 2-way expertise-ranking head on PLD-synth expertise.</summary>
    private static (AudioCNNTransformer, ExpertiseModelInfo) TrainExpertise(DataPaths paths, IAudioEncoder encoder, CompetitionWorkflowOptions options,
        IProgress<(int Done, int Total, string Item)>? progress, Action<string>? log, CancellationToken ct, SalamanderSamples? samples)
    {
        var synth = PldSynthConfig.ForSize(options.Size);
        log?.Invoke($"expertise model: PLD-synth {synth.Size} expertise, {encoder.Info.Name} embeddings");
        var generated = PldSynth.Generate(paths, synth, Stage(progress, $"render PLD-synth {synth.Size}"), log, ct, samples);
        var manifest = ManifestIO.Read(generated.Manifests[ManifestTask.Expertise]);
        var location = new AudioLocator(Path.Combine(generated.Root, "audio")).Locate(manifest);
        var segmenting = SegmentingOptions.Paper;
        var cache = new EmbeddingCache(paths, encoder.Info.Name, EmbeddingPipeline.CacheConfigKey(encoder, segmenting), options.Float16);
        var embedded = new EmbeddingPipeline(encoder, cache, segmenting)
            .Run(EmbeddingJobs.Distinct(EmbeddingJobs.From(location)), ShardSpec.All, Stage(progress, $"embed expertise ({encoder.Info.Name})"), ct);
        if (embedded.Failures.Count > 0)
            throw new InvalidDataException($"{embedded.Failures.Count} expertise recordings failed to embed, e.g. {embedded.Failures[0].AudioId}: {embedded.Failures[0].Problem}");

        var recordings = location.Found.Select(f => LabelledRecording.FromManifest(f.Row)).ToList();
        var task = ExpertiseRanking.Build(recordings, new ExpertiseRankingOptions(Ways: 2));
        var training = (options.ExpertiseTraining ?? ProbePresets.Ranking) with { MaxEpochs = options.ExpertiseEpochs };
        // The run folder is named after what decides the weights (not the epoch budget, so a longer run resumes it).
        var identity = training with { MaxEpochs = 0, CheckpointDirectory = null, Device = null, Threads = null };
        string run = Path.Combine(paths.Runs, "competition", "expertise-model",
            $"{encoder.Info.Name}-{synth.Size}-{Short($"{cache.ConfigHash}|{identity}")}");
        training = training with { CheckpointDirectory = run };
        var trainer = new ProbeTrainer(task, new CachedEmbeddingSource(cache), encoder.Info.FramesPerSegment, encoder.Info.Dim, training);
        var epochs = new SyncProgress<EpochReport>(e => progress?.Report((e.Epoch, training.MaxEpochs,
            string.Create(CultureInfo.InvariantCulture, $"train expertise model: epoch {e.Epoch}, train loss {e.TrainLoss:F4}, validation loss {e.ValidationLoss:F4}, accuracy {e.ValidationAccuracy:P1}"))));
        var result = trainer.Train(epochs, ct);
        double? testAccuracy = task.Test.Count > 0 ? trainer.Evaluate(result.Model, task.Test, ct).Accuracy : null;
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"expertise model: best epoch {result.BestEpoch} of {result.Curve.Count} (validation loss {result.BestValidationLoss:F4}); test accuracy {testAccuracy:P1} on {task.Test.Count} pairs; run {run}"));
        result.Model.eval();
        return (result.Model, new ExpertiseModelInfo(run, result.Curve, result.BestEpoch, testAccuracy));
    }

    private static string Short(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    private static IProgress<(int Done, int Total, string Item)>? Stage(IProgress<(int Done, int Total, string Item)>? progress, string stage) =>
        progress is null ? null : new SyncProgress<(int Done, int Total, string Item)>(v =>
            progress.Report((v.Done, v.Total, string.IsNullOrEmpty(v.Item) ? stage : $"{stage}: {v.Item}")));

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
