namespace PianoJudges.Encoders;

using PianoJudges.Audio;
using PianoJudges.Data;

/// <summary>Which part of the work this process does: shard i of n (0-based), items taken round-robin.</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec All { get; } = new(0, 1);

    /// <summary>Parses "i/n" (0-based i).</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 0 || i >= n)
            throw new ArgumentException($"shard '{text}' must be i/n with 0 <= i < n, e.g. 0/4");
        return new ShardSpec(i, n);
    }

    /// <summary>A SLURM job array's task (SLURM_ARRAY_TASK_ID, _COUNT, _MIN), or null outside one.</summary>
    public static ShardSpec? FromEnvironment(Func<string, string?>? getenv = null)
    {
        getenv ??= Environment.GetEnvironmentVariable;
        if (!int.TryParse(getenv("SLURM_ARRAY_TASK_ID"), out int id) || !int.TryParse(getenv("SLURM_ARRAY_TASK_COUNT"), out int count))
            return null;
        int min = int.TryParse(getenv("SLURM_ARRAY_TASK_MIN"), out int m) ? m : 0;
        return new ShardSpec(id - min, count) is { Index: >= 0 } s && s.Index < count
            ? s
            : throw new ArgumentException($"SLURM_ARRAY_TASK_ID {id} (min {min}) is outside the array of {count} tasks");
    }

    public bool Owns(int itemIndex) => itemIndex % Count == Index;
}

/// <summary>One recording to embed.</summary>
public sealed record EmbeddingJob(string AudioId, string AudioPath);

/// <summary>What happened to one recording.</summary>
public enum EmbeddingOutcome { Computed, Cached, Failed }

public sealed record EmbeddingItemResult(string AudioId, EmbeddingOutcome Outcome, string? Problem = null);

/// <summary>The summary of an embedding run.</summary>
public sealed record EmbeddingRunResult(IReadOnlyList<EmbeddingItemResult> Items, string CacheDirectory)
{
    public int Computed => Items.Count(i => i.Outcome == EmbeddingOutcome.Computed);
    public int Cached => Items.Count(i => i.Outcome == EmbeddingOutcome.Cached);
    public IReadOnlyList<EmbeddingItemResult> Failures => Items.Where(i => i.Outcome == EmbeddingOutcome.Failed).ToList();
}

/// <summary>
/// Embeds recordings into the cache, one recording at a time (bounded memory): a cache hit is skipped,
/// a bad file is reported by name and the run goes on, and the index is updated as the run proceeds
/// so an interrupted run keeps what it computed. A cache that cannot be written (<see cref="CacheWriteException"/>) stops the run.
/// </summary>
public sealed class EmbeddingPipeline(IAudioEncoder encoder, EmbeddingCache cache, SegmentingOptions segmenting)
{
    public static string CacheConfigKey(IAudioEncoder encoder, SegmentingOptions segmenting) =>
        $"{encoder.ConfigKey}|segment={segmenting.SegmentSeconds}s,max={segmenting.MaxSegments},tail={segmenting.Tail}";

    public EmbeddingRunResult Run(IReadOnlyList<EmbeddingJob> jobs, ShardSpec shard,
        IProgress<(int Done, int Total, string Item)>? progress = null, CancellationToken cancellationToken = default)
    {
        var mine = jobs.Where((_, i) => shard.Owns(i)).ToList();
        AtomicFile.RemoveStaleTemporaryFiles(cache.Directory, recursive: true);
        var results = new List<EmbeddingItemResult>();
        var pendingIndex = new Dictionary<string, string>(StringComparer.Ordinal);
        var lastFlush = DateTime.UtcNow;
        for (int k = 0; k < mine.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var job = mine[k];
            progress?.Report((k, mine.Count, job.AudioId));
            try
            {
                results.Add(EmbedOne(job, pendingIndex));
            }
            catch (CacheWriteException)
            {
                pendingIndex.Remove(job.AudioId);
                // Best effort (the entries are found by content anyway); its own failure (the lock file of a read-only cache) must not hide the cause.
                try { if (pendingIndex.Count > 0) cache.UpdateIndex(pendingIndex); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                throw;
            }
            if (pendingIndex.Count > 0 && DateTime.UtcNow - lastFlush > TimeSpan.FromSeconds(30))
            {
                cache.UpdateIndex(pendingIndex);
                pendingIndex.Clear();
                lastFlush = DateTime.UtcNow;
            }
        }
        if (pendingIndex.Count > 0) cache.UpdateIndex(pendingIndex);
        progress?.Report((mine.Count, mine.Count, ""));
        return new EmbeddingRunResult(results, cache.Directory);
    }

    private EmbeddingItemResult EmbedOne(EmbeddingJob job, Dictionary<string, string> pendingIndex)
    {
        try
        {
            AudioReader.CheckIsFile(job.AudioPath); // hashing comes first: a dangling link must get the reader's error, not a bare "could not find file"
            string hash = EmbeddingCache.ContentHash(job.AudioPath);
            pendingIndex[job.AudioId] = hash;
            if (cache.TryRead(hash, out _, out _)) return new(job.AudioId, EmbeddingOutcome.Cached);
            var segments = AudioLoader.LoadSegments(job.AudioPath, encoder.Info.SampleRate, segmenting);
            cache.Write(hash, job.AudioId, encoder.Encode(segments));
            return new(job.AudioId, EmbeddingOutcome.Computed);
        }
        catch (Exception e) when (e is (AudioFormatException or IOException or UnauthorizedAccessException or InvalidDataException) and not CacheWriteException)
        {
            pendingIndex.Remove(job.AudioId);
            // The runtime's "Access to the path '…' is denied." becomes the usual "<path>: <problem>".
            string problem = e is UnauthorizedAccessException ? $"{job.AudioPath}: cannot be read (permission denied)" : e.Message;
            return new(job.AudioId, EmbeddingOutcome.Failed, problem);
        }
    }
}

/// <summary>Turning located manifest rows into embedding jobs.</summary>
public static class EmbeddingJobs
{
    /// <summary>One job per row with audio.</summary>
    public static IEnumerable<EmbeddingJob> From(AudioLocation location) =>
        location.Found.Select(f => new EmbeddingJob(f.Row.AudioId, f.Path));

    /// <summary>Each audio id once (several rows can share a recording), in first-seen order.</summary>
    public static List<EmbeddingJob> Distinct(IEnumerable<EmbeddingJob> jobs) =>
        jobs.DistinctBy(j => j.AudioId, StringComparer.Ordinal).ToList();

    /// <summary>The audio/ folder beside a manifest's folder (PLD-synth's layout: &lt;dataset&gt;/manifests/x.csv and &lt;dataset&gt;/audio), if it exists.</summary>
    public static string? DefaultAudioRoot(Manifest manifest)
    {
        if (manifest.Path is null || !File.Exists(manifest.Path)) return null;
        string? dataset = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(manifest.Path)));
        string? audio = dataset is null ? null : Path.Combine(dataset, "audio");
        return audio is not null && Directory.Exists(audio) ? audio : null;
    }
}
