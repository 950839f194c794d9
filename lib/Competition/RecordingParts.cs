using System.Globalization;
using System.Text.Json;
using PianoJudges.Audio;
using PianoJudges.Data;
using PianoJudges.Encoders;

namespace PianoJudges.Competition;

/// <summary>How a long competition recording is cut into the parts the ranking model compares (paper section 5.1.1).</summary>
/// <param name="SegmentsPerPart">Segments per part: the head's 30 x 10 s = 5 minutes.</param>
/// <param name="MaxParts">At most this many parts per recording (null: all).</param>
/// <param name="MinPartSeconds">
/// A part after the first needs at least this much audio, else it is dropped: a 20 s tail would otherwise vote like
/// 5 minutes of playing. The paper does not say what it did with the tail; the default keeps parts of at least half a part.
/// </param>
/// <param name="Segmenting">Segment length and tail handling (its MaxSegments is ignored: parts cover the whole recording).</param>
public sealed record PartOptions(int SegmentsPerPart = 30, int? MaxParts = null, double MinPartSeconds = 150, SegmentingOptions? Segmenting = null)
{
    public static PartOptions Paper { get; } = new();

    public SegmentingOptions SegmentingOrDefault => Segmenting ?? SegmentingOptions.Paper;

    /// <summary>Throws when the numbers cannot make parts, quoting the value.</summary>
    public void Validate()
    {
        if (SegmentsPerPart < 1) throw new ArgumentException($"PartOptions: SegmentsPerPart ({SegmentsPerPart}) must be at least 1");
        if (MaxParts is < 1) throw new ArgumentException($"PartOptions: MaxParts ({MaxParts}) must be at least 1 or null");
        if (!(MinPartSeconds >= 0)) throw new ArgumentException($"PartOptions: MinPartSeconds ({MinPartSeconds}) must be 0 or more");
    }

    /// <summary>Every setting that changes a part's embedding, for the cache's config key.</summary>
    public string ToKey() => string.Create(CultureInfo.InvariantCulture,
        $"parts={SegmentsPerPart}x{SegmentingOrDefault.SegmentSeconds}s,max={MaxParts?.ToString(CultureInfo.InvariantCulture) ?? "all"},min={MinPartSeconds}s,tail={SegmentingOrDefault.Tail}");
}

/// <summary>Part ids and the cutting of one recording's segments into parts.</summary>
public static class RecordingParts
{
    /// <summary>Separator between the audio id and the part number; never in a plain audio id's use as a file stem here.</summary>
    public const string Marker = "#part";

    /// <summary>The id of part <paramref name="part"/> (1-based) of <paramref name="audioId"/>: "&lt;audio_id&gt;#part&lt;k&gt;".</summary>
    public static string PartId(string audioId, int part) =>
        part >= 1 ? $"{audioId}{Marker}{part.ToString(CultureInfo.InvariantCulture)}"
                  : throw new ArgumentOutOfRangeException(nameof(part), part, "Parts are numbered from 1.");

    /// <summary>Splits a part id back into (audio id, part number); throws on anything else.</summary>
    public static (string AudioId, int Part) Parse(string partId)
    {
        int at = partId.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(partId.AsSpan(at + Marker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
            throw new ArgumentException($"'{partId}' is not a part id of the form <audio_id>{Marker}<k> (k >= 1)", nameof(partId));
        return (partId[..at], k);
    }

    /// <summary>
    /// Cuts a segmented recording into consecutive parts of <see cref="PartOptions.SegmentsPerPart"/> segments:
    /// (segments) -> parts of (up to SegmentsPerPart) segments each. The first part is always kept; a later one only
    /// with at least <see cref="PartOptions.MinPartSeconds"/> of real audio.
    /// </summary>
    public static IReadOnlyList<SegmentedAudio> Split(SegmentedAudio audio, PartOptions options)
    {
        options.Validate();
        var parts = new List<SegmentedAudio>();
        for (int start = 0; start < audio.Count; start += options.SegmentsPerPart)
        {
            if (options.MaxParts is int max && parts.Count >= max) break;
            int n = Math.Min(options.SegmentsPerPart, audio.Count - start);
            var valid = audio.ValidSamples.AsSpan(start, n).ToArray();
            double seconds = valid.Sum(v => (double)v) / audio.SampleRate;
            if (parts.Count > 0 && seconds < options.MinPartSeconds) break;
            parts.Add(new SegmentedAudio(audio.Segments.AsSpan(start, n).ToArray(), valid, audio.SampleRate));
        }
        return parts;
    }
}

/// <summary>What the part embedder did with one recording.</summary>
/// <param name="Parts">Parts the recording has (0 when it failed).</param>
public sealed record PartEmbeddingItem(string AudioId, EmbeddingOutcome Outcome, int Parts, string? Problem = null);

/// <summary>The summary of a part-embedding run.</summary>
public sealed record PartEmbeddingRun(IReadOnlyList<PartEmbeddingItem> Items, string CacheDirectory)
{
    public int Computed => Items.Count(i => i.Outcome == EmbeddingOutcome.Computed);
    public int Cached => Items.Count(i => i.Outcome == EmbeddingOutcome.Cached);
    public IReadOnlyList<PartEmbeddingItem> Failures => Items.Where(i => i.Outcome == EmbeddingOutcome.Failed).ToList();

    /// <summary>Parts per audio id, for the recordings that have them.</summary>
    public IReadOnlyDictionary<string, int> PartCounts =>
        Items.Where(i => i.Parts > 0).ToDictionary(i => i.AudioId, i => i.Parts, StringComparer.Ordinal);
}

/// <summary>
/// Embeds long recordings part by part into the embedding cache: part k of a recording is its own cache entry
/// "&lt;content hash&gt;.part&lt;k&gt;", indexed under the part id "&lt;audio_id&gt;#part&lt;k&gt;", so the probe's loader reads a part
/// like any recording. A sidecar parts/&lt;content hash&gt;.json, written after the parts, records how many there are; a
/// recording is cached when its sidecar and every part entry exist (a corrupted entry is caught by its checksum when read). The whole-recording
/// <see cref="EmbeddingPipeline"/> keeps only the first 30 segments, which is why parts need their own job.
/// </summary>
public sealed class CompetitionPartEmbedder
{
    private readonly IAudioEncoder encoder;

    public CompetitionPartEmbedder(IAudioEncoder encoder, EmbeddingCache cache, PartOptions options)
    {
        options.Validate();
        this.encoder = encoder;
        Cache = cache;
        Options = options;
    }

    public EmbeddingCache Cache { get; }
    public PartOptions Options { get; }

    /// <summary>The cache config key of part embeddings: the encoder's and the part settings.</summary>
    public static string CacheConfigKey(IAudioEncoder encoder, PartOptions options) =>
        $"{encoder.ConfigKey}|{options.ToKey()}";

    /// <summary>A cache for part embeddings of <paramref name="encoder"/> under <paramref name="paths"/>.</summary>
    public static EmbeddingCache CreateCache(DataPaths paths, IAudioEncoder encoder, PartOptions options, bool float16 = false) =>
        new(paths, encoder.Info.Name, CacheConfigKey(encoder, options), float16);

    /// <summary>The cache entry key of part <paramref name="part"/> of the file with <paramref name="contentHash"/>.</summary>
    public static string EntryKey(string contentHash, int part) => $"{contentHash}.part{part.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Embeds every job's parts (a cached recording is skipped); a bad file is reported by name and the run goes on.</summary>
    public PartEmbeddingRun Run(IReadOnlyList<EmbeddingJob> jobs, IProgress<(int Done, int Total, string Item)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var items = new List<PartEmbeddingItem>();
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < jobs.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report((k, jobs.Count, jobs[k].AudioId));
            items.Add(EmbedOne(jobs[k], index, cancellationToken));
            if (index.Count >= 64)
            {
                Cache.UpdateIndex(index);
                index.Clear();
            }
        }
        if (index.Count > 0) Cache.UpdateIndex(index);
        progress?.Report((jobs.Count, jobs.Count, ""));
        return new PartEmbeddingRun(items, Cache.Directory);
    }

    private PartEmbeddingItem EmbedOne(EmbeddingJob job, Dictionary<string, string> index, CancellationToken ct)
    {
        try
        {
            string hash = EmbeddingCache.ContentHash(job.AudioPath);
            if (CachedParts(hash) is int cached)
            {
                for (int p = 1; p <= cached; p++) index[RecordingParts.PartId(job.AudioId, p)] = EntryKey(hash, p);
                return new(job.AudioId, EmbeddingOutcome.Cached, cached);
            }
            var whole = AudioLoader.LoadSegments(job.AudioPath, encoder.Info.SampleRate,
                Options.SegmentingOrDefault with { MaxSegments = int.MaxValue });
            var parts = RecordingParts.Split(whole, Options);
            for (int p = 1; p <= parts.Count; p++)
            {
                Cache.Write(EntryKey(hash, p), RecordingParts.PartId(job.AudioId, p), encoder.Encode(parts[p - 1], ct));
                index[RecordingParts.PartId(job.AudioId, p)] = EntryKey(hash, p);
            }
            var seconds = parts.Select(part => part.ValidSamples.Sum(v => (double)v) / part.SampleRate).ToArray();
            AtomicFile.WriteAllText(SidecarPath(hash), JsonSerializer.Serialize(new PartSidecar(job.AudioId, parts.Count, seconds)));
            return new(job.AudioId, EmbeddingOutcome.Computed, parts.Count);
        }
        catch (Exception e) when (e is AudioFormatException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new(job.AudioId, EmbeddingOutcome.Failed, 0, e.Message);
        }
    }

    private string SidecarPath(string contentHash) => Path.Combine(Cache.Directory, "parts", contentHash + ".json");

    private int? CachedParts(string contentHash)
    {
        string path = SidecarPath(contentHash);
        if (!File.Exists(path)) return null;
        PartSidecar? sidecar;
        try { sidecar = JsonSerializer.Deserialize<PartSidecar>(File.ReadAllText(path)); }
        catch (JsonException) { return null; }
        if (sidecar is null || sidecar.Parts < 1) return null;
        for (int p = 1; p <= sidecar.Parts; p++)
            if (!File.Exists(Cache.EntryPath(EntryKey(contentHash, p)))) return null;
        return sidecar.Parts;
    }

    private sealed record PartSidecar(string AudioId, int Parts, double[] Seconds);
}
