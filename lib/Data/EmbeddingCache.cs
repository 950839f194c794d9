namespace PianoJudges.Data;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PianoJudges.Encoders;

/// <summary>
/// The embedding cache: one safetensors file per (recording content, encoder config), at
/// <c>embeddings/&lt;encoder&gt;/&lt;config hash&gt;/&lt;content hash&gt;.safetensors</c>, plus an index per encoder
/// config mapping audio ids to entries. A changed audio file (new content hash) or a changed config (new
/// config hash) is a miss and is recomputed; entries are written atomically, so an interrupted run
/// leaves only whole files and resumes where it stopped. Each entry carries a SHA-256 of its tensor
/// bytes, checked on read: a corrupted entry is reported as a miss and recomputed, never used.
/// </summary>
public sealed class EmbeddingCache
{
    private readonly string _dir;

    public EmbeddingCache(DataPaths paths, string encoderName, string configKey, bool float16 = false)
    {
        EncoderName = encoderName;
        ConfigKey = configKey;
        Float16 = float16;
        ConfigHash = Hash(Encoding.UTF8.GetBytes(configKey + (float16 ? "|f16" : "|f32")))[..16];
        _dir = Path.Combine(paths.EmbeddingCache, encoderName, ConfigHash);
    }

    public string EncoderName { get; }
    public string ConfigKey { get; }
    public string ConfigHash { get; }
    public bool Float16 { get; }
    public string Directory => _dir;
    public string IndexPath => Path.Combine(_dir, "index.json");

    public string EntryPath(string contentHash) => Path.Combine(_dir, contentHash[..2], contentHash + ".safetensors");

    /// <summary>SHA-256 of a file's bytes, remembered per (path, size, modification time) so unchanged files are not read again.</summary>
    public static string ContentHash(string audioPath) => FingerprintMemo.Get(audioPath);

    public bool TryRead(string contentHash, out Embedding? embedding, out string? problem)
    {
        embedding = null;
        problem = null;
        string path = EntryPath(contentHash);
        if (!File.Exists(path)) return false;
        try
        {
            var (tensors, meta) = SafeTensorsFile.Read(path);
            if (!tensors.TryGetValue("embedding", out var e) || !tensors.TryGetValue("mask", out var m) || e.Shape.Length != 3)
                throw new InvalidDataException("missing 'embedding' (S,T,D) or 'mask' tensor");
            if (!meta.TryGetValue("sha256", out var expected) || expected != Hash(e.Data, m.Data))
                throw new InvalidDataException("checksum mismatch: the file was corrupted or truncated");
            embedding = new Embedding(e.ToFloats(), (int)e.Shape[0], (int)e.Shape[1], (int)e.Shape[2], m.Data.Select(b => b != 0).ToArray());
            return true;
        }
        catch (InvalidDataException ex)
        {
            problem = ex.Message;
            return false;
        }
    }

    public void Write(string contentHash, string audioId, Embedding embedding)
    {
        var e = SafeTensor.FromFloats(embedding.Data, [embedding.Segments, embedding.Frames, embedding.Dim], Float16);
        var m = new SafeTensor("U8", [embedding.Segments], embedding.Mask.Select(b => (byte)(b ? 1 : 0)).ToArray());
        var meta = new Dictionary<string, string>
        {
            ["audio_id"] = audioId,
            ["encoder"] = EncoderName,
            ["config"] = ConfigKey,
            ["content_sha256"] = contentHash,
            ["sha256"] = Hash(e.Data, m.Data),
            ["format"] = "pianojudges-embedding-v1",
        };
        string path = EntryPath(contentHash);
        try
        {
            SafeTensorsFile.Write(path, new Dictionary<string, SafeTensor> { ["embedding"] = e, ["mask"] = m }, meta);
        }
        // .NET reports EFBIG (a file-size limit) as ArgumentOutOfRangeException from the write.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            throw new CacheWriteException(path, ex);
        }
    }

    /// <summary>Reads the index (audio id -> content hash); empty when none exists yet.</summary>
    public Dictionary<string, string> ReadIndex()
    {
        if (!File.Exists(IndexPath)) return new(StringComparer.Ordinal);
        var index = JsonSerializer.Deserialize<CacheIndex>(File.ReadAllText(IndexPath))
                    ?? throw new InvalidDataException($"{IndexPath}: empty index");
        return new Dictionary<string, string>(index.Entries, StringComparer.Ordinal);
    }

    /// <summary>Merges entries into the index under a lock, so shards running at once do not lose each other's entries.</summary>
    public void UpdateIndex(IReadOnlyDictionary<string, string> entries)
    {
        System.IO.Directory.CreateDirectory(_dir);
        using var fileLock = FileLock.Acquire(Path.Combine(_dir, "index.lock"));
        var merged = ReadIndex();
        foreach (var (id, hash) in entries) merged[id] = hash;
        var index = new CacheIndex(EncoderName, ConfigKey, Float16, new SortedDictionary<string, string>(merged, StringComparer.Ordinal));
        AtomicFile.WriteAllText(IndexPath, JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
    }

    private sealed record CacheIndex(string Encoder, string Config, bool Float16, SortedDictionary<string, string> Entries);

    /// <summary>
    /// Every cache of <paramref name="encoderName"/> that has an index, most entries first: how the probing finds
    /// the embeddings of encoders it cannot (or need not) build, e.g. without their weights.
    /// </summary>
    public static IReadOnlyList<EmbeddingCache> Discover(DataPaths paths, string encoderName)
    {
        string root = Path.Combine(paths.EmbeddingCache, encoderName);
        if (!System.IO.Directory.Exists(root)) return [];
        var found = new List<(EmbeddingCache Cache, int Count)>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(root))
        {
            string indexPath = Path.Combine(dir, "index.json");
            if (!File.Exists(indexPath)) continue;
            CacheIndex? index;
            try { index = JsonSerializer.Deserialize<CacheIndex>(File.ReadAllText(indexPath)); }
            catch (JsonException) { continue; }
            if (index is null || index.Encoder != encoderName) continue;
            var cache = new EmbeddingCache(paths, encoderName, index.Config, index.Float16);
            if (cache.Directory == Path.GetFullPath(dir)) found.Add((cache, index.Entries.Count));
        }
        return found.OrderByDescending(f => f.Count).Select(f => f.Cache).ToList();
    }

    internal static string Hash(params byte[][] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in parts) sha.AppendData(p);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static class FingerprintMemo
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, long, DateTime), string> Memo = new();

        public static string Get(string path)
        {
            var info = new FileInfo(path);
            return Memo.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ =>
            {
                using var stream = File.OpenRead(path);
                return Convert.ToHexStringLower(SHA256.HashData(stream));
            });
        }
    }
}

/// <summary>
/// The cache could not be written (disk full, file-size limit, permissions): not a problem of the recording, so an
/// embedding run stops instead of failing every further file the same way. The atomic write left the entries already there intact.
/// </summary>
public sealed class CacheWriteException(string path, Exception inner)
    : IOException($"cannot write the embedding cache entry {path}: {(inner as AtomicWriteException)?.Reason ?? inner.Message} (disk full or not writable?); the entries already written are intact, rerun to resume", inner)
{
    public string Path { get; } = path;
}

/// <summary>An exclusive lock held through an open lock file; other processes wait and retry.</summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;
    private FileLock(FileStream stream) => _stream = stream;

    public static FileLock Acquire(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
