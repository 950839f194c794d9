namespace PianoJudges.Tests.Probing;

using PianoJudges.Data;
using PianoJudges.Encoders;
using PianoJudges.Probing;

/// <summary>
/// Expertise recordings whose cached embeddings carry the level as a planted offset, written to a cache as
/// `embed` would: the data the Table 3 and verify tests train on.
/// </summary>
internal static class PlantedExpertise
{
    public const int Frames = 30, Dim = 32, Segments = 2;

    /// <summary>Writes <paramref name="perLevel"/> recordings per level (each 2 x 30 x <paramref name="dim"/>) into a cache (default: a spectrogram one); returns it and their manifest.</summary>
    public static (EmbeddingCache Cache, Manifest Manifest) Write(DataPaths paths, int perLevel, int seed, int dim = Dim,
        string encoder = "spectrogram", string configKey = "planted-signal-v1")
    {
        var cache = new EmbeddingCache(paths, encoder, configKey);
        var rows = new List<ManifestRow>();
        var index = new Dictionary<string, string>();
        var rng = new Random(seed);
        for (int level = 0; level < 3; level++)
            for (int i = 0; i < perLevel; i++)
            {
                string id = $"rec-{level}-{i}";
                var data = new float[Segments * Frames * dim];
                for (int k = 0; k < data.Length; k++) data[k] = (float)(rng.NextDouble() - 0.5) + level * 0.8f;
                string hash = $"{level:x2}{i:x2}" + new string('0', 60);
                cache.Write(hash, id, new Embedding(data, Segments, Frames, dim, [true, true]));
                index[id] = hash;
                rows.Add(new ManifestRow(id, id, ManifestTask.Expertise, level, null, id, null, 20, "test", null));
            }
        cache.UpdateIndex(index);
        return (cache, new Manifest("test: planted expertise signal", rows));
    }

    /// <summary>
    /// A PLD-synth-shaped dataset ("pld-synth:planted", what `train --dataset pld-synth:planted` reads) whose expertise
    /// embeddings carry the level as an offset; the other tasks have no rows.
    /// </summary>
    public static (ProbeDataset Dataset, EmbeddingCache Cache) WriteDataset(DataPaths paths, int perLevel = 10, int seed = 11, int dim = Dim)
    {
        var (cache, expertise) = Write(paths, perLevel, seed, dim);
        string manifests = Path.Combine(paths.PldSynth("planted"), "manifests");
        Directory.CreateDirectory(manifests);
        ManifestIO.Write(Path.Combine(manifests, "expertise.csv"), expertise);
        ManifestIO.Write(Path.Combine(manifests, "difficulty.csv"), new Manifest("test: none", []));
        ManifestIO.Write(Path.Combine(manifests, "techniques.csv"), new Manifest("test: none", []));
        return (ProbeDataset.Parse(paths, "pld-synth:planted", null), cache);
    }
}
