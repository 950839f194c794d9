namespace PianoJudges.Probing;

using PianoJudges.Encoders;

/// <summary>Where the trainer gets a recording's embedding from (the on-disk cache, or memory in tests).</summary>
public interface IEmbeddingSource
{
    /// <summary>The embedding of one recording; throws a clear error naming <paramref name="audioId"/> when it is missing.</summary>
    Embedding Load(string audioId);
}

/// <summary>Embeddings held in a dictionary: for tests and notebooks with small data.</summary>
public sealed class InMemoryEmbeddingSource : IEmbeddingSource
{
    private readonly Dictionary<string, Embedding> items;

    public InMemoryEmbeddingSource(IEnumerable<KeyValuePair<string, Embedding>> embeddings) =>
        items = new Dictionary<string, Embedding>(embeddings, StringComparer.Ordinal);

    public InMemoryEmbeddingSource() => items = new Dictionary<string, Embedding>(StringComparer.Ordinal);

    public void Add(string audioId, Embedding embedding) => items[audioId] = embedding;

    public int Count => items.Count;

    public Embedding Load(string audioId) =>
        items.TryGetValue(audioId, out var e)
            ? e
            : throw new KeyNotFoundException($"no embedding for audio id '{audioId}' in the in-memory source ({items.Count} recordings)");
}
