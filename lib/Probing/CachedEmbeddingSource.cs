namespace PianoJudges.Probing;

using PianoJudges.Data;
using PianoJudges.Encoders;

/// <summary>Embeddings read one at a time from the on-disk cache (the trainer streams them; nothing is held).</summary>
public sealed class CachedEmbeddingSource : IEmbeddingSource
{
    private readonly EmbeddingCache cache;
    private readonly Dictionary<string, string> index;

    public CachedEmbeddingSource(EmbeddingCache cache)
    {
        this.cache = cache;
        index = cache.ReadIndex();
    }

    /// <summary>Audio ids with an entry in the cache's index.</summary>
    public IReadOnlyCollection<string> AudioIds => index.Keys;

    public bool Contains(string audioId) => index.ContainsKey(audioId);

    public Embedding Load(string audioId)
    {
        if (!index.TryGetValue(audioId, out var hash))
            throw new KeyNotFoundException($"no {cache.EncoderName} embedding for audio id '{audioId}' in {cache.Directory}: run 'pianojudges embed' for its manifest first");
        if (!cache.TryRead(hash, out var embedding, out var problem))
            throw new InvalidDataException($"the cached {cache.EncoderName} embedding of '{audioId}' ({cache.EntryPath(hash)}) is unusable: {problem ?? "missing"}; run 'pianojudges embed' again to recompute it");
        return embedding!;
    }
}
