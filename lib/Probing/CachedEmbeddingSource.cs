using PianoJudges.Data;
using PianoJudges.Encoders;

namespace PianoJudges.Probing;

/// <summary>
/// The probe's <see cref="IEmbeddingSource"/> over an <see cref="EmbeddingCache"/>: ids are looked up in the cache's
/// index (audio id or part id -> entry) and read with their checksum checked. Training streams recordings through it;
/// the competition reads each candidate's parts once per opponent, so the most recently read entries are kept in
/// memory up to <paramref name="memoryBudgetBytes"/> (bounded, whatever the dataset size).
/// </summary>
public sealed class CachedEmbeddingSource : IEmbeddingSource
{
    private readonly EmbeddingCache cache;
    private readonly Dictionary<string, string> index;
    private readonly long budget;
    private readonly Lock gate = new();
    private readonly LinkedList<(string Id, Embedding Embedding)> recent = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, Embedding Embedding)>> held = new(StringComparer.Ordinal);
    private long heldBytes;

    public CachedEmbeddingSource(EmbeddingCache cache, long memoryBudgetBytes = 1L << 30)
    {
        this.cache = cache;
        index = cache.ReadIndex();
        budget = memoryBudgetBytes;
    }

    /// <summary>Ids the index knows.</summary>
    public IReadOnlyCollection<string> Ids => index.Keys;

    /// <summary>Audio ids with an entry in the cache's index (the same as <see cref="Ids"/>).</summary>
    public IReadOnlyCollection<string> AudioIds => index.Keys;

    public bool Contains(string audioId) => index.ContainsKey(audioId);

    public Embedding Load(string audioId)
    {
        lock (gate)
        {
            if (held.TryGetValue(audioId, out var node))
            {
                recent.Remove(node);
                recent.AddFirst(node);
                return node.Value.Embedding;
            }
        }
        if (!index.TryGetValue(audioId, out var key))
            throw new KeyNotFoundException($"no {cache.EncoderName} embedding for '{audioId}' in the cache index {cache.IndexPath} ({index.Count} entries): run 'pianojudges embed' for its manifest first");
        if (!cache.TryRead(key, out var embedding, out var problem))
            throw new InvalidDataException($"cache entry {cache.EntryPath(key)} of '{audioId}' cannot be used: {problem ?? "the file is missing"}; embed it again");
        long bytes = (long)embedding!.Data.Length * sizeof(float);
        lock (gate)
        {
            if (bytes <= budget && !held.ContainsKey(audioId))
            {
                held[audioId] = recent.AddFirst((audioId, embedding));
                heldBytes += bytes;
                while (heldBytes > budget && recent.Last is { } last)
                {
                    recent.RemoveLast();
                    held.Remove(last.Value.Id);
                    heldBytes -= (long)last.Value.Embedding.Data.Length * sizeof(float);
                }
            }
        }
        return embedding;
    }
}
