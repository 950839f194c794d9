namespace PianoJudges.Probing;

using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;

/// <summary>What embedding some manifests involves: one job per distinct recording with audio, and the rows without audio.</summary>
/// <param name="Summaries">One line per manifest, e.g. "expertise: 9 of 9 rows have audio under …; 0 missing".</param>
public sealed record EmbeddingPlan(IReadOnlyList<EmbeddingJob> Jobs, IReadOnlyList<MissingAudio> Missing, IReadOnlyList<string> Summaries);

/// <summary>An embedding run over a dataset: what it did, and the cache that now holds the embeddings.</summary>
public sealed record DatasetEmbeddingResult(EmbeddingPlan Plan, EmbeddingRunResult Run, EmbeddingCache Cache);

/// <summary>
/// Embedding the recordings of manifests into the on-disk cache: the one path used by `pianojudges embed`,
/// `pianojudges reproduce` and the notebooks, so that all of them probe the same cache entries.
/// </summary>
public static class DatasetEmbedding
{
    /// <summary>Locates the audio of every manifest (under <paramref name="audioRoot"/>, else the folder beside each manifest).</summary>
    public static EmbeddingPlan Plan(IEnumerable<(string Name, Manifest Manifest)> manifests, string? audioRoot)
    {
        var jobs = new List<EmbeddingJob>();
        var missing = new List<MissingAudio>();
        var summaries = new List<string>();
        foreach (var (name, manifest) in manifests)
        {
            string root = audioRoot ?? EmbeddingJobs.DefaultAudioRoot(manifest)
                ?? throw new ArgumentException($"{name}: give --audio-root (where this manifest's audio files are)");
            var location = new AudioLocator(root).Locate(manifest);
            summaries.Add(location.Summary(name));
            jobs.AddRange(EmbeddingJobs.From(location));
            missing.AddRange(location.Missing);
        }
        return new EmbeddingPlan(EmbeddingJobs.Distinct(jobs), missing, summaries);
    }

    /// <summary>The cache that holds <paramref name="encoder"/>'s embeddings cut with <paramref name="segmenting"/>.</summary>
    public static EmbeddingCache CacheFor(DataPaths paths, IAudioEncoder encoder, SegmentingOptions segmenting, bool float16 = false) =>
        new(paths, encoder.Info.Name, EmbeddingPipeline.CacheConfigKey(encoder, segmenting), float16);

    /// <summary>Embeds what the plan lists (entries already cached are reused).</summary>
    public static DatasetEmbeddingResult Run(DataPaths paths, IAudioEncoder encoder, EmbeddingPlan plan, SegmentingOptions segmenting,
        ShardSpec? shard = null, bool float16 = false, IProgress<(int Done, int Total, string Item)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var cache = CacheFor(paths, encoder, segmenting, float16);
        var run = new EmbeddingPipeline(encoder, cache, segmenting).Run(plan.Jobs, shard ?? ShardSpec.All, progress, cancellationToken);
        return new DatasetEmbeddingResult(plan, run, cache);
    }

    /// <summary>Embeds every recording of a probing dataset with the paper's 10 s segments (what `pianojudges reproduce` does).</summary>
    public static DatasetEmbeddingResult Run(DataPaths paths, IAudioEncoder encoder, ProbeDataset dataset,
        IProgress<(int Done, int Total, string Item)>? progress = null, CancellationToken cancellationToken = default) =>
        Run(paths, encoder, Plan(ManifestsOf(dataset), dataset.AudioRoot), SegmentingOptions.Paper, progress: progress, cancellationToken: cancellationToken);

    /// <summary>The dataset's manifests with their paths as names (as the CLI passes them).</summary>
    public static IEnumerable<(string Name, Manifest Manifest)> ManifestsOf(ProbeDataset dataset) =>
        dataset.Manifests.Values.Select(m => (m.Path ?? dataset.Name, m));
}
